/**
 * --publish: an EventSink that publishes each event's NDJSON envelope to NATS JetStream and counts it delivered only
 * when the server's PubAck says it is stored.
 *
 * - Order: events are sent in order on one connection, up to WINDOW unacknowledged at a time (the server stores
 *   them in that order). After a failure every unacknowledged event is sent again, in order, from the oldest.
 * - Duplicates: each message carries a Nats-Msg-Id from the event's identity (nats-target.ts), so a resend, or the
 *   same event from a second evtail on another machine, is stored once within the stream's duplicate window.
 * - Backpressure: write() answers false once the unacknowledged events hold --publish-buffer bytes; the session
 *   then pauses the socket until acknowledgements free room (onDrain).
 * - Outages: a server that is down or restarting is retried with backoff (the client's reconnect, paced by our
 *   Backoff) while the socket stays paused; stderr says when it starts and when it is over.
 * - Auth: refused credentials are an AuthError (exit 3): at start from open(), later through onFatal().
 */
import { connect, type ConnectionOptions, type JetStreamClient, type NatsConnection, type PubAck } from 'nats';
import { errorMessage, type EvtailError } from '../errors.js';
import { Backoff } from '../session/backoff.js';
import { formatDuration } from '../format.js';
import type { EventSink } from '../output/fanout.js';
import type { PublishStats } from '../output/stats.js';

export type { PublishStats };
import type { TailEvent } from '../types.js';
import { AUTH_CODES, classifyConnectError, connectionOptions, describe } from './nats-connect.js';
import { messageId, sourceOf, subjectFor, type NatsTarget } from './nats-target.js';

