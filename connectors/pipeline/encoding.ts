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
 * Decides a file's encoding from its first bytes: a UTF-8 byte-order mark; else valid UTF-8;
 * else GB18030 (a superset of GBK and GB2312, so older department systems' files decode too).
 * `complete` says the sample is the whole file (no sequence can be cut at its end).
 */
export function detectEncoding(sample: Uint8Array, complete: boolean): FileEncoding {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf)
    return 'utf-8-bom';
  const body = complete ? sample : sample.subarray(0, sample.length - incompleteTail(sample));
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return 'utf-8';
  } catch {
    return 'gb18030';
  }
}

interface Decoder {
  write(bytes: Buffer): string;
  end(): string;
}

function decoderFor(encoding: FileEncoding): Decoder {
  if (encoding === 'gb18030') {
    const decoder = iconv.getDecoder('gb18030');
    return { write: (bytes) => decoder.write(bytes), end: () => decoder.end() ?? '' };
  }
  const decoder = new TextDecoder('utf-8'); // drops a leading BOM
  return { write: (bytes) => decoder.decode(bytes, { stream: true }), end: () => decoder.decode() };
}

/**
 * A byte stream → text stream transform that sniffs the encoding on the first {@link SNIFF_BYTES}
 * (or the whole file when shorter), then decodes as it streams. Undecodable bytes become U+FFFD,
 * which the pipeline refuses to load (the row is quarantined), so mojibake never reaches a table.
 * `onBytes` sees every raw chunk (for the progress bar and the file's checksum).
 */
export class DecodingStream extends Transform {
  encoding: FileEncoding | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private decoder: Decoder | undefined;

  constructor(private readonly onBytes: (chunk: Buffer) => void = () => {}) {
    super({ decodeStrings: true, encoding: 'utf8' });
  }

  private start(complete: boolean) {
    const sample = Buffer.concat(this.pending);
    this.pending = [];
    this.encoding = detectEncoding(sample, complete);
    this.decoder = decoderFor(this.encoding);
    const text = this.decoder.write(sample);
    if (text) this.push(text);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
    this.onBytes(chunk);
    if (this.decoder) {
      const text = this.decoder.write(chunk);
      if (text) this.push(text);
      return callback();
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= SNIFF_BYTES) this.start(false);
    callback();
  }

  override _flush(callback: TransformCallback) {
    if (!this.decoder) this.start(true);
    const text = this.decoder!.end();
    if (text) this.push(text);
    callback();
  }
}
