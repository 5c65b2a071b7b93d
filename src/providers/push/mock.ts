/**
 * A Push socket server for tests, `evtail demo push` and `evtail mock push`: a real socketcluster-server 20
 * with protocolVersion 1 on /socketcluster/ (protocols.md §3), answering registerUser with a fresh urn, publishing
 * bot messages to each subscribed urn, echoing sendMessageToChannel back to the sender's urn.
 *
 * Choices where the public record is silent: registerUser checks the channelUUID (and that hostApi is there) from
 * the connection's query and refuses with an error ("channel … not found"); subscribing to an urn the server never
 * issued is refused (a subscribe error); messages carry `to`, `from`, `id` (push-<n>, numbered across connections),
 * `text`, sometimes `quick_replies` and a `timestamp`, and no `type`.
 *
 * The ping loop is the mock's own rather than socketcluster-server's (started with its public pingTimeoutDisabled
 * option): same wire behaviour (#1 every pingInterval, close 4001 when the client is silent for pingTimeout),
 * but one connection can stop it, which the server has no public switch for.
 */
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import scServer from 'socketcluster-server';
import type { AGServer, AGServerSocket } from 'socketcluster-server';
import type { MockServer } from '../../types.js';
import { applyFaults, commonMockSettings, downSwitch, faultAfter, pick, seededRandom, type CommonMockSettings, type FaultAction } from '../mock-kit.js';

export const DEMO_CHANNEL_UUID = '9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b';
export const DEMO_HOST_API = 'https://push.example.org';

export interface PushMockSettings extends CommonMockSettings {
  channelUuids?: string[];
  pingInterval: number;
  pingTimeout: number;
  refuseRegistration?: 'error' | 'no-urn';
  stopPingsAfter?: number;
  strayEvery?: number;
  /** Urns issued before this server started (a restarted server keeps its users): accepted for #subscribe. */
  knownUrns?: string[];
}

interface Conn {
  index: number;
  socket: AGServerSocket;
  urn?: string;
  faulty: boolean;
  pinging: boolean;
  silent: boolean;
  closed: boolean;
  pumping: boolean;
  sent: number;
  timers: Set<NodeJS.Timeout>;
  pongTimer?: NodeJS.Timeout;
}

const botLines: { text: string; quick_replies?: string[] }[] = [
  { text: 'Hi! I am the Push demo assistant. How can I help you today?', quick_replies: ['Track my order', 'Opening hours', 'Talk to a human'] },
  { text: 'Your order #48213 has shipped and should arrive on Thursday.' },
  { text: 'We are open Monday to Friday, 9am to 6pm.' },
  { text: 'Would you like to get updates on WhatsApp as well?', quick_replies: ['Yes', 'No'] },
  { text: 'An agent will be with you shortly. Average wait: 2 minutes.' },
  { text: 'Did this answer your question?', quick_replies: ['Yes, thanks', 'No'] },
  { text: 'Reminder: your appointment is tomorrow at 10:30.' },
];

export class PushMock extends EventEmitter implements MockServer {
  private http!: http.Server;
  private ag!: AGServer;
  /** The --down-for knob: refuse upgrades (503) for a while. */
  private goDown: (ms: number) => void = () => undefined;
  private actualPort = 0;
  private seq = 0;
  private strays = 0;
  private echoes = 0;
  private connectionCount = 0;
  private readonly conns = new Set<Conn>();
  private readonly rand = seededRandom(2);
  /** Every urn this server issued. */
  readonly urns = new Set<string>();
  readonly stats = { connections: 0, handshakes: 0, registrations: 0, refusedRegistrations: 0, subscriptions: 0, messagesReceived: 0, eventsSent: 0, echoes: 0, strays: 0, pings: 0, pongs: 0 };
  /** Each accepted subscription: which connection (1-based) subscribed to which urn. */
  readonly subscriptions: { connection: number; urn: string }[] = [];
  /** Each sendMessageToChannel received. */
  readonly received: { connection: number; text: unknown; userUrn: unknown }[] = [];

  constructor(readonly settings: PushMockSettings) {
    super();
  }

