/**
 * The manifest written beside the demo files (`manifest.json`): every file with its source,
 * format and encoding in the order to load them (the register first), the rows deliberately
 * made invalid or unmatchable, and the scenario enterprises with what awards they should get.
 */
import { USCC_ALPHABET } from '../connectors/common/uscc.js';
import type { SourceName } from '../lib/source-labels.js';
import type { Rng } from './random.js';
import type { Expectation, RevitalizationCategory } from './scenarios.js';
import type { CsvEncoding } from './writers.js';

/** Why a row should be quarantined by the loader. */
export type InvalidKind = 'bad-check' | 'bad-date' | 'empty-required' | 'unknown-type';

/** Why a well-formed row should stay unmatched: no enterprise, or more than one. */
export type UnmatchedKind = 'no-match' | 'ambiguous';

export interface ManifestFile {
  /** file name inside the output directory */
  file: string;
  source: SourceName;
  format: 'csv' | 'xlsx';
  /** the CSV's character encoding; null for xlsx */
  encoding: CsvEncoding | null;
  /** header cells in file order (may include columns the source does not define) */
  columns: string[];
  /** data rows, the header not counted */
  rows: number;
  /** rows that must be quarantined: row number (header = 1), kind, and the column at fault */
  invalidRows: Array<{ row: number; kind: InvalidKind; column: string }>;
  /** rows that must stay unmatched; `column` names the side for leases */
  unmatchedRows: Array<{ row: number; kind: UnmatchedKind; column: string }>;
  /** set when this file deliberately resends natural keys of an earlier file */
  corrects?: string;
  note: string;
}

export interface ManifestScenario {
  role: string;
  uscc: string;
  name: string;
  description: string;
  expect: readonly Expectation[];
  /** the land revitalization categories `landRevitalization(year)` should give it */
  landRevitalization?: { year: number; categories: readonly RevitalizationCategory[] };
}

export interface Manifest {
  generator: 'wenshang-edp demo';
  version: 1;
  seed: number;
  enterprises: number;
  years: [number, number];
  rowNumbering: string;
  /** load in this order: market-registry first */
  files: ManifestFile[];
  scenarios: ManifestScenario[];
}

/** What a file writer hands back before it becomes a manifest entry. */
export class FileRecord {
  readonly invalidRows: ManifestFile['invalidRows'] = [];
  readonly unmatchedRows: ManifestFile['unmatchedRows'] = [];

  constructor(
    readonly file: string,
    readonly source: SourceName,
    readonly format: 'csv' | 'xlsx',
    readonly encoding: CsvEncoding | null,
    readonly columns: string[],
    readonly note: string,
    readonly corrects?: string,
  ) {}

  invalid(row: number, kind: InvalidKind, column: string): void {
    this.invalidRows.push({ row, kind, column });
  }

  unmatched(row: number, kind: UnmatchedKind, column: string): void {
    this.unmatchedRows.push({ row, kind, column });
  }

  finish(rows: number): ManifestFile {
    return {
      file: this.file,
      source: this.source,
      format: this.format,
      encoding: this.encoding,
      columns: this.columns,
      rows,
      invalidRows: this.invalidRows,
      unmatchedRows: this.unmatchedRows,
      ...(this.corrects ? { corrects: this.corrects } : {}),
      note: this.note,
    };
  }
}

/**
 * Decides which rows of a file carry a defect: about `rate` of the eligible rows, and every
 * kind the file offers at least once (forced on every 7th eligible row until each has occurred).
 */
export class Defects {
  private eligible = 0;
  private readonly unused: Set<InvalidKind>;

  constructor(
    private readonly rng: Rng,
    private readonly rate: number,
    kinds: readonly InvalidKind[],
  ) {
    this.unused = new Set(kinds);
  }

  /** A defect for this row, chosen among the kinds it can carry, or null. */
  pick(available: readonly InvalidKind[]): InvalidKind | null {
    this.eligible++;
    if (this.unused.size && this.eligible % 7 === 0) {
      const forced = available.find((k) => this.unused.has(k));
      if (forced) {
        this.unused.delete(forced);
        return forced;
      }
    }
    if (!this.rng.chance(this.rate) || !available.length) return null;
    const kind = this.rng.pick(available);
    this.unused.delete(kind);
    return kind;
  }
}

/** The share of eligible rows made invalid. */
export const DEFECT_RATE = 0.003;

/** A USCC whose check character is wrong (every other character kept). */
export function breakCheck(uscc: string, rng: Rng): string {
  const i = USCC_ALPHABET.indexOf(uscc[17]);
  return uscc.slice(0, 17) + USCC_ALPHABET[(i + rng.int(1, 30)) % 31];
}
