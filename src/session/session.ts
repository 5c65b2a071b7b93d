/**
 * The reconnect loop: the one place that owns time. It connects through the driver, watches the link,
 * writes events to the output with backpressure, and decides when to retry, how long to wait and when to give up.
 */
import { EvtailError, errorMessage } from '../errors.js';
import type { Clock, CloseOutcome, Connection, Driver, DriverHooks, HeartbeatSpec, TailEvent } from '../types.js';
import type { EndReason } from './end.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { TimerSet } from './timers.js';
import { Watchdog } from './watchdog.js';
import { RunLimits, type LimitOptions } from './limits.js';
import { ConnectionHealth } from './health.js';

/** Where events go. write() returning false means "full": the session pauses the socket until onDrain. */
export interface EventOutput {
  write(ev: TailEvent): boolean;
  /** A frame that did not decode (the raw printer keeps it). */
  undecodable(frame: string): boolean;
  onDrain(cb: () => void): void;
}

/**
 * What the session tells a person about (output/session-status.ts turns it into the status lines on stderr; the
 * library API into onStatus calls). Facts only: the words are the observer's.
 */
export type SessionStatus =
  /** An attempt starts (1 the first). */
  | { kind: 'connecting'; attempt: number }
  /** The socket is open (the protocol is not ready yet). */
  | { kind: 'open'; detail?: string }
  /** The link carries events. */
  | { kind: 'ready'; detail?: string }
  /** A frame that did not decode (`reason`: the decoder's word); the frame as received (not redacted). */
  | { kind: 'undecodable'; reason: string; frame: string }
  /** The output threw on an event (skipped, not counted). */
  | { kind: 'unprintable'; type: string; error: unknown }
  /** The watchdog found the link dead: it is terminated, and a reconnect follows. */
  | { kind: 'dead-link'; reason: string }
  /** The next attempt in `delayMs`. */
  | { kind: 'reconnecting'; delayMs: number; reason: string }
  /** A driver's own message (the protocol's words), at its level. */
  | { kind: 'driver'; level: 'status' | 'warn' | 'error' | 'debug'; message: string };

/** Lifecycle notifications, for the status lines, --meta, --stats, --record and --metrics. */
export interface SessionObserver {
  status?(e: SessionStatus): void;
  connected?(info: { attempt: number; at: number }): void;
  disconnected?(info: { reason: string; at: number }): void;
  reconnecting?(info: { reason: string; delayMs: number; attempt: number; at: number }): void;
  /** Every frame in and out (asked for only when an observer has this method: it costs on the hot path). */
  frame?(dir: 'in' | 'out', text: string, at: number, bytes?: Buffer): void;
  finished?(result: SessionResult): void;
}

export interface SessionOptions extends LimitOptions {
  driver: Driver;
  output: EventOutput;
  /** A secret learned while running (a session token), to redact from now on. */
  secret?(value: string): void;
  clock: Clock;
  reconnect: boolean;
  /** Reconnect attempts allowed without a healthy connection in between (Infinity: no limit). */
  maxRetries: number;
  /** Count attempts within this sliding window only. */
  retryWindowMs?: number;
  backoff?: BackoffOptions;
  /** Ready this long and proven alive (health.ts): the backoff and the retry budget start afresh. */
  healthyAfterMs?: number;
  /** Deadline for one attempt up to the protocol's ready (TCP, TLS, upgrade, login); a miss is a failed attempt. */
  connectTimeoutMs?: number;
  /** Keep only events that pass (after decoding, before counting). */
  filter?: (ev: TailEvent) => boolean;
  /**
   * The run's limits, shared by every stream of a run (run.ts makes one); or, for a session on its own, the
   * LimitOptions fields given here directly.
   */
  limits?: RunLimits;
  observers?: SessionObserver[];
}

/** How the session ended (src/exit.ts maps it to the exit code), and its figures. */
export interface SessionResult {
  end: EndReason;
  stats: SessionStats;
}

export interface SessionStats {
  eventsSeen: number;
  eventsPrinted: number;
  bytesIn: number;
  reconnects: number;
  connectedMs: number;
  gapMs: number;
  attempts: number;
}

/**
 * Where the session is: starting (run() not called), connecting (an attempt under way, not ready yet), ready (the
 * link carries events), waiting (between connections: the backoff, or the reader to drain before connecting),
 * finished. Backpressure is not a state: stdout may be full in any of them (then the socket, the watchdog and the
 * driver's timers are paused).
 */
export type SessionState = 'starting' | 'connecting' | 'ready' | 'waiting' | 'finished';

