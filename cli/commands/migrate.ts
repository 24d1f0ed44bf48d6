import type { Command } from 'commander';
import { withDatabase } from '../shared.js';

export function registerMigrate(program: Command) {
  program
    .command('migrate')
    .description('对所配置的数据库执行数据库迁移（建表与升级）')
    .action(async () => {
      await withDatabase(async (database, config) => {
        process.stdout.write(
          `migrated ${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`} (${database.kind})\n`,
        );
      });
    });
}
