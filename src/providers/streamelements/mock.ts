/**
 * A StreamElements Astro gateway that speaks the published protocol (seed 003, protocols.md §4), for tests,
 * `evtail demo streamelements` and `evtail mock streamelements`.
 *
 * welcome on connect; subscribe/unsubscribe answered by nonce; per-token topic permissions; every error code
 * reachable (naturally or with --fail-subscribe); the command rate limit (token bucket, one per 100 ms, and at
 * most 100 per 10 s); WebSocket pings; graceful shutdown with `reconnect` + reconnect_token that restores the
 * subscriptions; upgrade refusals (429 with Retry-After, 502); and the common fault knobs.
 *
 * Choices where the public record is silent: a refused reconnect_token closes the new connection with 1008 before
 * the welcome; after sending `reconnect` the mock waits up to 1 s for the client to leave, then closes with 1012;
 * a client that has not answered pings for --pong-timeout is terminated; an unknown topic is err_bad_request.
 * Event ids are ULID-shaped: 10 characters of time, then the event's sequence number in 16 digits (shared across
 * connections), so a test can check that every event arrived once and in order.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { isKnownTopic, makePayload, randomUlid, ts, ulidWithSeq } from './mock-payloads.js';
import { applyFaults, commonMockSettings, EventPump, faultAfter, listen, seededRandom, type CommonMockSettings, MockBase, wsVerbs } from '../mock-kit.js';

export interface StreamElementsMockSettings extends CommonMockSettings {
  /** token → the topics it may subscribe to ('all': every topic). Undefined: any non-empty token, every topic. */
  tokens?: Map<string, Set<string> | 'all'>;
  channelId: string;
  pingInterval: number;
  pongTimeout: number;
  rateLimitMs: number;
  rateLimitBurst: number;
  failSubscribe?: string;
  failCount?: number;
  reconnectAfter?: number;
  refuseReconnectToken: boolean;
  upgradeStatus?: number;
  upgradeFailures: number;
  retryAfter?: number;
  /** A token that spans several channels: a subscription without a room succeeds but carries nothing. */
  requireRoom?: boolean;
}

/** What the mock saw a client send (tests check nonces, token types, rooms). */
export interface ReceivedCommand {
  connection: number;
  at: number;
  type: string;
  nonce?: string;
  topic?: string;
  room?: string;
  token?: string;
  tokenType?: string;
}

export { isKnownTopic, KNOWN_TOPICS, seqFromId, ulidWithSeq } from './mock-payloads.js';

const TOKEN_TYPES = new Set(['apikey', 'jwt', 'oauth2', 'oauth']);
export class StreamElementsMock extends MockBase {
  private seq = 0;
  private connectionCount = 0;
  private forcedFailures = 0;
  private readonly rand = seededRandom(3);
  /** reconnect_token → what that connection had. */
  private readonly sessions = new Map<string, { subs: Map<string, string>; token: string }>();
  readonly stats = {
    connections: 0,
    upgradesRefused: 0,
    commands: 0,
    subscribes: 0,
    subscribed: 0,
    unsubscribes: 0,
    rateLimited: 0,
    errors: {} as Record<string, number>,
    pings: 0,
    pongs: 0,
    eventsSent: 0,
    reconnectsSent: 0,
    restored: 0,
    refusedReconnectTokens: 0,
  };
  readonly received: ReceivedCommand[] = [];
  /** Every reconnect_token handed out (tests check that none leaks into evtail's output). */
  readonly issuedReconnectTokens: string[] = [];

  constructor(readonly settings: StreamElementsMockSettings) {
    super();
  }

  get demoOptions(): Record<string, unknown> {
    const first = this.settings.tokens ? [...this.settings.tokens.keys()][0] : undefined;
    return { token: first ?? 'demo-token' };
  }

