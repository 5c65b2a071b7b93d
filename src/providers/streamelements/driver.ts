/**
 * StreamElements Astro: welcome → one paced `subscribe` per topic (nonce-matched responses) → `message` events.
 * The server pings (we only watch for silence); a `reconnect` message hands us a token that restores the
 * subscriptions on the next connection.
 *
 * Choices where the public record is silent (protocols.md §4 marks them unknown) are listed, with their reasons,
 * in docs/providers/streamelements.md ("Choices where the public protocol is silent"): the 110 ms pace, what a
 * rate_limit_exceeded without a nonce makes us re-send, retries of err_deadline_exceeded / err_internal_error and of
 * requests unanswered for 10 s, our own malformed requests (an error, the others go on), and going ahead without a
 * welcome after 5 s. How a connection ends (refused topics, a refused reconnect token): verdict.ts.
 */
import { formatDuration } from '../../format.js';
import { randomUUID } from 'node:crypto';
import type { CloseOutcome, Connection, Driver, DriverHooks, LinkCause, TimerHandle } from '../../types.js';
import { retryDelay, RATE_LIMIT_PAUSE_MS, SubscribePacer, type SendClock } from './pacer.js';
import { classify, refusalWarning, subscriptionVerdict, type TopicResult } from './verdict.js';
import { WsLink } from '../../transport/ws-transport.js';
import type { DriverContext } from '../spec.js';
import type { StreamElementsOptions } from './options.js';
import { ErrorCode, maskReconnectToken, withReconnectToken, parseFrame, reconnectToken, responseMessage, subscribeRequest, toEvent, type ServerFrame } from './messages.js';
import { receivedAt } from '../../transport/received-at.js';

const RESPONSE_TIMEOUT_MS = 10_000;
const WELCOME_WAIT_MS = 5000;

interface Pending {
  nonce: string;
  topic: string;
  sentAt: number;
}

export class StreamElementsDriver implements Driver {
  readonly provider = 'streamelements';
  readonly url: string;
  readonly token: string;
  readonly tokenType: string;
  readonly topics: string[];
  readonly room: string | undefined;
  readonly pingTimeoutMs: number;
  /** Subscribed without --room and nothing for this long → the --room hint (0: never). */
  readonly roomHintMs: number;
  /** A message arrived (on any connection), or the hint was given: no (more) hint. */
  roomHintDone = false;
  /** From the last `reconnect` message; used once. */
  reconnectToken: string | undefined;
  /** Topics subscribed on the last connection (what a reconnect_token restores). */
  activeTopics = new Set<string>();
  /** Topics the server refused for good (unauthorized, bad request): not asked for again. */
  readonly refused = new Map<string, TopicResult>();
  /** When the last command went out (across connections: the limit is the server's, not the socket's). */
  readonly sendClock: SendClock = { lastSendAt: Number.NEGATIVE_INFINITY };

  constructor(readonly ctx: DriverContext<StreamElementsOptions>) {
    this.url = ctx.url;
    ({ token: this.token, tokenType: this.tokenType, topics: this.topics, room: this.room, pingTimeoutMs: this.pingTimeoutMs, roomHintMs: this.roomHintMs } = ctx.options);
    this.roomHintDone = this.room !== undefined || this.roomHintMs === 0;
  }

  connect(hooks: DriverHooks): Connection {
    return new AstroConnection(this, hooks).link;
  }
}

/** One connection's state: the subscription queue, requests in flight, answers. */
class AstroConnection {
  readonly link: WsLink;
  private readonly clock;
  private readonly timers = new Set<TimerHandle>();
  private readonly pacer: SubscribePacer;
  private readonly usedToken: string | undefined;
  private welcomed = false;
  private started = false;
  private readyCalled = false;
  private finished = false;
  private readonly results = new Map<string, TopicResult>();
  private readonly pending = new Map<string, Pending>();
  /** Every nonce sent on this connection → its topic, so a late answer is still understood. */
  private readonly nonceTopic = new Map<string, string>();
  private readonly tries = new Map<string, number>();
  private readonly unwarned: string[] = [];
  private sendTimer: TimerHandle | undefined;
  private sweepTimer: TimerHandle | undefined;
  private staleTimer: TimerHandle | undefined;
  private lastRateNotice = 0;

