import type { Command } from 'commander';
import { withDatabase } from '../shared.js';

export function registerMigrate(program: Command) {
  program
    .command('migrate')
    .description('apply the committed migrations to the configured database')
    .action(async () => {
      await withDatabase(async (database, config) => {
        process.stdout.write(
          `migrated ${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`} (${database.kind})\n`,
        );
      });
    });
}
