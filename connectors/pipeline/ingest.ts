import { readFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Database } from '../../db/client.js';
import type { Logger } from '../../lib/logger.js';
import { SOURCE_DEFINITIONS, sourceDefinition } from '../sources.js';
import { type BatchReport, recordRefusedBatch, runBatch } from './batches.js';
import { mapHeader } from './columns.js';
import { BadHeaderError, IngestError, UnreadableFileError } from './errors.js';
import { INPUT_LIMITS, type InputLimits } from './limits.js';
import { type LoadPath, loadRows } from './load.js';
import { openFile, openRawCsv, type SheetRow } from './readers.js';
import type { Session } from './session.js';
import { SOURCES, type SourceName } from './source.js';
import { supersedeQuarantine } from './supersede.js';

export type { BatchReport };

export interface IngestOptions {
  /** show a progress bar (only when stdout is a terminal) */
  progress?: boolean;
  logger?: Logger;
  /** files from this many bytes on load into an empty table by the bulk path (default: load.ts BULK_MIN_BYTES) */
  bulkMinBytes?: number;
  /** told which path loaded the rows (load.ts LoadPath) */
  onPath?: (path: LoadPath) => void;
  /** told when a phase of the load ends (load.ts LoadInput.onPhase) */
  onPhase?: (phase: string) => void;
  /**
   * Read a large CSV file of a source that declares one by its fast reading (connectors/power/fast-lines.ts; default
   * true). Off, every row goes through the general reader: the same result, slower (tests compare them).
   */
  fastReading?: boolean;
  /** the bounds of a line and a cell (limits.ts; each defaults to INPUT_LIMITS) */
  limits?: Partial<InputLimits>;
}