  constructor(
    private readonly d: StreamElementsDriver,
    private readonly hooks: DriverHooks,
  ) {
    this.clock = d.ctx.clock;
    this.pacer = new SubscribePacer(d.sendClock);
    this.usedToken = d.reconnectToken;
    let url = d.url;
    if (this.usedToken) {
      url = withReconnectToken(d.url, this.usedToken);
      hooks.debug('connecting with the reconnect_token from the last connection (the server restores the subscriptions)');
    }
    // Our own view of the hooks: the reconnect token never reaches --verbose or --record.
    const own: DriverHooks = { ...hooks, frame: (dir, text) => hooks.frame(dir, text.includes('reconnect_token') ? maskReconnectToken(text) : text) };
    this.link = new WsLink(url, own, d.ctx.transport, {
      onOpen: () => {
        hooks.heartbeat({ mode: 'silence', timeoutMs: d.pingTimeoutMs });
        this.later(WELCOME_WAIT_MS, () => {
          if (this.welcomed) return;
          hooks.warn(`no welcome from the server within ${formatDuration(WELCOME_WAIT_MS)}; going on without it`);
          this.onWelcome(undefined);
        });
      },
      onPing: () => hooks.alive(),
      onPong: () => hooks.alive(),
      onMessage: (text, isBinary) => this.onMessage(text, isBinary),
      classify: (cause) => this.onClosed(cause),
    });
  }

  // ---------- frames ----------

  private onMessage(text: string, isBinary: boolean): void {
    const hooks = this.hooks;
    hooks.alive();
    if (isBinary) return hooks.undecodable(text, 'binary frame');
    const parsed = parseFrame(text);
    if (!parsed.ok) return hooks.undecodable(text, parsed.reason);
    const frame = parsed.frame;
    switch (parsed.kind) {
      case 'message': {
        this.d.roomHintDone = true;
        const ev = toEvent(frame, receivedAt(), text, this.d.room);
        if ('error' in ev) return hooks.undecodable(text, ev.error);
        return hooks.event(ev);
      }
      case 'response':
        return this.onResponse(frame);
      case 'welcome':
        return this.onWelcome(frame);
      case 'reconnect':
        return this.onReconnect(frame);
      default:
        hooks.debug(`ignoring a "${frame.type}" frame`);
    }
  }

  private onWelcome(frame: ServerFrame | undefined): void {
    if (this.welcomed) return;
    this.welcomed = true;
    const data = (frame?.data ?? {}) as { message?: unknown; client_id?: unknown };
    if (frame) this.hooks.debug(`welcome${typeof data.client_id === 'string' ? ` (client ${data.client_id})` : ''}${typeof data.message === 'string' ? `: ${data.message}` : ''}`);
    this.start();
  }

  /** Decide what to subscribe to on this connection, then start the paced queue. */
  private start(): void {
    if (this.started) return;
    this.started = true;
    const d = this.d;
    for (const [topic, r] of d.refused) this.results.set(topic, r);
    let todo = d.topics.filter((t) => !d.refused.has(t));
    if (this.usedToken) {
      // The reconnect token was accepted: the server restored what we had. Subscribe only what we did not have yet.
      d.reconnectToken = undefined;
      const restored = todo.filter((t) => d.activeTopics.has(t));
      for (const t of restored) this.results.set(t, { state: 'ok' });
      todo = todo.filter((t) => !d.activeTopics.has(t));
      if (restored.length) {
        this.readyCalled = true;
        this.hooks.ready(`subscriptions restored with the reconnect token (${restored.join(', ')})`);
      }
    } else {
      d.activeTopics = new Set();
    }
    for (const topic of todo) this.pacer.enqueue(topic);
    this.pump();
    this.checkDone();
  }

  private onReconnect(frame: ServerFrame): void {
    const token = reconnectToken(frame);
    if (token) {
      this.d.reconnectToken = token;
      this.hooks.secret(token);
    }
    this.hooks.status(`the server asked us to reconnect${token ? ' (with a reconnect token: subscriptions will be restored)' : ''}`);
    this.finished = true;
    this.stopTimers();
    this.link.end({ recovery: 'retry', reason: 'the server asked us to reconnect', immediate: true });
  }

  // ---------- the subscription queue ----------

  /** Send the next request when the pacer allows; otherwise wake up when it will. */
  private pump(): void {
    if (this.finished || this.sendTimer !== undefined) return;
    for (let step = this.pacer.next(this.clock.now()); step; step = this.pacer.next(this.clock.now())) {
      if ('waitMs' in step) {
        this.sendTimer = this.later(step.waitMs, () => {
          this.sendTimer = undefined;
          this.pump();
        });
        return;
      }
      const nonce = randomUUID();
      const now = this.clock.now();
      this.pending.set(nonce, { nonce, topic: step.send, sentAt: now });
      this.nonceTopic.set(nonce, step.send);
      this.link.send(JSON.stringify(subscribeRequest(nonce, step.send, this.d.token, this.d.tokenType, this.d.room)));
      this.armStaleCheck();
    }
  }

