/**
 * stdout with backpressure: write() says when the pipe is full, onDrain() says when to go on,
 * flush() waits for everything written to leave, and EPIPE (`| head -1`) is reported once, quietly.
 */
import type { Writable } from 'node:stream';

export class Sink {
  private drainWaiters: (() => void)[] = [];
  private broken = false;
  private onBrokenPipe: (() => void) | undefined;

  constructor(private readonly stream: Writable & { writableNeedDrain?: boolean }) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
        this.broken = true;
        this.onBrokenPipe?.();
        this.releaseWaiters();
        return;
      }
      throw err;
    });
    stream.on('drain', () => this.releaseWaiters());
  }

  /** Called once when the reader goes away. */
  whenBroken(cb: () => void): void {
    this.onBrokenPipe = cb;
  }

  get isBroken(): boolean {
    return this.broken;
  }

  write(text: string): boolean {
    if (this.broken) return true;
    return this.stream.write(text);
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

  private releaseWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
