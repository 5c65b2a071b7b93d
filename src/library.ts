/**
 * `import { tail } from 'evtail'`: the same core as the CLI (options parsed once, a driver, the session with its
 * reconnection, watchdog and retry budget) with an async iterator where stdout would be. The iterator's pace is
 * the socket's pace: while the consumer does not pull, the buffer fills, and the socket is paused until it does.
 */
import { readFile } from 'node:fs/promises';
import { commonOptions } from './config/common-options.js';
import { checkRequired, resolveOptions } from './config/resolve.js';
import { EvtailError, UsageError } from './errors.js';
import { outcome } from './exit.js';
import { statusObserver, type Reporter } from './output/session-status.js';
import { buildFilter, buildUntil } from './filter/index.js';
import { proxyAgentFactory } from './transport/proxy.js';
import { findProvider, providers } from './providers/registry.js';
import { Session, type EventOutput, type SessionResult } from './session/session.js';
import { defaultTransport } from './transport/ws-transport.js';
import { systemClock, type TailEvent } from './types.js';

export interface TailControl {
  /** Stops the tail: the iteration ends (no error) once the connection is closed. */
  signal?: AbortSignal;
  /** Status lines ("connecting", "ready: …", "reconnecting in 1.2s: …") and warnings, as the CLI prints them on stderr. */
  onStatus?(message: string, level: 'status' | 'warn' | 'error'): void;
  /** Events buffered before the socket is paused (default 16). */
  highWaterMark?: number;
}

/**
 * The options of `evtail <provider>` by their camelCase names (`token`, `clientId`, `maxEvents`, `timeout`,
 * `maxRetries`, `type`, `match`…): strings as on the command line ('30s', '16MiB'), or typed values (numbers of
 * milliseconds or bytes, booleans, arrays). Config files and EVTAIL_* variables are not read.
 */
export type TailOptions = Record<string, unknown>;

/** What a finished tail says: the exit code the CLI would have used, and why. */
export interface TailResult {
  code: number;
  reason: string;
}

export interface TailIterable extends AsyncIterable<TailEvent> {
  /** Settles when the tail is over: the result, or an EvtailError (with its exitCode) for a failure. */
  readonly done: Promise<TailResult>;
}

/**
 * Tail a provider as an async iterable of typed events. Ends normally when --max-events, --until, --duration, the
 * stream's own end or `signal` says so; throws an EvtailError carrying the CLI's exit code otherwise (3 auth
 * refused, 4 timeout, 5 gave up reconnecting, 6 idle, 2 bad options).
 */
export function tail(provider: string, options: TailOptions = {}, control: TailControl = {}): TailIterable {
  const queue = new EventQueue(control.highWaterMark ?? 16);
  const done = start(provider, options, control, queue).then(
    (r) => {
      queue.end();
      return r;
    },
    (err: unknown) => {
      queue.fail(err);
      throw err;
    },
  );
  // Whoever iterates sees the error; a caller that only iterates must not also get an unhandled rejection.
  done.catch(() => undefined);
  return {
    done,
    [Symbol.asyncIterator]: () => queue.iterator(),
  };
}

async function start(name: string, options: TailOptions, control: TailControl, queue: EventQueue): Promise<TailResult> {
  const spec = findProvider(name);
  if (!spec) throw new UsageError(`unknown provider "${name}"`, `one of: ${providers.map((p) => p.name).join(', ')}`);
  const resolved = resolveOptions({ provider: spec, common: commonOptions, cli: { ...options }, env: {}, config: undefined, allProviderSpecs: providers });
  checkRequired(spec, resolved.options);
  const common = resolved.common;
  const filter = buildFilter(common);
  const until = buildUntil(common);
  const module = await spec.load();
  const ca = common.ca ? await readFile(common.ca).catch((err: NodeJS.ErrnoException) => Promise.reject(new UsageError(`ca: cannot read ${common.ca} (${err.code ?? 'error'})`))) : undefined;
  const transport = { ...defaultTransport, maxPayload: common.maxFrameSize, ca, insecure: common.insecure, agentFor: await proxyAgentFactory(process.env, common.proxy) };
  const driver = module.createDriver({ ...module.parseOptions(resolved.options, common), transport, clock: systemClock });
  const say = control.onStatus ?? (() => undefined);
  const reporter: Reporter = {
    status: (m) => say(m, 'status'),
    ready: (m) => say(m, 'status'),
    warn: (m) => say(m, 'warn'),
    error: (m) => say(m, 'error'),
    debug: () => undefined,
    frame: () => undefined,
  };
  const session = new Session({
    driver,
    output: queue,
    observers: [statusObserver(reporter)],
    clock: systemClock,
    reconnect: common.reconnect,
    maxRetries: common.maxRetries,
    retryWindowMs: common.retryWindow,
    maxEvents: common.maxEvents,
    timeoutMs: common.timeout,
    durationMs: common.duration,
    idleTimeoutMs: common.idleTimeout,
    filter,
    until,
  });
  const abort = () => session.stop({ kind: 'stopped', by: 'caller' });
  const running = session.run();
  if (control.signal?.aborted) abort();
  control.signal?.addEventListener('abort', abort, { once: true });
  queue.onReturn(abort);
  let result: SessionResult;
  try {
    result = await running;
  } finally {
    control.signal?.removeEventListener('abort', abort);
  }
  const { code, reason, error } = outcome(result.end);
  if (code !== 0) throw error ?? new EvtailError(reason, code);
  return { code, reason };
}

/** The session's output, as a bounded queue an async iterator drains. */
class EventQueue implements EventOutput {
  private readonly buffer: TailEvent[] = [];
  private waiting: ((r: IteratorResult<TailEvent>) => void) | undefined;
  private rejectWaiting: ((err: unknown) => void) | undefined;
  private drainCb: (() => void) | undefined;
  private ended = false;
  private error: unknown;
  private stop: (() => void) | undefined;

  constructor(private readonly highWaterMark: number) {}

  write(ev: TailEvent): boolean {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = this.rejectWaiting = undefined;
      w({ value: ev, done: false });
      return true;
    }
    this.buffer.push(ev);
    return this.buffer.length < this.highWaterMark;
  }

  /** A frame that did not decode: reported through onStatus as a warning; nothing to iterate. */
  undecodable(): boolean {
    return true;
  }

  onDrain(cb: () => void): void {
    this.drainCb = cb;
    if (this.buffer.length < this.highWaterMark) this.drained();
  }

  onReturn(stop: () => void): void {
    this.stop = stop;
  }

  end(): void {
    this.ended = true;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = this.rejectWaiting = undefined;
  }

  fail(err: unknown): void {
    this.ended = true;
    this.error = err;
    this.rejectWaiting?.(err);
    this.waiting = this.rejectWaiting = undefined;
  }

  iterator(): AsyncIterator<TailEvent> {
    return {
      next: () => {
        const ev = this.buffer.shift();
        if (ev) {
          if (this.buffer.length < this.highWaterMark) this.drained();
          return Promise.resolve({ value: ev, done: false });
        }
        if (this.error !== undefined) return Promise.reject(this.error);
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiting = resolve;
          this.rejectWaiting = reject;
          this.drained();
        });
      },
      return: () => {
        // `break` out of for-await: stop the tail; what was buffered is dropped with the iterator.
        this.stop?.();
        this.buffer.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private drained(): void {
    const cb = this.drainCb;
    if (!cb) return;
    this.drainCb = undefined;
    queueMicrotask(cb);
  }
}