  /** A request nobody answers is asked again (counts as a try). */
  private armStaleCheck(): void {
    if (this.staleTimer !== undefined || this.pending.size === 0) return;
    const oldest = Math.min(...[...this.pending.values()].map((p) => p.sentAt));
    const wait = Math.max(0, oldest + RESPONSE_TIMEOUT_MS - this.clock.now());
    this.staleTimer = this.later(wait, () => {
      this.staleTimer = undefined;
      const now = this.clock.now();
      for (const p of [...this.pending.values()]) {
        if (now - p.sentAt < RESPONSE_TIMEOUT_MS) continue;
        this.pending.delete(p.nonce);
        this.retryLater(p.topic, 'no answer', `within ${formatDuration(RESPONSE_TIMEOUT_MS)}`);
      }
      this.armStaleCheck();
    });
  }

  private onResponse(frame: ServerFrame): void {
    const hooks = this.hooks;
    const nonce = typeof frame.nonce === 'string' && frame.nonce ? frame.nonce : undefined;
    const code = typeof frame.error === 'string' && frame.error ? frame.error : undefined;
    const message = responseMessage(frame);
    let req = nonce ? this.pending.get(nonce) : undefined;
    // An answer without a nonce, with one request in flight, can only be for that one (rate limits aside).
    if (!nonce && !req && code !== ErrorCode.rateLimited && this.pending.size === 1) req = [...this.pending.values()][0];
    const dataTopic = (frame.data as { topic?: unknown } | undefined)?.topic;
    const topic = req?.topic ?? (nonce ? this.nonceTopic.get(nonce) : undefined) ?? (typeof dataTopic === 'string' ? dataTopic : undefined);
    if (req) this.pending.delete(req.nonce);

    if (!code) {
      if (!topic || !this.d.topics.includes(topic)) return hooks.debug(`a response to no request of ours${message ? `: ${message}` : ''}`);
      return this.succeeded(topic);
    }
    if (code === ErrorCode.rateLimited) return this.rateLimited(req);
    if (code === ErrorCode.invalidMessageType || code === ErrorCode.invalidMessage) {
      hooks.error(`the server rejected a message evtail sent as invalid (${code}${message ? `: ${message}` : ''}${topic ? `, subscribing to ${topic}` : ''}); this is a bug in evtail, please report it`);
      if (req) this.failed(req.topic, { state: 'failed', code, message });
      return;
    }
    if (!req) {
      hooks.debug(`${code} for no request in flight${message ? `: ${message}` : ''}`);
      return;
    }
    switch (code) {
      case ErrorCode.unauthorized:
        return this.failed(req.topic, { state: 'unauthorized', code, message });
      case ErrorCode.badRequest:
        return this.failed(req.topic, { state: 'bad_request', code, message });
      case ErrorCode.deadlineExceeded:
      case ErrorCode.internal:
        return this.retryLater(req.topic, code, message);
      default:
        return this.failed(req.topic, { state: 'failed', code, message });
    }
  }

  private succeeded(topic: string): void {
    if (this.results.get(topic)?.state === 'ok') return; // the answer to a request we had already re-sent
    this.results.set(topic, { state: 'ok' });
    this.pacer.remove(topic);
    for (const p of [...this.pending.values()]) if (p.topic === topic) this.pending.delete(p.nonce);
    this.d.activeTopics.add(topic);
    if (!this.readyCalled) {
      this.readyCalled = true;
      this.hooks.ready(`subscribed to ${topic}`);
      this.armRoomHint();
    } else {
      this.hooks.status(`subscribed to ${topic}`);
    }
    this.flushWarnings();
    this.checkDone();
  }

  private failed(topic: string, result: TopicResult): void {
    if (this.results.get(topic)?.state === 'ok') return;
    this.results.set(topic, result);
    this.pacer.remove(topic);
    if (result.state === 'unauthorized' || result.state === 'bad_request') this.d.refused.set(topic, result);
    this.unwarned.push(topic);
    this.flushWarnings();
    this.checkDone();
  }

