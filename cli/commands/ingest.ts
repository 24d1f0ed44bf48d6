import type { Command } from 'commander';
import { type BatchReport, IngestError, ingestFile, SOURCES } from '../../connectors/index.js';
import { createLogger } from '../../lib/logger.js';
import { isConnectionError } from '../../server/errors.js';
import { withDatabase } from '../shared.js';

/**
 * The batch report as printed after each file: what the batch read, then what the source's
 * quarantine holds now (each problem row once, whatever the earlier loads of the same file).
 */
export function formatReport(report: BatchReport): string {
  const lines = [
    `${report.source} ${report.fileName ?? ''}: batch ${report.batchId} ${report.status}`,
    `  rows read ${report.rowsRead} = loaded ${report.rowsLoaded} + quarantined ${report.rowsQuarantined} + unmatched ${report.rowsUnmatched}` +
      ` (replaced ${report.rowsReplaced})`,
  ];
  if (report.quarantineCurrent !== undefined)
    lines.push(
      `  quarantine of ${report.source} now ${report.quarantineCurrent} rows` +
        (report.quarantineSuperseded
          ? ` (${report.quarantineSuperseded} earlier rows superseded by this load)`
          : '') +
        ` — edp quarantine --source ${report.source}`,
    );
  return lines.join('\n');
}

/** Why a file could not be loaded, in one line; a database that does not answer is said so plainly. */
export function explainFailure(error: unknown): string {
  if (isConnectionError(error)) {
    const code = (error as { code?: string }).code;
    return `the database is not answering${code ? ` (${code})` : ''}; nothing was loaded — check DATABASE_URL and that the server is up`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * `edp ingest <source> <file…>`: loads files of one source, each as its own batch (docs/interface.md).
 * Exit code 0 when every batch committed (quarantined rows included); 1 when a file could not be
 * loaded at all (missing column, unreadable file, database down), with the reason on stderr.
 */
export function registerIngest(program: Command) {
  program
    .command('ingest')
    .description(`导入一个数据源的部门文件；数据源：${SOURCES.join(', ')}`)
    .argument('<source>', '文件所属的数据源')
    .argument('<files...>', '.csv（UTF-8、带 BOM 的 UTF-8 或 GB18030）或 .xlsx 文件')
    .action(async (source: string, files: string[]) => {
      const logger = createLogger(process.env.LOG_LEVEL || 'warn');
      let failed = 0;
      try {
        await withDatabase(async (database, config) => {
          const limits = {
            maxLineBytes: config.ingestMaxLineBytes,
            maxCellChars: config.ingestMaxCellChars,
          };
          for (const file of files) {
            try {
              const report = await ingestFile(database, source, file, {
                progress: true,
                logger,
                limits,
              });
              process.stdout.write(`${formatReport(report)}\n`);
            } catch (error) {
              failed += 1;
              process.stderr.write(`edp ingest: ${file}: ${explainFailure(error)}\n`);
              if (!(error instanceof IngestError)) logger.debug({ err: error }, 'ingest failed');
              if (isConnectionError(error)) break;
            }
          }
        });
      } catch (error) {
        process.stderr.write(`edp ingest: ${explainFailure(error)}\n`);
        process.exit(1);
      }
      if (failed > 0) process.exit(1);
    });
}