  get port(): number {
    return this.actualPort;
  }
  get url(): string {
    const h = this.settings.host.includes(':') ? `[${this.settings.host}]` : this.settings.host;
    return `${this.settings.tls ? 'wss' : 'ws'}://${h}:${this.actualPort}/socketcluster/`;
  }
  get demoOptions(): Record<string, unknown> {
    const h = this.settings.host.includes(':') ? `[${this.settings.host}]` : this.settings.host;
    return { host: `${h}:${this.actualPort}`, channelUuid: this.settings.channelUuids?.[0] ?? DEMO_CHANNEL_UUID, hostApi: DEMO_HOST_API };
  }

  async start(): Promise<this> {
    const s = this.settings;
    for (const urn of s.knownUrns ?? []) this.urns.add(urn);
    const onRequest: http.RequestListener = (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
      res.end('Push socket server: connect with SocketCluster (protocol version 1) at /socketcluster/\n');
    };
    // An https.Server is an http.Server as far as socketcluster-server and the upgrade path are concerned.
    this.http = s.tls ? (await import('node:https')).createServer({ key: s.tls.key, cert: s.tls.cert }, onRequest) : http.createServer(onRequest);
    this.ag = scServer.attach(this.http, {
      protocolVersion: 1,
      path: '/socketcluster/',
      pingInterval: s.pingInterval,
      pingTimeout: s.pingTimeout,
      pingTimeoutDisabled: true, // the mock runs the ping loop itself (see above); pingTimeout is still announced
    });
    this.goDown = downSwitch(this.http);
    this.ag.setMiddleware(this.ag.MIDDLEWARE_INBOUND, async (stream) => {
      for await (const action of stream) {
        if (action.type === action.SUBSCRIBE && !this.urns.has(action.channel ?? '')) {
          const err = new Error(`unknown urn ${action.channel}`);
          err.name = 'InvalidUrnError';
          action.block(err);
          continue;
        }
        action.allow();
      }
    });
    void (async () => {
      for await (const { socket } of this.ag.listener('handshake')) this.onSocket(socket);
    })();
    this.http.listen(s.port, s.host);
    await once(this.http, 'listening');
    const addr = this.http.address();
    this.actualPort = typeof addr === 'object' && addr ? addr.port : s.port;
    return this;
  }

  /** Bytes this server has queued for its clients and not yet handed to the kernel (ws bufferedAmount, summed): above zero once a client stops reading. */
  backlog(): number {
    let n = 0;
    for (const c of this.conns) n += c.socket.socket.bufferedAmount;
    return n;
  }