export class Session {
  private readonly opts: SessionOptions;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly watchdog: Watchdog;
  private readonly health: ConnectionHealth;
  private conn: Connection | undefined;
  private generation = 0;
  private state: SessionState = 'starting';
  private resolve!: (r: SessionResult) => void;
  private readonly done: Promise<SessionResult>;
  private failures: number[] = [];
  /** The timers the current connection's driver asked for. */
  private connTimers: TimerSet | undefined;
  /** The session's own: the wait before reconnecting. */
  private readonly timers: TimerSet;
  private everReady = false;
  private paused = false;
  private connectOnDrain = false;
  private readonly limits: RunLimits;
  /** The limits are this session's own (not a run's, shared): it stops their timers when it finishes. */
  private readonly ownLimits: boolean;
  private linkUpAt: number | undefined;
  private gapStart: number | undefined;
  readonly stats: SessionStats = { eventsSeen: 0, eventsPrinted: 0, bytesIn: 0, reconnects: 0, connectedMs: 0, gapMs: 0, attempts: 0 };

  private readonly observers: SessionObserver[];
  private readonly statusObservers: SessionObserver[];

  constructor(options: SessionOptions) {
    this.opts = options;
    this.observers = options.observers ?? [];
    this.statusObservers = this.observers.filter((o) => o.status);
    this.clock = options.clock;
    this.timers = new TimerSet(this.clock);
    this.backoff = new Backoff(options.backoff);
    this.ownLimits = options.limits === undefined;
    this.limits = options.limits ?? new RunLimits(this.clock, options);
    this.health = new ConnectionHealth({ ...options, onHealthy: () => ((this.failures = []), this.backoff.reset()) });
    this.watchdog = new Watchdog(this.clock, (reason) => this.linkDead(reason));
    this.done = new Promise((r) => (this.resolve = r));
  }

  run(): Promise<SessionResult> {
    this.limits.onEnd((end) => this.finish(end));
    this.limits.start();
    this.connect();
    return this.done;
  }

  /** Stop from outside (signal, EPIPE, the run's end). Idempotent. */
  stop(end: EndReason): void {
    this.finish(end);
  }

  get isFinished(): boolean {
    return this.state === 'finished';
  }

  get current(): SessionState {
    return this.state;
  }

  private connect(): void {
    if (this.state === 'finished') return;
    // stdout is still full from the last connection: a new one would only have to be paused at once (and a socket
    // cannot be paused while it connects). Connect when the reader has caught up.
    if (this.paused) {
      this.state = 'waiting';
      this.connectOnDrain = true;
      return;
    }
    const gen = ++this.generation;
    this.stats.attempts += 1;
    this.state = 'connecting';
    const timers = (this.connTimers = new TimerSet(this.clock));
    if (this.paused) timers.suspend();
    const live = () => gen === this.generation && this.state !== 'finished';
    const opts = this.opts;
    const frameObservers = this.observers.filter((o) => o.frame);
    const frames = frameObservers.length > 0;
    const hooks: DriverHooks = {
      open: (detail) => {
        if (!live()) return;
        this.say({ kind: 'open', detail });
      },
      ready: (detail) => {
        if (!live()) return;
        this.state = 'ready';
        this.everReady = true;
        const at = this.clock.now();
        this.linkUpAt = at;
        if (this.gapStart !== undefined) {
          this.stats.gapMs += at - this.gapStart;
          this.gapStart = undefined;
        }
        this.say({ kind: 'ready', detail });
        for (const o of this.observers) o.connected?.({ attempt: this.stats.attempts, at });
        this.health.ready(timers.set.bind(timers));
      },
      event: (ev) => {
        if (!live()) return;
        this.health.proof();
        this.onEvent(ev);
      },
      undecodable: (frame, reason) => {
        if (!live()) return;
        this.say({ kind: 'undecodable', reason, frame });
        if (!opts.output.undecodable(frame)) this.backpressure();
      },
      heartbeat: (spec: HeartbeatSpec) => {
        if (!live()) return;
        this.watchdog.arm(spec);
        if (this.paused) this.watchdog.suspend();
      },
      alive: () => {
        if (!live()) return;
        this.watchdog.feed();
        this.health.proof();
      },
      observesFrames: frames,
      frame: (dir, text, bytes) => {
        if (dir === 'in') this.stats.bytesIn += bytes ? bytes.length : text.length;
        if (!frames || !live()) return;
        const at = this.clock.now();
        for (const o of frameObservers) o.frame!(dir, text, at, bytes);
      },
      status: (message) => live() && this.say({ kind: 'driver', level: 'status', message }),
      warn: (message) => live() && this.say({ kind: 'driver', level: 'warn', message }),
      debug: (message) => live() && this.say({ kind: 'driver', level: 'debug', message }),
      error: (message) => live() && this.say({ kind: 'driver', level: 'error', message }),
      secret: (v) => opts.secret?.(v),
      timer: (ms, fn) => timers.set(ms, () => live() && fn()),
      closed: (outcome) => {
        timers.clear();
        if (gen !== this.generation) return;
        this.onClosed(outcome);
      },
    };
    this.say({ kind: 'connecting', attempt: this.stats.attempts });
    this.health.start(timers.set.bind(timers), (reason) => live() && this.conn?.terminate(reason));
    try {
      this.conn = opts.driver.connect(hooks);
    } catch (err) {
      // Connecting runs from timers too: whatever a driver throws ends the run through the normal exit path.
      if (err instanceof EvtailError) this.finish({ kind: 'fatal', error: err });
      else this.finish({ kind: 'internal', message: `internal error while connecting: ${errorMessage(err)}` });
    }
  }

