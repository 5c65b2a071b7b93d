/**
 * A set of timers on one clock, all cleared at once when their owner is done (nothing fires after clear()). The
 * session lends one per connection to its driver (protocol deadlines, pacing): suspended while stdout is full (the
 * socket is paused, so what they wait for cannot arrive) and resumed with what was left. The session's own
 * reconnect wait and the run's limits (--timeout, --duration, --idle-timeout) use one each, never suspended.
 */
import type { Clock, TimerHandle } from '../types.js';

interface Entry {
  fn: () => void;
  /** When it is due (running) or how much was left (suspended). */
  due: number;
  left: number;
  handle: unknown;
}

export class TimerSet {
  private readonly entries = new Set<Entry>();
  private suspended = false;
  private cleared = false;

  constructor(private readonly clock: Clock) {}

  set(ms: number, fn: () => void): TimerHandle {
    const e: Entry = { fn, due: this.clock.now() + ms, left: ms, handle: undefined };
    if (this.cleared) return { cancel: () => undefined };
    this.entries.add(e);
    if (!this.suspended) this.start(e, ms);
    return {
      cancel: () => {
        if (!this.entries.delete(e)) return;
        if (e.handle !== undefined) this.clock.clearTimeout(e.handle);
        e.handle = undefined;
      },
    };
  }

  suspend(): void {
    if (this.suspended) return;
    this.suspended = true;
    const now = this.clock.now();
    for (const e of this.entries) {
      if (e.handle !== undefined) this.clock.clearTimeout(e.handle);
      e.handle = undefined;
      e.left = Math.max(0, e.due - now);
    }
  }

  resume(): void {
    if (!this.suspended) return;
    this.suspended = false;
    for (const e of this.entries) this.start(e, e.left);
  }

  /** The connection is over: nothing it asked for fires any more. */
  clear(): void {
    this.cleared = true;
    for (const e of this.entries) if (e.handle !== undefined) this.clock.clearTimeout(e.handle);
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private start(e: Entry, ms: number): void {
    e.due = this.clock.now() + ms;
    e.handle = this.clock.setTimeout(() => {
      e.handle = undefined;
      if (!this.entries.delete(e)) return;
      e.fn();
    }, ms);
  }
}
