import { DEFAULTS } from '../../lib/config.js';

/**
 * How large the pieces of a department file may be (README "Operations", docs/security.md). Real
 * exports stay far below both: the longest cell of docs/sources.md is an address or a project name.
 */
export interface InputLimits {
  /**
   * A CSV line longer than this many bytes refuses the whole file as soon as it is seen (also a
   * quoted cell left open for as many characters): the reader never holds more than one such line.
   * Default 1 MiB.
   */
  maxLineBytes: number;
  /** A cell (CSV or xlsx) longer than this many characters quarantines its row. Default 4096. */
  maxCellChars: number;
}

/** The defaults, from the platform's one table of them (`EDP_MAX_LINE_BYTES`, `EDP_MAX_CELL_CHARS`). */
export const INPUT_LIMITS: InputLimits = {
  maxLineBytes: DEFAULTS.ingestMaxLineBytes,
  maxCellChars: DEFAULTS.ingestMaxCellChars,
};
