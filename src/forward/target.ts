/**
 * One --forward-to target: a queue of events POSTed with at most `concurrency` requests in flight (1: the handler
 * sees them in stream order, each one's retries before the next). Connection errors, timeouts, 408, 429 and 5xx are
 * retried with exponential backoff and full jitter (at least Retry-After); other answers are final.
 */
import type { TailEvent } from '../types.js';
import { Backoff } from '../session/backoff.js';
import { formatDuration } from '../format.js';
import type { Poster, PostResult } from './http.js';
import { signatureHeader } from './signature.js';
import { LatencySample } from './latency.js';
import type { ForwardStats } from '../output/stats.js';

/**
 * What a target keeps of an event while it waits: the names its headers and messages need, and its line. Not the
 * event itself: its parsed payload and frame text would stay alive (and be promoted by the GC) for as long as the
 * event is queued. `key` is the event, kept only when a printer wants each event's answers.
 */
export interface Item {
  ev: Pick<TailEvent, 'type' | 'id' | 'provider' | 'source'>;
  line: string;
  key?: TailEvent;
}

/** What happened to one event at one target, for the line at a terminal: "→ 200 in 12ms". */
export interface Note {
  text: string;
  final: boolean;
}

export interface TargetHooks {
  note(item: Item, target: ForwardTarget, note: Note): void;
  /** Finally not delivered: report it and keep it (dead letter). */
  failed(item: Item, target: ForwardTarget, reason: string, attempts: number): void;
  /** A request went out (for --verbose). */
  debug?(message: string): void;
  /** The queue went below its high-water mark, or emptied. */
  settled(): void;
}

export interface TargetOptions {
  url: string;
  /** The URL as shown in messages (credentials redacted). */
  shown: string;
  headers: Record<string, string>;
  secret?: string;
  concurrency: number;
  timeoutMs: number;
  retries: number;
  userAgent: string;
  backoff?: { baseMs?: number; capMs?: number; random?: () => number };
  /**
   * Events held per target (queued + in flight) before write() asks to pause; default 100, or 2 × concurrency.
   * Enough to keep the requests going while the socket resumes; more only holds memory (measured on a 20,000-event
   * flood: peak RSS ~140 MB at 1000, ~120 MB at 100).
   */
  highWater?: number;
}


export class ForwardTarget {
  private readonly queue: Item[] = [];
  private head = 0;
  private active = 0;
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborts = new Set<() => void>();
  private readonly inFlight = new Set<Item>();
  readonly highWater: number;
  private delivered = 0;
  private retried = 0;
  private failedCount = 0;
  private readonly latency = new LatencySample();

  constructor(
    readonly o: TargetOptions,
    private readonly poster: Poster,
    private readonly hooks: TargetHooks,
  ) {
    this.highWater = o.highWater ?? Math.max(100, 2 * o.concurrency);
  }

  get name(): string {
    return this.o.shown;
  }

  /** Events accepted and not yet settled. */
  get load(): number {
    return this.queue.length - this.head + this.active;
  }

  get hasRoom(): boolean {
    return this.load < this.highWater;
  }

  push(item: Item): void {
    if (this.closed) {
      this.fail(item, 'the run was ending', 0);
      return;
    }
    this.queue.push(item);
    this.pump();
  }

  stats(): ForwardStats {
    return { target: this.o.shown, delivered: this.delivered, retried: this.retried, failed: this.failedCount, p50Ms: this.latency.quantile(0.5), p99Ms: this.latency.quantile(0.99) };
  }

  get failures(): number {
    return this.failedCount;
  }

