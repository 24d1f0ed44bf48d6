import { CommanderError } from 'commander';
import { databaseErrorMessage } from '../db/client.js';
import { createProgram } from './program.js';

const program = createProgram();

// `edp unmatched | head`: the reader stopped reading, the output is no longer wanted
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

program.parseAsync(process.argv).catch((error) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  const message =
    databaseErrorMessage(error, process.env.DATABASE_URL || undefined) ??
    (error instanceof Error ? error.message : String(error));
  process.stderr.write(`edp: ${message}\n`);
  process.exit(1);
});
