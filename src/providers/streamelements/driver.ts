/**
 * StreamElements Astro: welcome → one paced `subscribe` per topic (nonce-matched responses) → `message` events.
 * The server pings (we only watch for silence); a `reconnect` message hands us a token that restores the
 * subscriptions on the next connection.
 *
 * Choices where the public record is silent (protocols.md §4 marks them unknown):
 * - Subscriptions go out one per 110 ms: the documented limit is one command per 100 ms, and 10 ms of margin keeps
 *   network jitter from tipping two of them into one window.
 * - rate_limit_exceeded carries no nonce, so it cannot name the request it refused. We slow the pace down, pause,
 *   and after the pause re-send every request that was sent before the notice and is still unanswered (a late
 *   answer to the old nonce is still understood; a duplicate success is ignored).
 * - err_deadline_exceeded and err_internal_error: the same request again after 0.5 s, 1 s, 2 s... (5 tries), then
 *   the topic counts as failed. A request with no answer for 10 s is re-sent the same way.
 * - invalid_message_type / invalid_message: the server says we sent something malformed: that is our bug. It is
 *   reported as an error on stderr, that request counts as failed, and the others go on.
 * - When every topic is answered: none subscribed and all refused as unauthorized → auth failure (exit 3); any
 *   err_bad_request among them → usage error (exit 2); otherwise (server errors) → reconnect with backoff.
 *   Some subscribed → a warning per refused topic, and the rest stream. Refused topics are not asked for again
 *   on later connections.
 * - A connection made with a reconnect_token counts as restored when the welcome arrives; one that closes before
 *   the welcome means the token was refused: the next connection subscribes afresh. Topics that were not yet
 *   subscribed when the server asked us to reconnect are subscribed on the restored connection.
 * - No welcome within 5 s of opening: we go ahead as if it had come.
 */
import { formatDuration } from '../../format.js';
import { randomUUID } from 'node:crypto';
import { AuthError, UsageError } from '../../errors.js';
import type { CloseOutcome, Connection, Driver, DriverHooks } from '../../types.js';
import { WsLink } from '../../transport/ws-transport.js';
import type { DriverContext } from '../spec.js';
import { ErrorCode, maskReconnectToken, parseFrame, reconnectToken, responseMessage, subscribeRequest, toEvent, type ServerFrame } from './messages.js';
import { receivedAt } from '../../transport/received-at.js';

export const DEFAULT_URL = 'wss://astro.streamelements.com';
export const DEFAULT_TOPIC = 'channel.activities';
/** One command per 100 ms is the documented limit; 10 ms of margin for jitter. */
export const SUBSCRIBE_INTERVAL_MS = 110;
/** After a rate_limit_exceeded the pace doubles, up to this. */
const MAX_INTERVAL_MS = 1000;
const RATE_LIMIT_PAUSE_MS = 1000;
const RETRY_PAUSE_MS = 500;
const RETRY_PAUSE_CAP_MS = 8000;
const MAX_TRIES = 5;
const RESPONSE_TIMEOUT_MS = 10_000;
const WELCOME_WAIT_MS = 5000;
const DEFAULT_PING_TIMEOUT_MS = 70_000;
const DEFAULT_ROOM_HINT_MS = 60_000;