  /** Stop: every event not delivered yet is failed (and so kept as a dead letter). */
  abandon(reason: string): number {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const abort of [...this.aborts]) abort();
    const left = this.queue.slice(this.head);
    this.queue.length = 0;
    this.head = 0;
    const inFlight = [...this.inFlight];
    this.inFlight.clear();
    for (const item of [...inFlight, ...left]) {
      this.hooks.note(item, this, { text: `→ not delivered (${reason})`, final: true });
      this.fail(item, reason, 0);
    }
    return inFlight.length + left.length;
  }

  private pump(): void {
    while (!this.closed && this.active < this.o.concurrency && this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      this.queue[this.head] = undefined as unknown as Item;
      this.head += 1;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.active += 1;
      this.inFlight.add(item);
      void this.deliver(item).finally(() => {
        this.active -= 1;
        this.inFlight.delete(item);
        this.pump();
        this.hooks.settled();
      });
    }
  }

  private async deliver(item: Item): Promise<void> {
    const { o } = this;
    let backoff: Backoff | undefined;
    for (let attempt = 1; ; attempt++) {
      const headers = this.headersFor(item, attempt);
      const result = await this.poster.post(o.url, headers, item.line, o.timeoutMs);
      if (!this.inFlight.has(item)) return; // abandoned while the request was out
      const verdict = judge(result);
      if (verdict === 'delivered') {
        this.delivered += 1;
        this.latency.add(result.ms);
        const after = attempt > 1 ? ` after ${attempt - 1} ${attempt === 2 ? 'retry' : 'retries'}` : '';
        this.hooks.note(item, this, { text: `→ ${(result as { status: number }).status} in ${formatDuration(result.ms, 1)}${after}`, final: true });
        return;
      }
      const what = describe(result);
      const retriesLeft = o.retries - (attempt - 1);
      if (verdict === 'final' || retriesLeft <= 0) {
        const why = verdict === 'final' ? `${what}, not retried` : `${what}, gave up after ${attempt - 1} ${attempt === 2 ? 'retry' : 'retries'}`;
        this.hooks.note(item, this, { text: `→ ${why}`, final: true });
        this.fail(item, why + detail(result), attempt);
        return;
      }
      backoff ??= new Backoff({ baseMs: o.backoff?.baseMs ?? 500, capMs: o.backoff?.capMs ?? 30_000, random: o.backoff?.random });
      const wait = Math.max(backoff.next(), result.kind === 'response' ? result.retryAfterMs ?? 0 : 0);
      this.retried += 1;
      this.hooks.note(item, this, { text: `→ ${what}, retry ${attempt} in ${formatDuration(wait, 1)}`, final: false });
      this.hooks.debug?.(`--forward-to ${o.shown}: ${item.ev.type}: ${what}; retry ${attempt} of ${o.retries} in ${formatDuration(wait, 1)}`);
      if (!(await this.sleep(wait))) return;
    }
  }

  private headersFor(item: Item, attempt: number): Record<string, string> {
    const { ev, line } = item;
    const h: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': this.o.userAgent,
      'evtail-event-type': headerSafe(ev.type),
      'evtail-provider': headerSafe(ev.provider),
      'evtail-attempt': String(attempt),
      ...this.o.headers,
    };
    if (ev.id !== undefined) h['evtail-event-id'] = headerSafe(ev.id);
    const { source } = ev;
    if (typeof source === 'string') h['evtail-source'] = headerSafe(source);
    if (this.o.secret) h['evtail-signature'] = signatureHeader(this.o.secret, line, Math.floor(Date.now() / 1000));
    return h;
  }

  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const abort = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        this.aborts.delete(abort);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.aborts.delete(abort);
        resolve(true);
      }, ms);
      this.timers.add(timer);
      this.aborts.add(abort);
    });
  }

  private fail(item: Item, reason: string, attempts: number): void {
    this.failedCount += 1;
    this.hooks.failed(item, this, reason, attempts);
  }
}

function judge(r: PostResult): 'delivered' | 'retry' | 'final' {
  if (r.kind === 'error') return r.tls ? 'final' : 'retry';
  if (r.status >= 200 && r.status < 300) return 'delivered';
  if (r.status === 408 || r.status === 429 || r.status >= 500) return 'retry';
  return 'final';
}

function describe(r: PostResult): string {
  if (r.kind === 'error') return r.timeout ? 'timeout' : r.reason.split(' ')[0]!;
  return String(r.status);
}

/** More about a failure, for stderr: the status text and the start of the answer, or the error. */
function detail(r: PostResult): string {
  if (r.kind === 'error') return r.timeout ? ` (${r.reason})` : r.reason.includes(' ') ? ` ${r.reason.slice(r.reason.indexOf(' ') + 1)}` : '';
  const body = r.body.replace(/\s+/g, ' ').trim();
  return `${r.statusText ? ` (${r.statusText})` : ''}${body ? `: ${body.length > 200 ? body.slice(0, 199) + '…' : body}` : ''}`;
}

/** Header values are Latin-1 without control characters: anything else is percent-encoded (a hostile type or id). */
export function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}
