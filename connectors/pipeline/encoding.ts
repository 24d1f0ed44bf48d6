import { isAscii, isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import iconv from 'iconv-lite';

/** The encodings department files arrive in (docs/sources.md, common rules). */
export type FileEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030';

/** How many leading bytes are checked for valid UTF-8 before deciding. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Bytes at the end of `bytes` that may be the start of a UTF-8 sequence cut by the chunk boundary
 * (0–3), so that a valid file is not misjudged because a chunk ends mid-character.
 */
function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Decides a file's encoding from its first bytes: a UTF-8 byte-order mark; else the header line's
 * (the column names are Chinese: their bytes are valid UTF-8 or they are GB18030); else, for a header
 * of plain ASCII, the sample's. GB18030 is a superset of GBK and GB2312, so older department
 * systems' files decode too. A row in another encoding than its header is found by {@link decodeLines}.
 * `complete` says the sample is the whole file (no sequence can be cut at its end).
 */
export function detectEncoding(sample: Uint8Array, complete: boolean): FileEncoding {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf)
    return 'utf-8-bom';
  const body = complete ? sample : sample.subarray(0, sample.length - incompleteTail(sample));
  const newline = body.indexOf(NEWLINE);
  const header = newline < 0 ? body : body.subarray(0, newline);
  if (!isAscii(header)) return isUtf8(header) ? 'utf-8' : 'gb18030';
  return isUtf8(body) ? 'utf-8' : 'gb18030';
}

/**
 * Put before a line decoded in another encoding than its file's (noncharacters: no department text
 * holds them). The load quarantines the row that carries one, with the reason (pass.ts), and takes
 * the mark out of its cells.
 */
export const FOREIGN_LINE = {
  /** a line of a UTF-8 file that is not UTF-8, and reads as GB18030 */
  gb18030: '\uFDD0',
  /** a line of a GB18030 file whose bytes are UTF-8 (read as GB18030 it would be mojibake) */
  'utf-8': '\uFDD1',
} as const;

const NEWLINE = 10;

const strictGb18030 = new TextDecoder('gb18030', { fatal: true });

/** A line of a UTF-8 file that is not valid UTF-8: as GB18030 (marked) when it reads so cleanly. */
function nonUtf8Line(line: Buffer): string {
  try {
    return FOREIGN_LINE.gb18030 + strictGb18030.decode(line);
  } catch {
    return line.toString('utf8'); // with U+FFFD: quarantined as undecodable
  }
}

/** The end of the line that starts at `start` (after its newline, or the end of `bytes`). */
function lineEnd(bytes: Buffer, start: number): number {
  const newline = bytes.indexOf(NEWLINE, start);
  return newline < 0 ? bytes.length : newline + 1;
}

/** Chinese as UTF-8 writes it (three bytes a character); GB18030 text misread as UTF-8 is not that. */
const CHINESE = /[\u3000-\u9fff\uff00-\uffef]/;

/** A GB18030 file's line: its bytes are UTF-8, with Chinese characters (not GB18030 that happens to be valid UTF-8). */
function utf8Line(line: Buffer): string | null {
  if (isAscii(line) || !isUtf8(line)) return null;
  const text = line.toString('utf8');
  return CHINESE.test(text) ? text : null;
}

/**
 * Whole lines of a file in `encoding` as text (the file's last line may lack its newline). A line in
 * the other encoding is decoded in its own and marked ({@link FOREIGN_LINE}): a GB18030 file's line
 * whose bytes are UTF-8 Chinese (as GB18030 they would read as other characters, without any
 * replacement character), a UTF-8 file's line that is not UTF-8 but reads as GB18030. The newline
 * byte never occurs inside a character in either encoding, so lines are told apart before decoding.
 */
export function decodeLines(bytes: Buffer, encoding: FileEncoding): string {
  if (encoding !== 'gb18030') {
    if (isUtf8(bytes)) return bytes.toString('utf8');
    let text = '';
    for (let start = 0; start < bytes.length; ) {
      const end = lineEnd(bytes, start);
      const line = bytes.subarray(start, end);
      text += isUtf8(line) ? line.toString('utf8') : nonUtf8Line(line);
      start = end;
    }
    return text;
  }
  if (isAscii(bytes)) return bytes.toString('latin1');
  // The GB18030 lines between UTF-8 ones are decoded together.
  let text = '';
  let run = 0;
  for (let start = 0; start < bytes.length; ) {
    const end = lineEnd(bytes, start);
    const utf8 = utf8Line(bytes.subarray(start, end));
    if (utf8 !== null) {
      if (start > run) text += iconv.decode(bytes.subarray(run, start), 'gb18030');
      text += FOREIGN_LINE['utf-8'] + utf8;
      run = end;
    }
    start = end;
  }
  if (run < bytes.length) text += iconv.decode(bytes.subarray(run), 'gb18030');
  return text;
}