  async start(): Promise<this> {
    const s = this.settings;
    this.server = await listen(s.host, s.port, {
      verifyClient: (_info: { req: IncomingMessage }, cb: (ok: boolean, code?: number, message?: string, headers?: Record<string, string>) => void) => {
        if (s.upgradeStatus !== undefined && this.stats.upgradesRefused < s.upgradeFailures) {
          this.stats.upgradesRefused += 1;
          const headers: Record<string, string> = {};
          if (s.upgradeStatus === 429 && s.retryAfter !== undefined) headers['Retry-After'] = String(s.retryAfter);
          cb(false, s.upgradeStatus, s.upgradeStatus === 429 ? 'Too Many Requests' : s.upgradeStatus === 502 ? 'Bad Gateway' : 'Refused', headers);
          return;
        }
        cb(true);
      },
    }, '', s.tls);
    this.server.wss.on('connection', (ws, req) => this.onConnection(ws, req));
    return this;
  }


  private countError(code: string): void {
    this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1;
  }

  /** The payload of the next event on `topic`, as the gateway's docs show it. */
  makePayload(topic: string, seq: number): unknown {
    return makePayload(this.rand, this.settings.channelId, topic, seq);
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    this.stats.connections += 1;
    const index = ++this.connectionCount;
    const s = this.settings;
    const plan = { active: s.faulty === undefined || index <= s.faulty, settings: s as CommonMockSettings };
    const subs = new Map<string, string>(); // topic → room
    let subToken = '';
    let silent = false;
    let closing = false;
    let pump: EventPump | undefined;
    let rr = 0;
    let lastPong = Date.now();
    let bucket = s.rateLimitBurst;
    let bucketAt = Date.now();
    const window: number[] = [];
    const timers: NodeJS.Timeout[] = [];
    const send = (obj: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(obj));
    };
    const respond = (nonce: string | undefined, data: unknown, error?: string) => {
      if (error) this.countError(error);
      send({ id: randomUlid(), ts: ts(), type: 'response', ...(nonce !== undefined ? { nonce } : {}), ...(error ? { error } : {}), data });
    };

    ws.on('error', () => undefined);
    ws.on('pong', () => {
      lastPong = Date.now();
      this.stats.pongs += 1;
    });
    const pinger = setInterval(() => {
      if (silent) return;
      if (Date.now() - lastPong > s.pongTimeout) {
        ws.terminate();
        return;
      }
      this.stats.pings += 1;
      ws.ping();
    }, s.pingInterval);
    ws.on('close', () => {
      clearInterval(pinger);
      for (const t of timers) clearTimeout(t);
      pump?.stop();
    });

    const startPump = () => {
      if (pump || s.count === 0 || closing) return;
      pump = new EventPump(ws, s.rate, () => this.sendOne(ws, pump!, plan, subs, () => rr++, {
        silence: () => (silent = true),
        reconnect: () => {
          closing = true;
          const token = `rt_${randomBytes(12).toString('hex')}`;
          this.sessions.set(token, { subs: new Map(subs), token: subToken });
          this.issuedReconnectTokens.push(token);
          send({ id: randomUlid(), ts: ts(), type: 'reconnect', data: { reconnect_token: token } });
          this.stats.reconnectsSent += 1;
          timers.push(setTimeout(() => ws.close(1012, 'service restart'), 1000));
        },
        stopped: () => (pump = undefined),
      }));
      pump.start();
    };

    // A reconnecting client presents its token: restore what it had, or close at once.
    const query = new URL(req.url ?? '/', 'ws://mock').searchParams;
    const presented = query.get('reconnect_token');
    if (presented !== null) {
      const session = this.sessions.get(presented);
      this.sessions.delete(presented);
      if (!session || s.refuseReconnectToken) {
        this.stats.refusedReconnectTokens += 1;
        ws.close(1008, 'invalid reconnect token');
        return;
      }
      this.stats.restored += 1;
      for (const [topic, room] of session.subs) subs.set(topic, room);
      subToken = session.token;
    }
    send({ id: randomUlid(), ts: ts(), type: 'welcome', data: { message: 'Welcome to Astro Gateway', client_id: randomUUID() } });
    this.emit('connection', index);
    if (subs.size) startPump();