  async close(): Promise<void> {
    for (const c of this.conns) this.endConn(c);
    for (const c of this.conns) c.socket.terminate();
    this.conns.clear();
    await this.ag.close().catch(() => undefined);
    this.ag.closeAllListeners();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** The next bot message for urn, numbered across connections. */
  makeMessage(urn: string): Record<string, unknown> {
    this.seq += 1;
    const line = pick(this.rand, botLines);
    return { to: urn, from: 'Push demo bot', id: `push-${this.seq}`, text: line.text, ...(line.quick_replies ? { quick_replies: line.quick_replies } : {}), timestamp: new Date().toISOString() };
  }

  private newUrn(): string {
    const hex = (n: number) => Array.from({ length: n }, () => Math.floor(this.rand() * 16).toString(16)).join('');
    let urn: string;
    do urn = `${hex(11)}-${hex(8)}`;
    while (this.urns.has(urn));
    return urn;
  }

  private onSocket(socket: AGServerSocket): void {
    const s = this.settings;
    const index = ++this.connectionCount;
    this.stats.connections += 1;
    const conn: Conn = { index, socket, faulty: s.faulty === undefined || index <= s.faulty, pinging: true, silent: false, closed: false, pumping: false, sent: 0, timers: new Set() };
    this.conns.add(conn);
    this.emit('connection', index);

    const pinger = setInterval(() => {
      if (!conn.pinging || socket.state === socket.CLOSED) return;
      socket.send('#1', {});
      this.stats.pings += 1;
    }, s.pingInterval);
    conn.timers.add(pinger);
    this.resetPongTimer(conn);

    void (async () => {
      for await (const { message } of socket.listener('message')) {
        if (message === '#2') this.stats.pongs += 1;
        this.resetPongTimer(conn);
      }
    })();
    void socket.listener('close').once().then(() => {
      this.endConn(conn);
      this.conns.delete(conn);
    });
    void socket.listener('connect').once().then(() => {
      this.stats.handshakes += 1;
      if (conn.faulty && s.stopPingsAfter === 0) this.stopPings(conn);
    });
    void (async () => {
      for await (const req of socket.procedure('registerUser')) {
        this.stats.registrations += 1;
        const q = new URL(socket.request.url ?? '/', 'http://mock').searchParams;
        const uuid = q.get('channelUUID') ?? '';
        const known = s.channelUuids?.length ? s.channelUuids.includes(uuid) : uuid.length > 0;
        if (s.refuseRegistration === 'error' || !known || !q.get('hostApi')) {
          this.stats.refusedRegistrations += 1;
          const why = s.refuseRegistration === 'error' ? `channel ${uuid} is not accepting new users` : !known ? `channel ${uuid || '(none)'} not found` : 'hostApi is missing';
          const err = new Error(why);
          err.name = 'ChannelError';
          req.error(err);
          this.emit('register', undefined);
          continue;
        }
        if (s.refuseRegistration === 'no-urn') {
          this.stats.refusedRegistrations += 1;
          req.end(JSON.stringify({ error: 'the channel is not active' }));
          this.emit('register', undefined);
          continue;
        }
        const urn = this.newUrn();
        this.urns.add(urn);
        conn.urn = urn;
        req.end(JSON.stringify({ urn }));
        this.emit('register', urn);
      }
    })();
    void (async () => {
      for await (const { channel } of socket.listener('subscribe')) {
        this.stats.subscriptions += 1;
        this.subscriptions.push({ connection: index, urn: channel });
        conn.urn = channel;
        this.emit('subscribe', index, channel);
        if (!conn.pumping && s.count !== 0) {
          conn.pumping = true;
          void this.pump(conn);
        }
      }
    })();
    void (async () => {
      for await (const data of socket.receiver('sendMessageToChannel')) {
        this.stats.messagesReceived += 1;
        const d = (typeof data === 'object' && data !== null ? data : {}) as { text?: unknown; userUrn?: unknown };
        this.received.push({ connection: index, text: d.text, userUrn: d.userUrn });
        this.emit('message', d);
        if (typeof d.userUrn === 'string' && this.urns.has(d.userUrn) && typeof d.text === 'string') this.echo(d.userUrn, d.text);
      }
    })();
  }

  /** The echo bot: the sender's text back on its urn, with quick replies every other time. */
  private echo(urn: string, text: string): void {
    this.seq += 1;
    this.echoes += 1;
    this.stats.echoes += 1;
    this.stats.eventsSent += 1;
    const msg = { to: urn, from: 'Push demo bot', id: `push-${this.seq}`, text: `You said: ${text}`, ...(this.echoes % 2 === 0 ? { quick_replies: ['Tell me more', 'That is all'] } : {}), timestamp: new Date().toISOString() };
    void this.ag.exchange.transmitPublish(urn, msg);
  }

  private resetPongTimer(conn: Conn): void {
    if (conn.pongTimer) clearTimeout(conn.pongTimer);
    conn.pongTimer = undefined;
    if (!conn.pinging || conn.closed) return;
    conn.pongTimer = setTimeout(() => void conn.socket.disconnect(4001), this.settings.pingTimeout);
  }

  /** A hung server: no more #1, and no more watching for #2. */
  private stopPings(conn: Conn): void {
    conn.pinging = false;
    if (conn.pongTimer) clearTimeout(conn.pongTimer);
    conn.pongTimer = undefined;
  }

  private endConn(conn: Conn): void {
    conn.closed = true;
    for (const t of conn.timers) clearTimeout(t);
    conn.timers.clear();
    if (conn.pongTimer) clearTimeout(conn.pongTimer);
  }

  private sleep(conn: Conn, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        conn.timers.delete(t);
        resolve();
      }, ms);
      conn.timers.add(t);
    });
  }

  /** Wait until the socket has written out what it was given (socketcluster sends through an async queue). */
  private async flushed(conn: Conn, limit = 0): Promise<void> {
    // AGServerSocket.socket is its ws WebSocket (public and typed in socketcluster-server's API).
    const raw = conn.socket.socket;
    while (!conn.closed && (conn.socket.getOutboundBackpressure() > limit || (limit > 0 && raw.bufferedAmount > 1024 * 1024))) {
      if (conn.socket.getOutboundBackpressure() > limit) await new Promise((r) => setImmediate(r));
      else await this.sleep(conn, 5);
    }
  }

  /** Bot messages to this connection's urn at the configured rate (0: as fast as the socket drains). */
  private async pump(conn: Conn): Promise<void> {
    const s = this.settings;
    const plan = { active: conn.faulty, settings: s };
    const interval = s.rate > 0 ? Math.max(1, Math.round(1000 / s.rate)) : 0;
    if (interval) await this.sleep(conn, Math.min(interval, 200));
    while (!conn.closed && !conn.silent && conn.urn) {
      if (!interval) await this.flushed(conn, 256);
      if (conn.closed) return;
      void this.ag.exchange.transmitPublish(conn.urn, this.makeMessage(conn.urn));
      this.stats.eventsSent += 1;
      conn.sent += 1;
      if (s.strayEvery && conn.sent % s.strayEvery === 0) this.stray(conn.urn);
      if (conn.faulty && s.stopPingsAfter !== undefined && conn.sent === s.stopPingsAfter) this.stopPings(conn);
      const actions = faultAfter(plan, conn.sent);
      if (actions.length && (await this.applyFaults(conn, actions))) return;
      if (interval) await this.sleep(conn, interval);
    }
  }

  /** A message on this urn's channel addressed to someone else: a client must skip it. Not numbered. */
  private stray(urn: string): void {
    this.strays += 1;
    this.stats.strays += 1;
    void this.ag.exchange.transmitPublish(urn, { to: `${this.newUrn()}`, from: 'Push demo bot', id: `stray-${this.strays}`, text: 'This message is for another user', timestamp: new Date().toISOString() });
  }

  /** Returns true when the pump must stop. */
  private async applyFaults(conn: Conn, actions: FaultAction[]): Promise<boolean> {
    await this.flushed(conn); // the n-th message goes out before the fault
    if (conn.closed) return true;
    const socket = conn.socket;
    const urn = conn.urn ?? '';
    return !applyFaults(actions, this.settings, {
      // AGServerSocket.send writes a frame as it is, past the codec.
      send: (data, binary) => socket.send(data, { binary: binary === true }),
      terminate: () => socket.terminate(),
      close: (code, reason) => void socket.disconnect(code, reason),
      malformed: '{"event":"#publish","data":{"channel":',
      oversized: (padding) => JSON.stringify({ event: '#publish', data: { channel: urn, data: { ...this.makeMessage(urn), padding } } }),
      goSilent: () => {
        conn.silent = true;
        this.stopPings(conn);
      },
      goDown: (ms) => this.goDown(ms),
      emit: (event, action) => this.emit(event, action),
      doneReason: 'no more messages',
    });
  }
}

export async function startPushMock(options: Record<string, unknown>): Promise<PushMock> {
  const list = (v: unknown) => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : undefined);
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const settings: PushMockSettings = {
    ...commonMockSettings(options),
    channelUuids: list(options.channelUuid),
    pingInterval: num(options.pingInterval) ?? 8000,
    pingTimeout: num(options.pingTimeout) ?? 20_000,
    refuseRegistration: options.refuseRegistration === 'error' || options.refuseRegistration === 'no-urn' ? options.refuseRegistration : undefined,
    stopPingsAfter: num(options.stopPingsAfter),
    strayEvery: num(options.strayEvery),
    knownUrns: list(options.urn),
  };
  return new PushMock(settings).start();
}
