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
import { applyFaults, commonMockSettings, EventPump, faultAfter, listen, pick, seededRandom, type CommonMockSettings, MockBase, wsVerbs } from '../mock-kit.js';

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

const TOKEN_TYPES = new Set(['apikey', 'jwt', 'oauth2', 'oauth']);

/** Topics the gateway knows (protocols.md §4); channel.chatbot.*, channel.overlay.* and chatbot.* by prefix. */
export const KNOWN_TOPICS = [
  'channel.activities',
  'channel.tips',
  'channel.tips.moderation',
  'channel.chat.message',
  'channel.session.update',
  'channel.session.reset',
  'channel.stream.status',
  'channel.kvstore.update',
  'channel.songrequest',
  'channel.contests',
  'channel.giveaways',
  'channel.giveaway',
  'channel.loyalty.redemptions',
  'channel.loyalty.items',
  'channel.announcements',
  'channel.chatstats',
  'channel.follow',
];

export function isKnownTopic(topic: string): boolean {
  return KNOWN_TOPICS.includes(topic) || /^(channel\.chatbot|channel\.overlay|chatbot)\.[a-z0-9._-]+$/i.test(topic);
}

// ---------- ids ----------

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-shaped id whose last 16 characters are the sequence number in decimal (all valid Crockford digits). */
export function ulidWithSeq(seq: number, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  return time + String(seq).padStart(16, '0');
}

/** The sequence number inside an id made by ulidWithSeq. */
export function seqFromId(id: string): number {
  return Number(id.slice(10));
}

function randomUlid(): string {
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += CROCKFORD[bytes[i]! % 32];
  return ulidWithSeq(0).slice(0, 10) + rand;
}

const objectId = (seq: number) => Math.floor(Date.now() / 1000).toString(16).padStart(8, '0') + seq.toString(16).padStart(16, '0');
const ts = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---------- realistic payloads ----------

const viewers = [
  { username: 'jtv', displayName: 'jtv', providerId: '14027' },
  { username: 'c4ldas', displayName: 'c4ldas', providerId: '28057703' },
  { username: 'styler', displayName: 'Styler', providerId: '51496027' },
  { username: 'nightbot', displayName: 'Nightbot', providerId: '19264788' },
  { username: 'pixelpanda', displayName: 'PixelPanda', providerId: '73140022' },
  { username: 'lunaria_gg', displayName: 'Lunaria_GG', providerId: '90817261' },
];
const tipMessages = ['', 'Great stream!', 'For the snacks fund 🍕', 'gg wp', 'Happy birthday!!', 'Play the next one on hard mode'];
const chatLines = ['hello chat', 'PogChamp that clutch', 'what game is next?', 'first time here, love the vibes', '!uptime', 'Test message with emote <3'];
const activityTypes = ['follow', 'tip', 'subscriber', 'cheer', 'follow', 'raid'] as const;

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
    const r = this.rand;
    const who = pick(r, viewers);
    const now = new Date().toISOString();
    const channel = this.settings.channelId;
    const avatar = `https://static-cdn.jtvnw.net/jtv_user_pictures/${who.username}-profile_image-300x300.png`;
    switch (topic) {
      case 'channel.activities': {
        const type = activityTypes[(seq - 1) % activityTypes.length]!;
        const provider = seq % 7 === 0 ? 'youtube' : 'twitch';
        const user = { username: who.username, displayName: who.displayName, providerId: who.providerId, avatar };
        let data: Record<string, unknown> = user;
        if (type === 'tip') data = { ...user, tipId: objectId(seq), amount: pick(r, [1, 2.5, 5, 10, 20]), currency: 'USD', message: pick(r, tipMessages) };
        if (type === 'subscriber') data = { ...user, amount: pick(r, [1, 3, 12, 27]), tier: pick(r, ['1000', '1000', '2000', 'prime']), message: pick(r, ['', 'love this channel']), streak: 1 };
        if (type === 'cheer') data = { ...user, amount: pick(r, [100, 500, 1000]), message: 'Cheer100 hype!' };
        if (type === 'raid') data = { ...user, amount: pick(r, [12, 42, 350]) };
        const id = objectId(seq);
        return { type, provider, channel, data, _id: id, createdAt: now, updatedAt: now, activityId: id, sessionEventsCount: seq };
      }
      case 'channel.tips':
      case 'channel.tips.moderation': {
        const moderation = topic === 'channel.tips.moderation';
        return {
          donation: {
            user: { username: who.displayName, geo: 'ZZ', email: `${who.username}@example.com`, channel },
            message: pick(r, tipMessages),
            amount: pick(r, [1, 4.2, 5, 10, 25]),
            currency: pick(r, ['USD', 'USD', 'EUR']),
            paymentMethod: 'scheme',
          },
          _id: objectId(seq),
          channel,
          provider: 'paypal',
          approved: moderation ? 'pending' : 'allowed',
          status: moderation ? 'pending' : 'success',
          createdAt: now,
          updatedAt: now,
          transactionId: `${(0x2a000000 + seq).toString(16).toUpperCase()}JR1691017`,
        };
      }
      case 'channel.chat.message': {
        const text = pick(r, chatLines);
        if (seq % 5 === 0) {
          return {
            authorDetails: { channelId: 'UCp9noRfodywhm2MX0000000', displayName: who.displayName, isChatModerator: false, isVerified: false, isChatOwner: false, isChatSponsor: false },
            id: `LCC.${seq}`,
            kind: 'youtube#liveChatMessage',
            snippet: { displayMessage: text, hasDisplayContent: true, publishedAt: now, textMessageDetails: { messageText: text }, type: 'textMessageEvent' },
          };
        }
        return {
          broadcaster_user_id: '28050000',
          broadcaster_user_login: 'c4ldas',
          broadcaster_user_name: 'c4ldas',
          chatter_user_id: who.providerId,
          chatter_user_login: who.username,
          chatter_user_name: who.displayName,
          message_id: randomUUID(),
          color: '#8AE020',
          message: { text, fragments: [{ type: 'text', text, cheermote: null, emote: null, mention: null }] },
          cheer: null,
          badges: [],
          message_type: 'text',
          reply: null,
          channel_points_custom_reward_id: null,
        };
      }
      case 'channel.stream.status':
        return { isLive: seq % 2 === 1 };
      case 'channel.session.update':
        return { 'follower-latest': { name: who.username }, 'follower-session': { count: seq }, 'tip-latest': { name: who.username, amount: 5, message: '' } };
      default:
        return { channelId: channel, message: `${topic} update`, updatedAt: now };
    }
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