/** A progress bar over the file's bytes, or nothing when stdout is not a terminal. */
function progressBar(enabled: boolean | undefined, label: string, total: number) {
  if (!enabled || !process.stdout.isTTY) return null;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} |{bar}| {percentage}% | {rows} rows | ETA {eta_formatted}`,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { rows: 0 });
  return bar;
}

/** Splits a file's row batches into its header and the data rows that follow. */
async function headerAndRows(batches: AsyncIterable<SheetRow[]>, fileName: string) {
  const iterator = batches[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || first.value.length === 0)
    throw new BadHeaderError(`${fileName}：文件是空的（没有表头行），未导入任何数据`);
  const [headerRow, ...firstRows] = first.value;
  async function* rest(): AsyncGenerator<SheetRow[]> {
    if (firstRows.length > 0) yield firstRows;
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      yield next.value;
  }
  return { header: headerRow.cells, rest: rest(), close: () => iterator.return?.() };
}

/** Refusals before any row is read are recorded as failed batches (so dashboards see them), then thrown. */
async function refuse(
  database: Database,
  source: SourceName,
  fileName: string | null,
  error: unknown,
): Promise<never> {
  if (error instanceof IngestError) {
    try {
      await recordRefusedBatch(database, source, fileName, error.message);
    } catch {
      // The database is not answering either: the caller sees the file's problem.
    }
  }
  throw error;
}

function logReport(logger: Logger | undefined, report: BatchReport) {
  logger?.info({ ...report }, `ingest ${report.source} ${report.fileName ?? ''}: ${report.status}`);
}

/**
 * Loads one department file (`.csv` in UTF-8, UTF-8 with BOM or GB18030, or `.xlsx`) of `source` as one
 * batch in one transaction. Resolves to the batch report when it committed (quarantined rows included);
 * throws an {@link IngestError} when the file cannot be loaded at all (unknown source, unreadable file,
 * missing required column) — then nothing of it is loaded.
 */
export async function ingestFile(
  database: Database,
  source: string,
  filePath: string,
  options: IngestOptions = {},
): Promise<BatchReport> {
  const definition = sourceDefinition(source);
  const fileName = path.basename(filePath);
  const limits: InputLimits = { ...INPUT_LIMITS, ...options.limits };
  let opened: ReturnType<typeof openFile>;
  let parts: Awaited<ReturnType<typeof headerAndRows>>;
  let map: ReturnType<typeof mapHeader>;
  try {
    opened = openFile(filePath, limits);
    parts = await headerAndRows(opened.batches, fileName).catch((error: Error) => {
      throw error instanceof IngestError ? error : new UnreadableFileError(filePath, error.message);
    });
    map = mapHeader(definition.columns, parts.header, fileName, definition.name);
  } catch (error) {
    return refuse(database, definition.name, fileName, error);
  }
  const bar = progressBar(options.progress, `${definition.name} ${fileName}`, opened.size);
  /** the reader the rows were last read through (the whole file: its bytes read and checksum count) */
  let reader: { bytesRead(): number; sha256(): string } = opened;
  try {
    const report = await runBatch(
      database,
      definition.name,
      fileName,
      async (session, batchId) => {
        options.logger?.info({ batchId, source: definition.name, fileName }, 'ingest running');
        const counts = await loadRows(
          session,
          definition,
          batchId,
          {
            header: parts.header,
            map,
            batches: parts.rest,
            fileName,
            onProgress: bar ? (rows) => bar.update(reader.bytesRead(), { rows }) : undefined,
            sizeBytes: opened.size,
            maxCellChars: limits.maxCellChars,
            bulkMinBytes: options.bulkMinBytes,
            // The file read again from its first row (the header was checked already).
            reopen: async () => {
              await parts.close();
              opened = openFile(filePath, limits);
              reader = opened;
              parts = await headerAndRows(opened.batches, fileName);
              return parts.rest;
            },
            rawLines:
              options.fastReading !== false && path.extname(filePath).toLowerCase() === '.csv'
                ? () => {
                    const raw = openRawCsv(filePath, limits);
                    reader = raw;
                    return raw.chunks;
                  }
                : undefined,
            onPhase: options.onPhase,
            onPath: (loadPath) => {
              options.logger?.info(
                { batchId, source: definition.name, fileName, path: loadPath },
                `ingest path ${loadPath}`,
              );
              options.onPath?.(loadPath);
            },
          },
          Object.values(SOURCE_DEFINITIONS),
        );
        // the whole file was read: its checksum is known
        return {
          ...counts,
          ...(await supersedeQuarantine(session, definition, batchId, reader.sha256())),
        };
      },
      () => reader.sha256(),
    );
    bar?.update(opened.size, { rows: report.rowsRead });
    logReport(options.logger, report);
    return report;
  } finally {
    bar?.stop();
    await parts.close();
  }
}

/**
 * Loads records that did not come as a file (the power company's API pull): each record is keyed by
 * the source's Chinese column names (`{ 用电户号: '…', 抄表年月: '2024-03', … }`), the keys of the first
 * record are the header. Validated, quarantined, resolved and recorded exactly as a file would be.
 */
export async function ingestRecords(
  database: Database,
  source: string,
  records: AsyncIterable<Record<string, string | null | undefined>>,
  options: {
    fileName?: string;
    logger?: Logger;
    /** more work to commit (or roll back) with the batch, e.g. the API pull's progress row */
    alsoInBatch?: (session: Session, batchId: number) => Promise<void>;
  } = {},
): Promise<BatchReport> {
  const definition = sourceDefinition(source);
  const fileName = options.fileName ?? null;
  const iterator = records[Symbol.asyncIterator]();
  const first = await iterator.next();
  const header = first.done ? definition.columns.map((c) => c.header) : Object.keys(first.value);
  let map: ReturnType<typeof mapHeader>;
  try {
    map = mapHeader(definition.columns, header, fileName ?? source, definition.name);
  } catch (error) {
    return refuse(database, definition.name, fileName, error);
  }
  async function* batches(): AsyncGenerator<SheetRow[]> {
    const cellsOf = (record: Record<string, string | null | undefined>) =>
      header.map((h) => String(record[h] ?? ''));
    if (first.done) return;
    let batch: SheetRow[] = [{ rowNumber: 2, cells: cellsOf(first.value) }];
    let rowNumber = 2;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      batch.push({ rowNumber: ++rowNumber, cells: cellsOf(next.value) });
      if (batch.length >= 512) {
        yield batch;
        batch = [];
      }
    }
    yield batch;
  }
  const report = await runBatch(database, definition.name, fileName, async (session, batchId) => {
    const counts = await loadRows(
      session,
      definition,
      batchId,
      { header, map, batches: batches(), fileName },
      Object.values(SOURCE_DEFINITIONS),
    );
    const quarantine = await supersedeQuarantine(session, definition, batchId, null);
    await options.alsoInBatch?.(session, batchId);
    return { ...counts, ...quarantine };
  });
  logReport(options.logger, report);
  return report;
}

/** One entry of a manifest: which file, of which source. */
export interface ManifestEntry {
  source: SourceName;
  file: string;
}

/**
 * Reads `manifest.json` of a directory of department files: `{ "files": [{ "source": "…", "file": "…" }] }`
 * (also accepted: a bare array, and `path` or `name` for `file`), in load order.
 */
export function readManifest(manifestDir: string): ManifestEntry[] {
  const manifestPath = path.join(manifestDir, 'manifest.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new UnreadableFileError(manifestPath, (error as Error).message);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { files?: unknown }).files;
  if (!Array.isArray(list)) throw new UnreadableFileError(manifestPath, 'it has no "files" list');
  return list.map((entry: Record<string, unknown>, i) => {
    const source = String(entry.source ?? '');
    const file = String(entry.file ?? entry.path ?? entry.name ?? '');
    if (!(SOURCES as readonly string[]).includes(source) || !file) {
      throw new UnreadableFileError(
        manifestPath,
        `entry ${i + 1} needs a known "source" and a "file"`,
      );
    }
    return { source: source as SourceName, file };
  });
}

/**
 * Loads every file a manifest lists, in its order (the register first, as the demo generator writes
 * it; the result does not depend on the order). Stops at the first file that cannot be loaded.
 */
export async function ingestManifest(
  database: Database,
  manifestDir: string,
  options: IngestOptions = {},
): Promise<BatchReport[]> {
  const reports: BatchReport[] = [];
  for (const entry of readManifest(manifestDir)) {
    reports.push(
      await ingestFile(database, entry.source, path.resolve(manifestDir, entry.file), options),
    );
  }
  return reports;
}
