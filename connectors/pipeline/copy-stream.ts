/**
 * The one COPY a load streams its rows into: rows are written as bytes into a piece, and a full piece
 * is handed to the database. {@link PipelinedSender} keeps several pieces in flight for a reader that
 * must not wait for each (the fast reading of power files).
 */
import type { CopyWriter } from './session.js';

/**
 * COPY data is handed to the database in pieces of about this many bytes. Small on purpose: rows
 * then die young (rows held across garbage collections get promoted; holding 10,000-row chunks more
 * than doubled CPU time and peak RSS).
 */
export const PIECE_BYTES = 64 * 1024;
/** A piece counts as full with less room than this left (a row of a text file rarely takes more). */
const PIECE_SLACK = 4096;
/** Pieces are written without waiting for them until this much is being sent, */
const SEND_WINDOW = 4 * 1024 * 1024;
/** and queued (while another statement runs, or beyond the window) until this much is queued. */
const QUEUE_LIMIT = 16 * 1024 * 1024;

/** A piece being filled and the COPY it goes to, opened when the first piece is sent. */
export class CopyStream {
  piece: Buffer = Buffer.allocUnsafeSlow(PIECE_BYTES);
  /** bytes of `piece` filled */
  bytes = 0;
  private writer: CopyWriter | null = null;

  /** `open` opens the COPY (and creates what it writes into, the first time). */
  constructor(private readonly open: () => Promise<CopyWriter>) {}

  /** Whether the piece should be sent before the next row. */
  get full(): boolean {
    return this.bytes >= PIECE_BYTES - PIECE_SLACK;
  }

  /** Makes room for `bytes` more bytes (the piece grows only for a row longer than the room left). */
  room(bytes: number): void {
    if (this.bytes + bytes <= this.piece.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.piece.length * 2, this.bytes + bytes));
    this.piece.copy(bigger, 0, 0, this.bytes);
    this.piece = bigger;
  }

  /** Appends `data` to the piece. */
  append(data: Uint8Array): void {
    this.room(data.length);
    this.piece.set(data, this.bytes);
    this.bytes += data.length;
  }

  /** The open COPY, opened when there is none. */
  async opened(): Promise<CopyWriter> {
    this.writer ??= await this.open();
    return this.writer;
  }

  /** Hands the piece's bytes to the COPY and waits for them to be taken (then the piece is free again). */
  async send(): Promise<void> {
    if (this.bytes === 0) return;
    const writer = await this.opened();
    const data = this.piece.subarray(0, this.bytes);
    this.bytes = 0;
    await writer.write(data);
  }

  /** Sends the piece and ends the COPY, so that another statement can run. */
  async end(): Promise<void> {
    await this.send();
    const writer = this.release();
    if (writer) await writer.end();
  }

  /** Gives up the open COPY (so that the statements after a failure do not wait behind it). */
  async abort(): Promise<void> {
    const writer = this.release();
    if (writer) await writer.abort();
  }

  /** The open COPY, handed to the caller to end; the next piece opens a new one. */
  release(): CopyWriter | null {
    const writer = this.writer;
    this.writer = null;
    return writer;
  }
}

/**
 * Full pieces written to a {@link CopyStream}'s COPY without waiting for each to be sent, oldest first:
 * up to {@link SEND_WINDOW} in flight, the rest queued, and queued while another statement runs on the
 * connection ({@link runBeside}). The reading then goes on while the database takes the rows (waiting,
 * it stood still for most of a second of every large load).
 */
export class PipelinedSender {
  private readonly queued: Buffer[] = [];
  private queuedBytes = 0;
  /** bytes written to the COPY that the socket has not taken yet */
  private sending = 0;
  /** the last write (writes are taken in order: when it is done, every one is) */
  private lastSend: Promise<void> = Promise.resolve();
  private error: unknown = null;
  /** pieces sent, to be filled again (not a new buffer each time, nor a copy) */
  private readonly spare: Buffer[] = [];
  /** the statement running beside the reading, if any */
  private beside: Promise<void> | null = null;

  constructor(private readonly stream: CopyStream) {}

  /** Whether a statement runs beside the reading (the connection is its). */
  get busy(): boolean {
    return this.beside !== null;
  }

  /** Whether nothing waits to be written. */
  get idle(): boolean {
    return this.beside === null && this.queued.length === 0;
  }

  /** Throws what failed in the background. */
  check(): void {
    if (this.error) throw this.error;
  }

  /** The stream's piece to the queue, and a fresh (or spare) one to fill; then writes what it may. */
  async queuePiece(): Promise<void> {
    const { stream } = this;
    this.queued.push(stream.piece.subarray(0, stream.bytes));
    this.queuedBytes += stream.bytes;
    stream.piece = this.spare.pop() ?? Buffer.allocUnsafeSlow(PIECE_BYTES);
    stream.bytes = 0;
    if (this.beside) {
      // A turn of the event loop for the database's answers: the file's next bytes are often
      // buffered already, and reading on would not give it one.
      await new Promise((resolve) => setImmediate(resolve));
    } else await this.pump();
    // the database behind by more than the queue may hold: wait for it
    if (this.queuedBytes > QUEUE_LIMIT) await this.drain();
  }

  /** Writes queued pieces while less than SEND_WINDOW is being sent (not while a statement runs beside). */
  private async pump(): Promise<void> {
    if (this.beside || this.queued.length === 0) return;
    const writer = await this.stream.opened();
    while (this.queued.length > 0 && this.sending < SEND_WINDOW) {
      const data = this.queued.shift()!;
      this.queuedBytes -= data.length;
      this.sending += data.length;
      this.lastSend = writer.write(data).then(
        () => {
          this.sending -= data.length;
          if (data.buffer.byteLength === PIECE_BYTES)
            this.spare.push(Buffer.from(data.buffer as ArrayBuffer, data.byteOffset, PIECE_BYTES));
        },
        (error) => void (this.error ??= error),
      );
    }
  }

  /** Every queued piece written and sent (the statement beside done first), before another statement or the end. */
  async drain(): Promise<void> {
    if (this.beside) await this.beside;
    this.check();
    for (;;) {
      await this.pump();
      await this.lastSend;
      this.check();
      if (this.queued.length === 0) return;
    }
  }

  /**
   * Ends the open COPY and runs `work` on the connection after the pieces written so far, without
   * waiting for it: the reading goes on, its pieces queued. Only when {@link idle}.
   */
  runBeside(work: () => Promise<void>): void {
    const open = this.stream.release();
    this.beside = (async () => {
      if (open) await open.end();
      await work();
    })().then(
      () => void (this.beside = null),
      (error) => {
        this.error ??= error;
        this.beside = null;
      },
    );
  }

  /** After a failure: waits for the statement beside (nothing of the load may run after it). */
  async settle(): Promise<void> {
    if (this.beside) await this.beside;
  }
}