export interface PublishReporter {
  status(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PublisherOptions {
  target: NatsTarget;
  /** {source} for events without one: the profile name, else the provider. */
  defaultSource: string;
  /** --publish-buffer: bytes of unacknowledged events held before write() answers "full". */
  bufferBytes: number;
  /** --publish-creds: a NATS .creds file (JWT + nkey seed). */
  credsFile?: string;
  /** Where a relative credsFile starts. */
  cwd?: string;
  /** --publish-token. */
  token?: string;
  /** TLS as for the stream: --ca, --insecure. */
  ca?: string | Buffer;
  insecure?: boolean;
  reporter: PublishReporter;
  /** Unacknowledged publishes in flight at most (default 256). */
  window?: number;
  /** How long to wait for one PubAck (default 5 s). */
  ackTimeoutMs?: number;
  /** First-connect timeout (default 5 s). */
  connectTimeoutMs?: number;
  backoff?: Backoff;
  /** During an unbounded drain (the run ended by itself), give up after the server has failed this long (default 30 s). */
  giveUpAfterMs?: number;
}

interface Entry {
  subject: string;
  data: Uint8Array;
  msgId: string;
  acked: boolean;
}

const encoder = new TextEncoder();

export class NatsPublisher implements EventSink {
  readonly name: string;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private connected = false;
  private closing = false;
  private readonly items: Entry[] = [];
  /** items[head] is the oldest unacknowledged event; items[next] the next to send. */
  private head = 0;
  private next = 0;
  private inflight = 0;
  /** Bumped at each failure: answers to sends of an older generation no longer count against the window. */
  private gen = 0;
  private bytes = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private outageSince: number | undefined;
  private lastOutageNote = 0;
  private drainWaiters: (() => void)[] = [];
  private settledWaiters: (() => void)[] = [];
  private fatalCb: ((err: EvtailError) => void) | undefined;
  private fatal: EvtailError | undefined;
  private givenUp = 0;
  private drainDeadline = Infinity;
  private draining: Promise<{ undelivered: number }> | undefined;
  private readonly stats: PublishStats = { published: 0, duplicates: 0, resent: 0, outages: 0, outageMs: 0, failed: 0, pending: 0 };
  private readonly subjectOf: (ev: TailEvent) => string;
  private readonly window: number;
  private readonly ackTimeoutMs: number;
  private readonly backoff: Backoff;

  private constructor(private readonly opts: PublisherOptions) {
    this.name = `--publish ${opts.target.shown}`;
    this.subjectOf = subjectFor(opts.target.subject, { defaultSource: opts.defaultSource });
    this.window = opts.window ?? 256;
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 5000;
    this.backoff = opts.backoff ?? new Backoff({ baseMs: 250, capMs: 10_000 });
  }

  /**
   * Connect once before the tail starts: refused credentials are exit 3 before any event is read. A server that
   * cannot be reached is not fatal: it is retried in the background while the socket stays paused.
   */
  static async open(opts: PublisherOptions): Promise<NatsPublisher> {
    const p = new NatsPublisher(opts);
    const options = await p.connectOptions();
    try {
      p.attach(await connect({ ...options, timeout: opts.connectTimeoutMs ?? 5000 }));
    } catch (err) {
      const mapped = p.classify(err);
      if (mapped) throw mapped;
      p.noteOutage(`cannot reach ${opts.target.server} (${describe(err)})`);
      p.reconnectLater(options);
    }
    return p;
  }

  /** A fatal error after start (credentials refused on reconnect): the run should stop with its code. */
  onFatal(cb: (err: EvtailError) => void): void {
    this.fatalCb = cb;
    if (this.fatal) cb(this.fatal);
  }

  write(ev: TailEvent, line: string): boolean {
    if (this.closing || this.fatal) {
      this.stats.failed += 1;
      return true;
    }
    const data = encoder.encode(line);
    this.items.push({ subject: this.subjectOf(ev), data, msgId: messageId(ev, line, sourceOf(ev, { defaultSource: this.opts.defaultSource })), acked: false });
    this.bytes += data.length;
    this.pump();
    return this.bytes < this.opts.bufferBytes;
  }

  onDrain(cb: () => void): void {
    if (this.bytes < this.opts.bufferBytes || this.closing) queueMicrotask(cb);
    else this.drainWaiters.push(cb);
  }

  /**
   * Wait until every accepted event is acknowledged, or the deadline (wall clock). Infinity: until the server has
   * failed for --publish-timeout. Called again with an earlier deadline (a second signal), the same wait ends sooner.
   */
  drain(deadlineMs: number): Promise<{ undelivered: number }> {
    this.drainDeadline = Math.min(this.drainDeadline, deadlineMs);
    this.settle();
    return (this.draining ??= this.drainLoop());
  }

  private async drainLoop(): Promise<{ undelivered: number }> {
    const giveUpAfter = this.opts.giveUpAfterMs ?? 30_000;
    const started = Date.now();
    while (this.head < this.items.length && !this.fatal && !this.closing) {
      const now = Date.now();
      const deadline = this.drainDeadline;
      if (now >= deadline) break;
      if (deadline === Infinity && this.outageSince !== undefined && now - Math.max(this.outageSince, started) >= giveUpAfter) break;
      const wait = Math.min(deadline - now, 250);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, wait);
        this.settledWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const undelivered = this.items.length - this.head;
    this.givenUp = undelivered;
    return { undelivered };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.settle();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.releaseDrainWaiters();
    const nc = this.nc;
    this.nc = undefined;
    await nc?.close().catch(() => undefined);
  }

  /** Events finally not published: those given up at drain, those refused for good, those after a fatal error. */
  failures(): number {
    return this.stats.failed + this.givenUp;
  }

  snapshot(): PublishStats {
    return { ...this.stats, pending: this.items.length - this.head };
  }

  // --- connection ---

  private connectOptions(): Promise<ConnectionOptions> {
    return connectionOptions(this.opts);
  }

  private classify(err: unknown): EvtailError | undefined {
    return classifyConnectError(err, this.opts.target.shown);
  }

  private reconnectLater(options: ConnectionOptions): void {
    if (this.closing) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closing) return;
      connect({ ...options, timeout: this.opts.connectTimeoutMs ?? 5000 }).then(
        (nc) => (this.closing ? void nc.close() : this.attach(nc)),
        (err) => {
          const fatal = this.classify(err);
          if (fatal) return this.fail(fatal);
          this.noteOutage(`cannot reach ${this.opts.target.server} (${describe(err)})`);
          this.reconnectLater(options);
        },
      );
    }, this.backoff.next());
  }

  private attach(nc: NatsConnection): void {
    this.nc = nc;
    this.js = nc.jetstream({ timeout: this.ackTimeoutMs });
    this.connected = true;
    void this.watch(nc);
    void nc.closed().then((err) => {
      if (this.closing || this.nc !== nc) return;
      this.connected = false;
      const fatal = err ? this.classify(err) : undefined;
      if (fatal) return this.fail(fatal);
      this.nc = undefined;
      this.noteOutage(`connection closed${err ? ` (${describe(err)})` : ''}`);
      void this.connectOptions().then((o) => this.reconnectLater(o));
    });
    this.retryNow();
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (this.nc !== nc) return;
      if (s.type === 'disconnect') {
        this.connected = false;
        this.failed(`lost the connection to ${this.opts.target.server}`);
      } else if (s.type === 'reconnect') {
        this.connected = true;
        this.retryNow();
      } else if (s.type === 'error' && AUTH_CODES.has(String((s.data as { code?: string } | undefined)?.code ?? s.data))) {
        const fatal = this.classify(s.data);
        if (fatal) this.fail(fatal);
      }
    }
  }

  private fail(err: EvtailError): void {
    if (this.fatal) return;
    this.fatal = err;
    this.stats.failed += this.items.length - this.head;
    this.head = this.items.length;
    this.releaseDrainWaiters();
    this.settle();
    this.fatalCb?.(err);
  }

  // --- sending ---

  private pump(): void {
    const js = this.js;
    if (!js || !this.connected || this.retryTimer || this.fatal) return;
    while (this.inflight < this.window && this.next < this.items.length) {
      const e = this.items[this.next++]!;
      if (e.acked) continue;
      this.send(js, e);
    }
  }

  private send(js: JetStreamClient, e: Entry): void {
    const gen = this.gen;
    this.inflight += 1;
    js.publish(e.subject, e.data, { msgID: e.msgId, timeout: this.ackTimeoutMs }).then(
      (ack) => this.acked(e, ack, gen),
      (err) => {
        if (gen === this.gen) this.inflight -= 1;
        if ((err as { code?: string }).code === 'MAX_PAYLOAD_EXCEEDED' || /maximum (message|payload) size|message size exceeds/i.test(errorMessage(err))) {
          // Never storable: give up on this one event, say so, and go on.
          this.opts.reporter.error(`${this.name}: an event of ${e.data.length} bytes is larger than the server accepts; not published`);
          this.stats.failed += 1;
          e.acked = true;
          this.advance();
          return this.pump();
        }
        if (gen === this.gen) this.failed(describe(err, e.subject));
      },
    );
  }

  private acked(e: Entry, ack: PubAck, gen: number): void {
    if (gen === this.gen) this.inflight -= 1;
    if (e.acked) return;
    e.acked = true;
    if (ack.duplicate) this.stats.duplicates += 1;
    else this.stats.published += 1;
    if (this.outageSince !== undefined) this.recovered();
    this.advance();
    this.pump();
  }

  /** Drop the acknowledged prefix; wake the session when the buffer has room again. */
  private advance(): void {
    const wasFull = this.bytes >= this.opts.bufferBytes;
    while (this.head < this.items.length && this.items[this.head]!.acked) this.bytes -= this.items[this.head++]!.data.length;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.next -= this.head;
      this.head = 0;
    }
    if (wasFull && this.bytes < this.opts.bufferBytes) this.releaseDrainWaiters();
    this.settle();
  }

  /** A send failed or the link went: hold everything, and send the unacknowledged events again after a backoff. */
  private failed(reason: string): void {
    this.gen += 1;
    this.inflight = 0;
    this.noteOutage(reason);
    if (this.retryTimer || this.closing) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.retryNow();
    }, this.backoff.next());
  }

  /** Send again from the oldest unacknowledged event (when connected; else the reconnect will call this). */
  private retryNow(): void {
    if (this.retryTimer || !this.connected) return;
    const before = this.next;
    this.next = this.head;
    for (let i = this.head; i < before; i++) if (!this.items[i]!.acked) this.stats.resent += 1;
    this.pump();
  }

  private noteOutage(reason: string): void {
    const now = Date.now();
    if (this.outageSince === undefined) {
      this.outageSince = now;
      this.stats.outages += 1;
      this.lastOutageNote = now;
      this.opts.reporter.warn(`${this.name}: ${reason}; holding ${this.items.length - this.head} event(s) and retrying (the stream is paused meanwhile)`);
    } else if (now - this.lastOutageNote >= 10_000) {
      this.lastOutageNote = now;
      this.opts.reporter.warn(`${this.name}: still failing after ${formatDuration(now - this.outageSince, 1)}: ${reason}; holding ${this.items.length - this.head} event(s)`);
    }
  }

  private recovered(): void {
    const ms = Date.now() - this.outageSince!;
    this.stats.outageMs += ms;
    this.outageSince = undefined;
    this.backoff.reset();
    this.opts.reporter.status(`${this.name}: publishing again after ${formatDuration(ms, 1)}`);
  }

  private releaseDrainWaiters(): void {
    const w = this.drainWaiters;
    this.drainWaiters = [];
    for (const cb of w) cb();
  }

  private settle(): void {
    const w = this.settledWaiters;
    this.settledWaiters = [];
    for (const cb of w) cb();
  }
}