  private retryLater(topic: string, code: string, message?: string): void {
    const n = (this.tries.get(topic) ?? 0) + 1;
    this.tries.set(topic, n);
    const delay = retryDelay(n);
    if (delay === undefined) return this.failed(topic, { state: 'failed', code, message: `${message ? `${message}; ` : ''}gave up after ${n} tries` });
    this.hooks.warn(`subscribing to ${topic}: ${code}${message ? ` (${message})` : ''}; trying again in ${formatDuration(delay)}`);
    this.pacer.enqueue(topic, this.clock.now() + delay);
    this.pump();
  }

  /** rate_limit_exceeded: slow down, pause, then re-send whatever the notice may have been about. */
  private rateLimited(req: Pending | undefined): void {
    const now = this.clock.now();
    const resumeAt = this.pacer.rateLimited(now);
    this.lastRateNotice = now;
    if (req) {
      this.hooks.warn(`rate limited by the server (rate_limit_exceeded) subscribing to ${req.topic}; slowing down and trying again in ${formatDuration(RATE_LIMIT_PAUSE_MS)}`);
      this.pacer.enqueue(req.topic, resumeAt);
      this.pump();
      return;
    }
    if (this.sweepTimer !== undefined) return; // one sweep covers a burst of notices
    this.hooks.warn(`rate limited by the server (rate_limit_exceeded); slowing down and re-sending unanswered subscriptions in ${formatDuration(RATE_LIMIT_PAUSE_MS)}`);
    this.sweepTimer = this.later(RATE_LIMIT_PAUSE_MS, () => {
      this.sweepTimer = undefined;
      for (const p of [...this.pending.values()]) {
        if (p.sentAt > this.lastRateNotice) continue; // sent after the last notice: not what it was about
        this.pending.delete(p.nonce);
        this.pacer.enqueue(p.topic, Number.NEGATIVE_INFINITY); // asked first, so ahead of the rest
      }
      this.pump();
      this.checkDone();
    });
  }

  /** Warnings for refused topics wait until one topic is up: if none comes up, the run fails with them all named. */
  private flushWarnings(): void {
    if (![...this.results.values()].some((r) => r.state === 'ok')) return;
    for (const topic of this.unwarned.splice(0)) {
      const r = this.results.get(topic);
      if (r && r.state !== 'ok') this.hooks.warn(refusalWarning(topic, r));
    }
  }

  /** Every topic answered: if none is up, decide how the run ends. */
  private checkDone(): void {
    if (this.finished || this.pacer.length || this.pending.size || this.sweepTimer !== undefined) return;
    const all = this.d.topics.map((t) => [t, this.results.get(t)] as const);
    if (all.some(([, r]) => !r)) return;
    if (all.some(([, r]) => r!.state === 'ok')) return;
    const outcome = subscriptionVerdict(all as [string, TopicResult][], this.d.tokenType);
    this.finished = true;
    this.stopTimers();
    this.link.end(outcome);
  }

  // ---------- teardown ----------

  /** The link closed: what it means (the one classify), and what this connection leaves to the next. */
  private onClosed(cause: LinkCause): CloseOutcome {
    this.finished = true;
    this.stopTimers();
    const refusedToken = Boolean(this.usedToken) && this.link.wasOpened && !this.welcomed;
    const outcome = classify(cause, { refusedToken });
    if (refusedToken && outcome.recovery !== 'fatal') {
      // Closed before the welcome: the reconnect token was refused. Next time, subscribe afresh.
      this.d.reconnectToken = undefined;
      this.d.activeTopics = new Set();
    }
    return outcome;
  }

  /**
   * Every official example subscribes with `room` = the channel id; evtail leaves it out unless --room is given,
   * which is right for a token of one channel. Subscribed, yet silent for a while: say what may be missing.
   */
  private armRoomHint(): void {
    if (this.d.roomHintDone) return;
    const ms = this.d.roomHintMs;
    this.later(ms, () => {
      if (this.d.roomHintDone) return;
      this.d.roomHintDone = true;
      this.hooks.warn(`subscribed, but nothing has arrived in ${formatDuration(ms)}: if this token gives access to more than one channel, --room <channel id> may be needed (the channel id is on the StreamElements dashboard, Account → Channels)`);
    });
  }

  private later(ms: number, fn: () => void): TimerHandle {
    const handle = this.hooks.timer(ms, () => {
      this.timers.delete(handle);
      if (!this.finished) fn();
    });
    this.timers.add(handle);
    return handle;
  }

  private stopTimers(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.sendTimer = this.sweepTimer = this.staleTimer = undefined;
  }
}