  private onEvent(ev: TailEvent): void {
    const opts = this.opts;
    this.stats.eventsSeen += 1;
    this.limits.seen();
    if (opts.filter && !opts.filter(ev)) return;
    const untilHit = this.limits.matches(ev);
    let more: boolean;
    try {
      more = opts.output.write(ev);
    } catch (err) {
      return this.say({ kind: 'unprintable', type: ev.type, error: err });
    }
    this.stats.eventsPrinted += 1;
    if (this.limits.counted(untilHit)) return;
    if (!more) this.backpressure();
  }

  /** stdout is full: stop reading until it drains. The pause belongs to the session, not to one connection. */
  private backpressure(): void {
    if (this.paused || this.state === 'finished') return;
    this.paused = true;
    this.conn?.pause();
    this.watchdog.suspend();
    this.connTimers?.suspend();
    this.opts.output.onDrain(() => {
      if (!this.paused) return;
      this.paused = false;
      if (this.state === 'finished') return;
      this.watchdog.resume();
      this.connTimers?.resume();
      this.conn?.resume();
      if (this.connectOnDrain) {
        this.connectOnDrain = false;
        this.connect();
      }
    });
  }

  private linkDead(reason: string): void {
    if (this.state === 'finished' || !this.conn) return;
    const why = `dead link: ${reason}`;
    this.say({ kind: 'dead-link', reason });
    // The link notes it as a fact; the driver's classify says what it means (a refusal noted before still wins).
    this.conn.terminate(why);
  }

  private onClosed(outcome: CloseOutcome): void {
    this.watchdog.disarm();
    this.conn = undefined;
    if (this.state === 'finished') return;
    const wasReady = this.state === 'ready';
    this.state = 'waiting';
    const at = this.clock.now();
    if (this.linkUpAt !== undefined) {
      this.stats.connectedMs += at - this.linkUpAt;
      this.linkUpAt = undefined;
      this.gapStart = at;
    }
    for (const o of this.observers) o.disconnected?.({ reason: outcome.recovery === 'fatal' ? outcome.error.message : outcome.reason, at });
    if (outcome.recovery === 'fatal') {
      this.finish({ kind: 'fatal', error: outcome.error });
      return;
    }
    if (outcome.recovery === 'done') {
      this.finish({ kind: 'stream-ended', reason: outcome.reason });
      return;
    }
    this.retry(outcome, wasReady);
  }

  private retry(outcome: Extract<CloseOutcome, { recovery: 'retry' }>, wasReady: boolean): void {
    const opts = this.opts;
    const never = !this.everReady;
    if (!opts.reconnect) {
      this.finish({ kind: 'connection-lost', everReady: !never, reason: outcome.reason });
      return;
    }
    const now = this.clock.now();
    if (opts.retryWindowMs !== undefined) this.failures = this.failures.filter((t) => now - t < opts.retryWindowMs!);
    if (this.failures.length >= opts.maxRetries) {
      this.finish({ kind: 'gave-up', attempts: this.failures.length, windowMs: opts.retryWindowMs, reason: outcome.reason });
      return;
    }
    // A link that was ready and is asked to come back at once (e.g. a ping timeout) skips the wait, once.
    const immediate = outcome.immediate === true && wasReady && this.failures.length === 0;
    this.failures.push(now);
    const delay = immediate ? 0 : Math.max(outcome.delayMs ?? 0, this.backoff.next());
    this.stats.reconnects += 1;
    for (const o of this.observers) o.reconnecting?.({ reason: outcome.reason, delayMs: delay, attempt: this.stats.attempts + 1, at: now });
    this.say({ kind: 'reconnecting', delayMs: delay, reason: outcome.reason });
    this.timers.set(delay, () => this.connect());
  }

  private say(e: SessionStatus): void {
    for (const o of this.statusObservers) o.status!(e);
  }

  private finish(end: EndReason): void {
    if (this.state === 'finished') return;
    this.state = 'finished';
    if (this.ownLimits) this.limits.stop();
    this.timers.clear();
    this.watchdog.disarm();
    const at = this.clock.now();
    if (this.linkUpAt !== undefined) this.stats.connectedMs += at - this.linkUpAt;
    else if (this.gapStart !== undefined) this.stats.gapMs += at - this.gapStart;
    this.linkUpAt = this.gapStart = undefined;
    const conn = this.conn;
    this.conn = undefined;
    this.connTimers?.clear();
    conn?.close();
    this.opts.driver.dispose?.();
    const result: SessionResult = { end, stats: this.stats };
    for (const o of this.observers) o.finished?.(result);
    this.resolve(result);
  }
}
