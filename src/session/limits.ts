/**
 * The run-wide limits: -n, --until, --timeout, --duration and --idle-timeout. One object per run, shared by every
 * stream's session (one stream or several): an event seen keeps --idle-timeout quiet, an event printed counts for
 * -n and --until, and the first limit reached ends the run through the onEnd callbacks.
 */
import type { Clock, TailEvent } from '../types.js';
import type { EndReason } from './end.js';
import { TimerSet } from './timers.js';

export interface LimitOptions {
  maxEvents?: number;
  timeoutMs?: number;
  /** --duration: watch for this long, then end (`duration`, a success). */
  durationMs?: number;
  /** End (`idle`) when no event arrived for this long. */
  idleTimeoutMs?: number;
  /** End (`until`, a success) after printing the first event that passes. */
  until?: (ev: TailEvent) => boolean;
  /** Said after "no event arrived" when several streams share the limits: " on any stream". */
  scope?: string;
}

type End = (end: EndReason) => void;

export class RunLimits {
  private printed = 0;
  private lastSeenAt = 0;
  private started = false;
  private ended = false;
  private readonly ends: End[] = [];
  private readonly timers: TimerSet;

  constructor(
    private readonly clock: Clock,
    private readonly o: LimitOptions,
  ) {
    this.timers = new TimerSet(clock);
  }

  /** Called once, when a limit ends the run (in the order registered). */
  onEnd(fn: End): void {
    this.ends.push(fn);
  }

  /** Arm --timeout, --duration and --idle-timeout (once, however many sessions start). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const { timeoutMs, durationMs, idleTimeoutMs, maxEvents } = this.o;
    if (timeoutMs !== undefined) {
      this.timers.set(timeoutMs, () => this.end({ kind: 'timeout', ms: timeoutMs, printed: this.printed, maxEvents }));
    }
    if (durationMs !== undefined) this.timers.set(durationMs, () => this.end({ kind: 'duration', ms: durationMs }));
    if (idleTimeoutMs !== undefined) {
      this.lastSeenAt = this.clock.now();
      // Per event only the time is noted; the one timer re-arms itself for what is left.
      const check = () => {
        const quiet = this.clock.now() - this.lastSeenAt;
        if (quiet < idleTimeoutMs) this.timers.set(idleTimeoutMs - quiet, check);
        else this.end({ kind: 'idle', ms: idleTimeoutMs, scope: this.o.scope ?? '' });
      };
      this.timers.set(idleTimeoutMs, check);
    }
  }

  /** An event arrived (before the filters). */
  seen(): void {
    if (this.o.idleTimeoutMs !== undefined) this.lastSeenAt = this.clock.now();
  }

  /** Whether this event, about to be printed, is the one --until waits for (asked before it is written). */
  matches(ev: TailEvent): boolean {
    return this.o.until ? this.o.until(ev) : false;
  }

  /** An event was printed; true when that ended the run (--until matched, or -n reached). */
  counted(untilHit: boolean): boolean {
    this.printed += 1;
    if (untilHit) this.end({ kind: 'until' });
    else if (this.o.maxEvents !== undefined && this.printed >= this.o.maxEvents) this.end({ kind: 'max-events', count: this.o.maxEvents });
    return this.ended;
  }

  stop(): void {
    this.timers.clear();
  }

  private end(end: EndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.stop();
    for (const fn of this.ends) fn(end);
  }
}
