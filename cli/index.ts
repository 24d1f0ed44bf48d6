import { Command, CommanderError } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerAwards } from './commands/awards.js';
import { registerDemo } from './commands/demo.js';
import { registerEvaluation } from './commands/evaluation.js';
import { registerIngest } from './commands/ingest.js';
import { registerKeys } from './commands/keys.js';
import { registerLandRevitalization } from './commands/land-revitalization.js';
import { registerLink } from './commands/link.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPull } from './commands/pull.js';
import { registerQuarantine } from './commands/quarantine.js';
import { registerSurcharge } from './commands/surcharge.js';
import { registerUnmatched } from './commands/unmatched.js';

/** `npm run edp -- <command>`: the platform's command line (docs/interface.md, commands). */
const program = new Command('edp')
  .description('汶上县企业大数据平台 — load department data, manage keys, export lists')
  .showHelpAfterError()
  // a command's options come before its subcommand, so that `awards` and `awards approve` both have --as-of
  .enablePositionalOptions()
  .exitOverride();

registerMigrate(program);
registerIngest(program);
registerPull(program);
registerUnmatched(program);
registerQuarantine(program);
registerLink(program);
registerKeys(program);
registerAudit(program);
registerAwards(program);
registerDemo(program);
registerSurcharge(program);
registerEvaluation(program);
registerLandRevitalization(program);

program.parseAsync(process.argv).catch((error) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.stderr.write(`edp: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
