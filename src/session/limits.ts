/**
 * The run-wide limits: -n, --until, --timeout, --duration and --idle-timeout. One object per run, shared by every
 * stream's session (one stream or several): an event seen keeps --idle-timeout quiet, an event printed counts for
 * -n and --until, and the first limit reached ends the run through the onEnd callbacks.
 */
import { ExitCode, IdleError, TimeoutError, type EvtailError, type ExitCodeValue } from '../errors.js';
import { formatDuration } from '../format.js';
import type { Clock, TailEvent } from '../types.js';

export interface LimitOptions {
  maxEvents?: number;
  timeoutMs?: number;
  /** --duration: watch for this long, then exit 0. */
  durationMs?: number;
  /** Exit 6 when no event arrived for this long. */
  idleTimeoutMs?: number;
  /** Stop with exit 0 after printing the first event that passes. */
  until?: (ev: TailEvent) => boolean;
  /** Said after "no event arrived" when several streams share the limits: " on any stream". */
  scope?: string;
}

type End = (code: ExitCodeValue, reason: string, error?: EvtailError) => void;

export class RunLimits {
  private printed = 0;
  private lastSeenAt = 0;
  private started = false;
  private ended = false;
  private readonly timers = new Set<unknown>();
  private readonly ends: End[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly o: LimitOptions,
  ) {}

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
      this.later(timeoutMs, () => this.end(ExitCode.timeout, `timeout: ${timeoutMs} ms passed`, new TimeoutError(`timed out after ${formatDuration(timeoutMs)}${maxEvents ? ` with ${this.printed} of ${maxEvents} events` : ''}`)));
    }
    if (durationMs !== undefined) this.later(durationMs, () => this.end(ExitCode.ok, `--duration: watched for ${formatDuration(durationMs)}`));
    if (idleTimeoutMs !== undefined) {
      this.lastSeenAt = this.clock.now();
      // Per event only the time is noted; the one timer re-arms itself for what is left.
      const check = () => {
        const quiet = this.clock.now() - this.lastSeenAt;
        if (quiet < idleTimeoutMs) this.later(idleTimeoutMs - quiet, check);
        else this.end(ExitCode.idle, `idle: no event for ${idleTimeoutMs} ms`, new IdleError(`no event arrived${this.o.scope ?? ''} for ${formatDuration(idleTimeoutMs)} (--idle-timeout)`));
      };
      this.later(idleTimeoutMs, check);
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
    if (untilHit) this.end(ExitCode.ok, 'the --until condition matched');
    else if (this.o.maxEvents !== undefined && this.printed >= this.o.maxEvents) this.end(ExitCode.ok, `${this.o.maxEvents} events received`);
    return this.ended;
  }

  stop(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private end(code: ExitCodeValue, reason: string, error?: EvtailError): void {
    if (this.ended) return;
    this.ended = true;
    this.stop();
    for (const fn of this.ends) fn(code, reason, error);
  }

  private later(ms: number, fn: () => void): void {
    const handle: unknown = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      fn();
    }, ms);
    this.timers.add(handle);
  }
}