type TopicState = 'ok' | 'unauthorized' | 'bad_request' | 'failed';
interface TopicResult {
  state: TopicState;
  code?: string;
  message?: string;
}
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
  lastSendAt = Number.NEGATIVE_INFINITY;

  constructor(readonly ctx: DriverContext) {
    const o = ctx.options;
    this.url = ctx.common.url ?? DEFAULT_URL;
    this.token = String(o.token ?? '');
    this.tokenType = typeof o.tokenType === 'string' && o.tokenType ? o.tokenType : 'jwt';
    const list = Array.isArray(o.topic) ? (o.topic as unknown[]).map(String) : typeof o.topic === 'string' ? o.topic.split(',') : [DEFAULT_TOPIC];
    const topics = [...new Set(list.map((t) => t.trim()).filter((t) => t !== ''))];
    this.topics = topics.length ? topics : [DEFAULT_TOPIC];
    this.room = typeof o.room === 'string' && o.room ? o.room : undefined;
    this.pingTimeoutMs = typeof o.pingTimeout === 'number' && o.pingTimeout > 0 ? o.pingTimeout : DEFAULT_PING_TIMEOUT_MS;
    this.roomHintMs = typeof o.roomHintAfter === 'number' && o.roomHintAfter >= 0 ? o.roomHintAfter : DEFAULT_ROOM_HINT_MS;
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
  private readonly timers = new Set<unknown>();
  private readonly usedToken: string | undefined;
  private welcomed = false;
  private started = false;
  private readyCalled = false;
  private finished = false;
  private readonly results = new Map<string, TopicResult>();
  /** Topics waiting to be sent, earliest first. */
  private queue: { topic: string; notBefore: number }[] = [];
  private readonly pending = new Map<string, Pending>();
  /** Every nonce sent on this connection → its topic, so a late answer is still understood. */
  private readonly nonceTopic = new Map<string, string>();
  private readonly tries = new Map<string, number>();
  private readonly unwarned: string[] = [];
  private pace = SUBSCRIBE_INTERVAL_MS;
  private pausedUntil = 0;
  private sendTimer: unknown;
  private sweepTimer: unknown;
  private staleTimer: unknown;
  private lastRateNotice = 0;

  constructor(
    private readonly d: StreamElementsDriver,
    private readonly hooks: DriverHooks,
  ) {
    this.clock = d.ctx.clock;
    this.usedToken = d.reconnectToken;
    let url = d.url;
    if (this.usedToken) {
      url = withReconnectToken(d.url, this.usedToken);
      hooks.debug('connecting with the reconnect_token from the last connection (the server restores the subscriptions)');
    }
    // Our own view of the hooks: the reconnect token never reaches --verbose or --record, and closing clears our timers.
    const own: DriverHooks = {
      ...hooks,
      frame: (dir, text) => hooks.frame(dir, text.includes('reconnect_token') ? maskReconnectToken(text) : text),
      closed: (outcome) => this.onClosed(outcome),
    };
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
    this.queue = todo.map((topic) => ({ topic, notBefore: 0 }));
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

  private enqueue(topic: string, notBefore: number): void {
    this.queue = this.queue.filter((q) => q.topic !== topic);
    const at = this.queue.findIndex((q) => q.notBefore > notBefore);
    if (at < 0) this.queue.push({ topic, notBefore });
    else this.queue.splice(at, 0, { topic, notBefore });
  }

  /** Send the next request when the pace, a pause and the request's own notBefore all allow. */
  private pump(): void {
    if (this.finished || this.sendTimer !== undefined) return;
    const next = this.queue[0];
    if (!next) return;
    const now = this.clock.now();
    const due = Math.max(this.d.lastSendAt + this.pace, this.pausedUntil, next.notBefore);
    if (due > now) {
      this.sendTimer = this.later(due - now, () => {
        this.sendTimer = undefined;
        this.pump();
      });
      return;
    }
    this.queue.shift();
    const nonce = randomUUID();
    this.pending.set(nonce, { nonce, topic: next.topic, sentAt: now });
    this.nonceTopic.set(nonce, next.topic);
    this.d.lastSendAt = now;
    this.link.send(JSON.stringify(subscribeRequest(nonce, next.topic, this.d.token, this.d.tokenType, this.d.room)));
    this.armStaleCheck();
    this.pump();
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
    this.queue = this.queue.filter((q) => q.topic !== topic);
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
    this.queue = this.queue.filter((q) => q.topic !== topic);
    if (result.state === 'unauthorized' || result.state === 'bad_request') this.d.refused.set(topic, result);
    this.unwarned.push(topic);
    this.flushWarnings();
    this.checkDone();
  }

  private retryLater(topic: string, code: string, message?: string): void {
    const n = (this.tries.get(topic) ?? 0) + 1;
    this.tries.set(topic, n);
    if (n >= MAX_TRIES) return this.failed(topic, { state: 'failed', code, message: `${message ? `${message}; ` : ''}gave up after ${n} tries` });
    const delay = Math.min(RETRY_PAUSE_CAP_MS, RETRY_PAUSE_MS * 2 ** (n - 1));
    this.hooks.warn(`subscribing to ${topic}: ${code}${message ? ` (${message})` : ''}; trying again in ${formatDuration(delay)}`);
    this.enqueue(topic, this.clock.now() + delay);
    this.pump();
  }

  /** rate_limit_exceeded: slow down, pause, then re-send whatever the notice may have been about. */
  private rateLimited(req: Pending | undefined): void {
    const now = this.clock.now();
    this.pace = Math.min(MAX_INTERVAL_MS, Math.max(2 * SUBSCRIBE_INTERVAL_MS, this.pace * 2));
    this.pausedUntil = now + RATE_LIMIT_PAUSE_MS;
    this.lastRateNotice = now;
    if (req) {
      this.hooks.warn(`rate limited by the server (rate_limit_exceeded) subscribing to ${req.topic}; slowing down and trying again in ${formatDuration(RATE_LIMIT_PAUSE_MS)}`);
      this.enqueue(req.topic, this.pausedUntil);
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
        this.enqueue(p.topic, Number.NEGATIVE_INFINITY); // asked first, so ahead of the rest
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
      if (!r || r.state === 'ok') continue;
      const why = `${r.code ?? 'refused'}${r.message ? `: ${r.message}` : ''}`;
      const what = r.state === 'unauthorized' ? `not authorized for ${topic}` : r.state === 'bad_request' ? `the server refused ${topic} as a bad request` : `could not subscribe to ${topic}`;
      this.hooks.warn(`${what} (${why}); the other topics keep streaming`);
    }
  }

  /** Every topic answered: if none is up, decide how the run ends. */
  private checkDone(): void {
    if (this.finished || this.queue.length || this.pending.size || this.sweepTimer !== undefined) return;
    const all = this.d.topics.map((t) => [t, this.results.get(t)] as const);
    if (all.some(([, r]) => !r)) return;
    if (all.some(([, r]) => r!.state === 'ok')) return;
    const by = (s: TopicState) => all.filter(([, r]) => r!.state === s).map(([t]) => t);
    const unauthorized = by('unauthorized');
    const bad = by('bad_request');
    const failed = by('failed');
    const reasons = (topics: string[]) => {
      const msgs = [...new Set(topics.map((t) => this.results.get(t)?.message).filter((m): m is string => Boolean(m)))];
      return msgs.length ? ` (${msgs.join('; ')})` : '';
    };
    let outcome: CloseOutcome;
    if (bad.length) {
      const also = unauthorized.length ? `; not authorized for ${unauthorized.join(', ')}` : '';
      outcome = {
        recovery: 'fatal',
        error: new UsageError(`StreamElements refused the subscription as a bad request (err_bad_request) for ${bad.join(', ')}${reasons(bad)}${also}`, 'check the --topic names (e.g. channel.activities, channel.tips, channel.chat.message) and --room'),
      };
    } else if (unauthorized.length && !failed.length) {
      outcome = {
        recovery: 'fatal',
        error: new AuthError(
          `StreamElements refused the token for every topic (err_unauthorized): ${unauthorized.join(', ')}${reasons(unauthorized)}`,
          `check --token and --token-type (sent: ${this.d.tokenType}); the token must give access to each topic (channel.activities needs the activities:read scope)`,
        ),
      };
    } else {
      const codes = [...new Set(failed.map((t) => this.results.get(t)?.code ?? 'error'))].join(', ');
      outcome = { recovery: 'retry', reason: `could not subscribe to any topic (${codes}${reasons(failed)})` };
    }
    this.finished = true;
    this.stopTimers();
    this.link.end(outcome);
  }

  // ---------- teardown ----------

  private onClosed(outcome: CloseOutcome): void {
    this.finished = true;
    this.stopTimers();
    if (this.usedToken && this.link.wasOpened && !this.welcomed && outcome.recovery !== 'fatal') {
      // Closed before the welcome: the reconnect token was refused. Next time, subscribe afresh.
      this.d.reconnectToken = undefined;
      this.d.activeTopics = new Set();
      outcome = { recovery: 'retry', reason: `the server refused the reconnect token (${outcome.recovery === 'retry' ? outcome.reason : 'closed at once'}); subscribing afresh` };
    }
    this.hooks.closed(outcome);
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

  private later(ms: number, fn: () => void): unknown {
    const handle: unknown = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      if (!this.finished) fn();
    }, ms);
    this.timers.add(handle);
    return handle;
  }

  private stopTimers(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.sendTimer = this.sweepTimer = this.staleTimer = undefined;
  }
}

export function withReconnectToken(url: string, token: string): string {
  try {
    const u = new URL(url);
    u.searchParams.set('reconnect_token', token);
    return u.toString();
  } catch {
    return `${url}${url.includes('?') ? '&' : '?'}reconnect_token=${encodeURIComponent(token)}`;
  }
}
