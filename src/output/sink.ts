/**
 * stdout with backpressure: write() says when the pipe is full, onDrain() says when to go on,
 * drain() waits (bounded) for everything written to leave and counts the lines that did not, and EPIPE (`| head -1`)
 * is reported once, quietly.
 *
 * With `coalesce`, the lines written in one tick (one socket read carries dozens of events) are encoded one after
 * the other into a shared buffer and handed to the stream as one chunk at the end of the tick: one write (one
 * syscall) instead of one per event, and no Buffer per line. A line waits at most until the end of the current
 * tick; backpressure is unchanged (past COALESCE_LIMIT bytes the chunk goes to the stream at once, and write()
 * answers with the stream's own state).
 */
import type { OutStream } from '../io.js';

export interface SinkOptions {
  /** Join the lines written in one tick into one write. */
  coalesce?: boolean;
}

/** Bytes held back at most before they go to the stream without waiting for the end of the tick. */
const COALESCE_LIMIT = 64 * 1024;
/**
 * Lines are encoded into slices of one pool buffer; a slice handed to the stream is never written again, and a
 * new pool is taken when the rest is too small. A line that cannot fit a pool (3 bytes per UTF-16 unit at most)
 * is written as it is.
 */
const POOL_BYTES = 256 * 1024;

export class Sink {
  private drainWaiters: (() => void)[] = [];
  private broken = false;
  private onBrokenPipe: ((error?: Error) => void) | undefined;
  private readonly coalesce: boolean;
  private pool: Buffer | undefined;
  /** The held-back bytes are pool[start, end). */
  private start = 0;
  private end = 0;
  private scheduled = false;
  /** Lines held back in the pool, and lines handed to the stream whose write has not completed. */
  private heldLines = 0;
  private inFlight = 0;

  constructor(
    private readonly stream: OutStream,
    options: SinkOptions = {},
  ) {
    this.coalesce = options.coalesce === true;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (this.broken) return;
      this.broken = true;
      this.pool = undefined;
      this.start = this.end = 0;
      // EPIPE: the reader went away (`| head -1`), a clean end. Anything else (a full disk) is reported.
      const reason = err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED' ? undefined : err;
      this.onBrokenPipe?.(reason);
      this.releaseWaiters();
    });
    stream.on('drain', () => this.releaseWaiters());
  }

  /** Called once when stdout can take no more: the reader went away (no error), or writing failed (the error). */
  whenBroken(cb: (error?: Error) => void): void {
    this.onBrokenPipe = cb;
  }

  write(text: string): boolean {
    if (this.broken) return true;
    if (!this.coalesce) return this.handOver(text, 1);
    const room = text.length * 3;
    if (this.pool === undefined || this.end + room > this.pool.length) {
      this.writePending();
      if (room > POOL_BYTES) return this.handOver(text, 1);
      this.pool = Buffer.allocUnsafe(POOL_BYTES);
      this.start = this.end = 0;
    }
    this.end += this.pool.write(text, this.end);
    return this.held();
  }

  /** One more line is in the pool: hand the pool over past the limit, else at the end of the tick. */
  private held(): boolean {
    this.heldLines += 1;
    if (this.end - this.start >= COALESCE_LIMIT) return this.writePending();
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.endOfTick);
    }
    return !this.stream.writableNeedDrain;
  }

  /**
   * One line made of text, bytes (UTF-8, copied as they are) and text: an envelope around a payload's own bytes.
   * The same as write(head + bytes decoded + tail), without decoding and encoding the bytes.
   */
  writeAround(head: string, bytes: Buffer, tail: string): boolean {
    if (this.broken) return true;
    const room = (head.length + tail.length) * 3 + bytes.length;
    if (!this.coalesce || room > POOL_BYTES) {
      if (this.coalesce) this.writePending();
      return this.handOver(Buffer.concat([Buffer.from(head), bytes, Buffer.from(tail)]), 1);
    }
    if (this.pool === undefined || this.end + room > this.pool.length) {
      this.writePending();
      this.pool = Buffer.allocUnsafe(POOL_BYTES);
      this.start = this.end = 0;
    }
    this.end += this.pool.write(head, this.end);
    this.end += bytes.copy(this.pool, this.end);
    this.end += this.pool.write(tail, this.end);
    return this.held();
  }

  onDrain(cb: () => void): void {
    if (this.broken || !this.stream.writableNeedDrain) {
      queueMicrotask(cb);
      return;
    }
    this.drainWaiters.push(cb);
  }

  /** Lines accepted that have not reached the OS yet (0 once the reader is gone: it chose not to read them). */
  get undelivered(): number {
    return this.broken ? 0 : this.heldLines + this.inFlight;
  }

  /**
   * Resolves when everything written so far has been handed to the OS, the reader is gone, or `deadlineMs`
   * (wall clock; Infinity: no bound) passed, with the number of lines not delivered. A reader that never reads
   * must not hold a finished run forever.
   */
  drain(deadlineMs = Infinity): Promise<{ undelivered: number }> {
    this.writePending();
    if (this.broken || this.undelivered === 0) return Promise.resolve({ undelivered: 0 });
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        this.stream.off('error', done);
        resolve({ undelivered: this.undelivered });
      };
      if (Number.isFinite(deadlineMs)) timer = setTimeout(done, Math.max(0, deadlineMs - Date.now()));
      try {
        this.stream.write('', done);
      } catch {
        done();
      }
      this.stream.once('error', done);
    });
  }

  private readonly endOfTick = (): void => {
    this.scheduled = false;
    this.writePending();
  };

  /** Hand the held-back bytes to the stream; returns the stream's answer (false: full, wait for drain). */
  private writePending(): boolean {
    if (this.end === this.start || this.broken || this.pool === undefined) return !this.stream.writableNeedDrain;
    const chunk = this.pool.subarray(this.start, this.end);
    this.start = this.end;
    const lines = this.heldLines;
    this.heldLines = 0;
    return this.handOver(chunk, lines);
  }

  /** One write to the stream, counted until it completes (one callback per chunk, not per line). */
  private handOver(chunk: string | Buffer, lines: number): boolean {
    this.inFlight += lines;
    return this.stream.write(chunk, () => {
      this.inFlight -= lines;
    });
  }

  private releaseWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