/** A line longer than the limit: the file is not a table a department system wrote. */
export class LineTooLongError extends Error {
  constructor(
    readonly lineNumber: number,
    readonly maxLineBytes: number,
  ) {
    super(
      `第 ${lineNumber} 行超过 ${formatBytes(maxLineBytes)} 仍未结束，不像是部门系统导出的表格；整个文件未导入 ` +
        `(line ${lineNumber} is longer than ${maxLineBytes} bytes)`,
    );
  }
}

/** 1048576 → `1 MiB`, 4096 → `4 KiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes / (1 << 10)} KiB`;
  return `${bytes} 字节`;
}

/**
 * Cuts a byte stream into buffers of whole lines, holding at most one unfinished line of at most
 * `maxLineBytes` (a longer one throws {@link LineTooLongError} as soon as it is seen: a file of one
 * 50 MB line is refused after its first megabyte, not read into memory).
 */
export class WholeLines {
  private parts: Buffer[] = [];
  private kept = 0;
  /** lines ended so far */
  private lines = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** The whole lines `chunk` ends (with the bytes kept before it), or null; keeps the rest (copied). */
  push(chunk: Buffer): Buffer | null {
    let start = 0;
    for (
      let newline = chunk.indexOf(NEWLINE);
      newline >= 0;
      newline = chunk.indexOf(NEWLINE, start)
    ) {
      if (newline - start + (start === 0 ? this.kept : 0) > this.maxLineBytes) this.tooLong();
      this.lines += 1;
      start = newline + 1;
    }
    if (start === 0) {
      this.keep(Buffer.from(chunk)); // (copied: a reader may fill the same buffer again)
      return null;
    }
    const head = chunk.subarray(0, start);
    const whole = this.kept > 0 ? Buffer.concat([...this.parts, head]) : head;
    this.parts = [];
    this.kept = 0;
    if (start < chunk.length) this.keep(Buffer.from(chunk.subarray(start)));
    return whole;
  }

  /** The last line when the file does not end with a newline, else null. */
  end(): Buffer | null {
    if (this.kept === 0) return null;
    const last = Buffer.concat(this.parts);
    this.parts = [];
    this.kept = 0;
    return last;
  }

  private keep(bytes: Buffer) {
    this.parts.push(bytes);
    this.kept += bytes.length;
    if (this.kept > this.maxLineBytes) this.tooLong();
  }

  private tooLong(): never {
    this.parts = [];
    throw new LineTooLongError(this.lines + 1, this.maxLineBytes);
  }
}

/**
 * A byte stream → text stream transform that sniffs the encoding on the first {@link SNIFF_BYTES}
 * (or the whole file when shorter), then decodes whole lines as it streams ({@link decodeLines}).
 * Undecodable bytes become U+FFFD and a line in the other encoding is marked: the pipeline
 * quarantines such rows, so mojibake never reaches a table. A line longer than `maxLineBytes` fails
 * the stream with {@link LineTooLongError}. `onBytes` sees every raw chunk (for the progress bar and
 * the file's checksum).
 */
export class DecodingStream extends Transform {
  encoding: FileEncoding | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly lines: WholeLines;
  /** a byte-order mark still to be dropped */
  private bom = false;

  constructor(
    private readonly onBytes: (chunk: Buffer) => void = () => {},
    maxLineBytes = Number.POSITIVE_INFINITY,
  ) {
    super({ decodeStrings: true, encoding: 'utf8' });
    this.lines = new WholeLines(maxLineBytes);
  }

  private decode(bytes: Buffer | null) {
    if (bytes === null) return;
    let from = bytes;
    if (this.bom) {
      this.bom = false;
      from = bytes.subarray(3);
    }
    const text = decodeLines(from, this.encoding!);
    if (text) this.push(text);
  }

  private start(complete: boolean) {
    const sample = Buffer.concat(this.pending);
    this.pending = [];
    this.encoding = detectEncoding(sample, complete);
    this.bom = this.encoding === 'utf-8-bom';
    this.decode(this.lines.push(sample));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
    this.onBytes(chunk);
    try {
      if (this.encoding) {
        this.decode(this.lines.push(chunk));
        return callback();
      }
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes >= SNIFF_BYTES) this.start(false);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback) {
    try {
      if (!this.encoding) this.start(true);
      this.decode(this.lines.end());
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}