    ws.on('message', (raw, isBinary) => {
      this.stats.commands += 1;
      // The command rate limit: a token bucket (one per rateLimitMs, burst rateLimitBurst) and 100 per 10 s.
      if (s.rateLimitMs > 0) {
        const now = Date.now();
        bucket = Math.min(s.rateLimitBurst, bucket + (now - bucketAt) / s.rateLimitMs);
        bucketAt = now;
        while (window.length && now - window[0]! >= 10_000) window.shift();
        if (bucket < 1 || window.length >= 100) {
          this.stats.rateLimited += 1;
          respond(undefined, { message: 'rate limit exceeded' }, 'rate_limit_exceeded');
          return;
        }
        bucket -= 1;
        window.push(now);
      }
      let msg: { type?: unknown; nonce?: unknown; data?: { topic?: unknown; room?: unknown; token?: unknown; token_type?: unknown } };
      try {
        if (isBinary) throw new Error('binary');
        msg = JSON.parse(raw.toString());
        if (typeof msg !== 'object' || msg === null) throw new Error('not an object');
      } catch {
        respond(undefined, { message: 'could not parse message' }, 'invalid_message');
        return;
      }
      const nonce = typeof msg.nonce === 'string' ? msg.nonce : undefined;
      const data = typeof msg.data === 'object' && msg.data !== null ? msg.data : {};
      const topic = typeof data.topic === 'string' ? data.topic : undefined;
      const room = typeof data.room === 'string' && data.room ? data.room : undefined;
      const token = typeof data.token === 'string' ? data.token : undefined;
      const tokenType = typeof data.token_type === 'string' ? data.token_type : undefined;
      this.received.push({ connection: index, at: Date.now(), type: String(msg.type), nonce, topic, room, token, tokenType });
      this.emit('command', msg);

      if (msg.type === 'unsubscribe') {
        this.stats.unsubscribes += 1;
        if (!topic || !subs.has(topic)) return respond(nonce, { message: 'not subscribed to topic', topic }, 'err_bad_request');
        subs.delete(topic);
        return respond(nonce, { message: 'successfully unsubscribed from topic', topic });
      }
      if (msg.type !== 'subscribe') return respond(nonce, { message: `unknown message type: ${String(msg.type)}` }, 'invalid_message_type');

      this.stats.subscribes += 1;
      if (s.failSubscribe && (s.failCount === undefined || this.forcedFailures < s.failCount)) {
        this.forcedFailures += 1;
        const text: Record<string, string> = {
          err_internal_error: 'internal error',
          err_bad_request: 'bad request',
          err_unauthorized: 'invalid token',
          err_deadline_exceeded: 'deadline exceeded',
          rate_limit_exceeded: 'rate limit exceeded',
          invalid_message_type: 'invalid message type',
          invalid_message: 'invalid message',
        };
        const noNonce = s.failSubscribe === 'rate_limit_exceeded';
        if (noNonce) this.stats.rateLimited += 1;
        return respond(noNonce ? undefined : nonce, { message: text[s.failSubscribe] ?? s.failSubscribe }, s.failSubscribe);
      }
      if (!topic) return respond(nonce, { message: 'missing topic' }, 'err_bad_request');
      if (!token) return respond(nonce, { message: 'missing token' }, 'err_bad_request');
      if (!tokenType || !TOKEN_TYPES.has(tokenType)) return respond(nonce, { message: 'invalid token_type' }, 'err_bad_request');
      if (!isKnownTopic(topic)) return respond(nonce, { message: `unknown topic: ${topic}`, topic }, 'err_bad_request');
      const perms = s.tokens ? s.tokens.get(token) : 'all';
      if (!perms) return respond(nonce, { message: 'invalid token' }, 'err_unauthorized');
      if (perms !== 'all' && !perms.has(topic)) return respond(nonce, { message: `token is not authorized for topic ${topic}`, topic }, 'err_unauthorized');
      if (s.requireRoom && !room) return respond(nonce, { message: 'successfully subscribed to topic', topic });
      subs.set(topic, room ?? s.channelId);
      subToken = token;
      this.stats.subscribed += 1;
      respond(nonce, { message: 'successfully subscribed to topic', topic });
      startPump();
    });
  }

  /** Send one event on the connection's topics (round robin) and apply the faults due after it. */
  private sendOne(
    ws: WebSocket,
    pump: EventPump,
    plan: { active: boolean; settings: CommonMockSettings },
    subs: Map<string, string>,
    nextIndex: () => number,
    on: { silence: () => void; reconnect: () => void; stopped: () => void },
  ): boolean {
    if (ws.readyState !== ws.OPEN || subs.size === 0) {
      on.stopped();
      return false;
    }
    const topics = [...subs.keys()];
    const topic = topics[nextIndex() % topics.length]!;
    const seq = ++this.seq;
    ws.send(JSON.stringify({ id: ulidWithSeq(seq), ts: ts(), type: 'message', topic, room: subs.get(topic), data: this.makePayload(topic, seq) }));
    this.stats.eventsSent += 1;
    const sent = pump.sent + 1;
    const s = this.settings;
    if (plan.active && s.reconnectAfter !== undefined && sent === s.reconnectAfter) {
      on.reconnect();
      return false;
    }
    const actions = faultAfter(plan, sent);
    if (!actions.length) return true;
    return applyFaults(actions, s, {
      ...wsVerbs(ws),
      malformed: '{"id":"01HB0YF39XF16HMHCPDYZYJYFK","type":"message","topic":',
      oversized: (padding) => {
        const big = ++this.seq;
        const payload = { ...(this.makePayload(topic, big) as object), padding };
        return JSON.stringify({ id: ulidWithSeq(big), ts: ts(), type: 'message', topic, room: subs.get(topic), data: payload });
      },
      goSilent: on.silence,
      goDown: (ms) => this.server.goDown(ms),
      emit: (event, action) => this.emit(event, action),
    });
  }
}

