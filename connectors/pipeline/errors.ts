import { UserInputError } from '../../lib/errors.js';
import { didYouMean } from '../../lib/names.js';

/**
 * Why a whole file (or a call) was refused: errors a caller can act on, each with a message a
 * department clerk understands. Row-level problems are not errors: those rows are quarantined.
 */
export class IngestError extends UserInputError {
  override name = 'IngestError';
}

/** The file does not exist, cannot be read, or is not a CSV/xlsx file. */
export class UnreadableFileError extends IngestError {
  override name = 'UnreadableFileError';
  constructor(
    readonly filePath: string,
    reason: string,
  ) {
    super(`cannot read ${filePath}: ${reason}`);
  }
}

/** A required column is missing from the header: nothing of the file is loaded. */
export class MissingColumnError extends IngestError {
  override name = 'MissingColumnError';
  constructor(
    readonly fileName: string,
    readonly source: string,
    readonly columns: string[],
  ) {
    super(
      `${fileName}：表头缺少必需的列 ${columns.map((c) => `「${c}」`).join('、')}；${source} 文件必须有这些列，未导入任何数据`,
    );
  }
}

/** The header is unusable for another reason (empty file, the same column twice). */
export class BadHeaderError extends IngestError {
  override name = 'BadHeaderError';
}

/** A source name that is not one of docs/interface.md's nine. */
export class UnknownSourceError extends IngestError {
  override name = 'UnknownSourceError';
  constructor(source: string, known: readonly string[]) {
    super(`未知数据源 "${source}"${didYouMean(source, known)}；可选数据源：${known.join('、')}`);
  }
}

/** linkRecord: no record with that id, or no enterprise with that USCC. */
export class LinkError extends IngestError {
  override name = 'LinkError';
}
