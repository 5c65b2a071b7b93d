/**
 * stdout with backpressure: write() says when the pipe is full, onDrain() says when to go on,
 * flush() waits for everything written to leave, and EPIPE (`| head -1`) is reported once, quietly.
 *
 * With `coalesce`, the lines written in one tick (one socket read carries dozens of events) are encoded one after
 * the other into a shared buffer and handed to the stream as one chunk at the end of the tick: one write (one
 * syscall) instead of one per event, and no Buffer per line. A line waits at most until the end of the current
 * tick; backpressure is unchanged (past COALESCE_LIMIT bytes the chunk goes to the stream at once, and write()
 * answers with the stream's own state).
 */
import type { Writable } from 'node:stream';

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

  constructor(
    private readonly stream: Writable & { writableNeedDrain?: boolean },
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
    if (!this.coalesce) return this.stream.write(text);
    const room = text.length * 3;
    if (this.pool === undefined || this.end + room > this.pool.length) {
      this.writePending();
      if (room > POOL_BYTES) return this.stream.write(text);
      this.pool = Buffer.allocUnsafe(POOL_BYTES);
      this.start = this.end = 0;
    }
    this.end += this.pool.write(text, this.end);
    if (this.end - this.start >= COALESCE_LIMIT) return this.writePending();
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.endOfTick);
    }
    return !this.stream.writableNeedDrain;
  }

  onDrain(cb: () => void): void {
    if (this.broken || !this.stream.writableNeedDrain) {
      queueMicrotask(cb);
      return;
    }
    this.drainWaiters.push(cb);
  }

  /** Resolves when everything written so far has been handed to the OS (or the reader is gone). */
  flush(): Promise<void> {
    this.writePending();
    if (this.broken) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => resolve();
      try {
        this.stream.write('', done);
      } catch {
        resolve();
      }
      // A reader that never reads must not hold a finished run forever.
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
    return this.stream.write(chunk);
  }

  private releaseWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