/** `T` → every topic; `T:topic1,topic2` → those topics. */
export function parseTokenSpecs(specs: readonly string[]): Map<string, Set<string> | 'all'> {
  const map = new Map<string, Set<string> | 'all'>();
  for (const spec of specs) {
    const at = spec.indexOf(':');
    if (at < 0) {
      map.set(spec, 'all');
      continue;
    }
    const topics = spec
      .slice(at + 1)
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    map.set(spec.slice(0, at), new Set(topics));
  }
  return map;
}

export async function startStreamElementsMock(options: Record<string, unknown>): Promise<StreamElementsMock> {
  const num = (k: string) => (typeof options[k] === 'number' ? (options[k] as number) : undefined);
  const tokenList = Array.isArray(options.token) ? (options.token as string[]) : typeof options.token === 'string' ? [options.token] : undefined;
  const settings: StreamElementsMockSettings = {
    ...commonMockSettings(options),
    tokens: tokenList?.length ? parseTokenSpecs(tokenList) : undefined,
    channelId: typeof options.channelId === 'string' && options.channelId ? options.channelId : '5ad23dcc18fff500d78c5348',
    pingInterval: num('pingInterval') ?? 30_000,
    pongTimeout: num('pongTimeout') ?? 70_000,
    rateLimitMs: num('rateLimitMs') ?? 100,
    rateLimitBurst: num('rateLimitBurst') ?? 2,
    failSubscribe: typeof options.failSubscribe === 'string' ? options.failSubscribe : undefined,
    failCount: num('failCount'),
    reconnectAfter: num('reconnectAfter'),
    refuseReconnectToken: options.refuseReconnectToken === true,
    upgradeStatus: num('upgradeStatus'),
    upgradeFailures: num('upgradeFailures') ?? 1,
    retryAfter: num('retryAfter'),
    requireRoom: options.requireRoom === true,
  };
  return new StreamElementsMock(settings).start();
}
