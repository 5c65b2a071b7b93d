/**
 * One SocketCluster connection (socketcluster-client 20) as a Connection the session can drive.
 *
 * - One fresh client socket per connection attempt, autoReconnect off: the session owns reconnection,
 *   and subscriptions are made again on every attempt.
 * - The client's own ping timeout is off: it would fire while the session pauses reading (stdout full).
 *   Instead every inbound frame (server pings included) feeds the session's watchdog in silence mode,
 *   which is suspended while paused.
 * - Frames are decoded once, by our codec engine (JSON, like the client's default sc-formatter): it hands
 *   publishes over synchronously, in arrival order across channels, with the frame they came in, and
 *   returns the packets to the client, which still runs the protocol (handshake, pings, subscribe, tokens).
 * - Upgrade refusals, TLS and socket errors get the same verdicts as every WsLink (ws-transport.ts).
 *
 * Used by every driver that speaks SocketCluster: the socketcluster provider (channels known up front) and Push
 * (an RPC first, then a channel learned at run time, and transmits of its own).
 */
import { formatDuration } from '../../format.js';
import type WebSocket from 'ws';
import { create, type AGClientSocket } from 'socketcluster-client';
import { ConnectionError } from '../../errors.js';
import { Facts } from '../../transport/cause.js';
import { classifyStandard, defaultCloseOutcome, defaultHttpOutcome, describeClose, OVERSIZED_FRAME, oversizedFrameError, type HttpHeaders } from '../../transport/classify.js';
import type { TransportOptions } from '../../transport/ws-transport.js';
import type { CloseOutcome, Connection, DriverHooks, LinkCause, TimerHandle } from '../../types.js';
import { parseScFrame } from './messages.js';

const DEFAULT_ACK_TIMEOUT_MS = 10_000;

/** Where to connect, as socketcluster-client options. */
export interface ScEndpoint {
  secure: boolean;
  hostname: string;
  port: number;
  path: string;
  query: Record<string, string | string[]>;
}

/** ws(s)://host[:port][/path][?query] → client options. No path at all means SocketCluster's default /socketcluster/. */
export function parseScUrl(url: string): ScEndpoint | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return undefined;
  const secure = u.protocol === 'wss:';
  const hasPath = /^wss?:\/\/[^/?#]+\//i.test(url);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of u.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return {
    secure,
    hostname: u.hostname,
    port: u.port ? Number(u.port) : secure ? 443 : 80,
    path: hasPath ? u.pathname : '/socketcluster/',
    query,
  };
}

/** Keeps the signed auth token across connections (the server may renew or remove it). */
export class TokenStore {
  constructor(public token: string | null = null) {}
  /** The AuthEngine socketcluster-client calls. */
  readonly engine = {
    saveToken: async (_name: string, token: string) => {
      this.token = token;
      return token;
    },
    removeToken: async () => {
      const old = this.token;
      this.token = null;
      return old;
    },
    loadToken: async () => this.token,
  };
}

export interface ScLinkOptions {
  url: string;
  endpoint: ScEndpoint;
  protocolVersion: 1 | 2;
  transport: TransportOptions;
  tokens?: TokenStore;
  /** Channels to subscribe to once the handshake is done (more can be added later with subscribe()). */
  channels?: readonly string[];
  /** How long the handshake answer and the subscriptions may take (default 10 s, the client's ackTimeout). */
  ackTimeoutMs?: number;
  /** What feeds the watchdog: every inbound frame (default), or only the server's pings ('pings'). */
  liveness?: 'frames' | 'pings';
}

export interface HandshakeStatus {
  id?: string;
  pingTimeout?: number;
  isAuthenticated?: boolean;
  authError?: { name?: string; message?: string } | null;
}

export interface ScLinkHandlers {
  /** Handshake done (before subscriptions are confirmed). */
  onConnect?(status: HandshakeStatus): void;
  /** Every channel in `channels` is subscribed. */
  onSubscribed?(channels: string[]): void;
  onSubscribeFail?(channel: string, error: Error): void;
  onKickOut?(channel: string, message: unknown): void;
  /** A publish on a channel, with the frame it came in and the message's own text in it (for the envelope). */
  onPublish(channel: string, data: unknown, frame: string, json: string | undefined): void;
  /** Any other server transmit (not #publish and not the client's own control events). */
  onTransmit?(event: string, data: unknown, frame: string): void;
  /** The server pings in the other protocol version (it will time us out: we do not answer its pings). */
  onForeignPing?(serverVersion: 1 | 2): void;
  /** The driver's one classify: the decisive cause → verdict, run once at close (default: classifySc). */
  classify?(cause: LinkCause): CloseOutcome;
  /** The link is over: called with its verdict just before hooks.closed(). */
  onClosed?(outcome: CloseOutcome): void;
}

/** As for any WebSocket, except that 400 means a wrong path (socketcluster-server refuses other paths with 400): not worth retrying. */
export function defaultScHttpOutcome(status: number, headers: HttpHeaders): CloseOutcome {
  if (status === 400) {
    return { recovery: 'fatal', error: new ConnectionError('the server answered HTTP 400 to the WebSocket upgrade', "check the URL's path: SocketCluster serves /socketcluster/ unless the server was set up otherwise") };
  }
  return defaultHttpOutcome(status, headers);
}

/** SocketCluster's close codes (sc-errors) on top of the standard table: ping timeouts come back at once. */
export function defaultScCloseOutcome(code: number, reason: string): CloseOutcome {
  const why = describeScClose(code, reason);
  const permanent = permanentScClose(code, why);
  if (permanent) return permanent;
  // Ping timeouts: come back at once, like socketcluster-client does.
  if (code === 4000 || code === 4001 || code === 1005) return { recovery: 'retry', reason: why, code, immediate: true };
  const standard = defaultCloseOutcome(code, reason);
  return standard.recovery === 'fatal' ? standard : { ...standard, reason: why };
}

/**
 * Close codes from 4500 up are permanent in both SocketCluster clients (socketcluster-client reconnects only
 * below 4500: a server application uses them to say "do not come back"): final, exit 5 with the code and reason.
 */
export function permanentScClose(code: number, why: string): CloseOutcome | undefined {
  if (code < 4500 || code > 4999) return undefined;
  return {
    recovery: 'fatal',
    error: new ConnectionError(`the server ${why}, a permanent close (4500 and up): not reconnecting`, 'SocketCluster servers close with 4500-4999 to ask clients not to come back; check with the server\'s operator'),
  };
}

/** What a closed SocketCluster link means, by SocketCluster's tables. */
export function classifySc(cause: LinkCause): CloseOutcome {
  return classifyStandard(cause, { http: defaultScHttpOutcome, close: defaultScCloseOutcome });
}

const scCloseNames: Record<number, string> = {
  4000: 'server ping timed out',
  4001: 'client pong timed out',
  4002: 'server failed to sign auth token',
  4003: 'failed to complete handshake',
  4004: 'client failed to save auth token',
  4005: 'no #handshake from the client before the timeout',
  4006: 'failed to bind the socket to the message broker',
  4007: 'connection establishment timed out',
  4008: 'the server rejected the handshake',
  4009: 'a message before the handshake',
};

export function describeScClose(code: number, reason: string): string {
  const name = scCloseNames[code];
  if (!name) return describeClose(code, reason);
  const text = `closed with code ${code} (${name})`;
  return reason && reason.toLowerCase() !== name ? `${text}: ${reason}` : text;
}

type ClientEvent = { code: number; reason?: string };

export class ScLink implements Connection {
  readonly socket: AGClientSocket;
  readonly ws: WebSocket;
  private readonly facts = new Facts();
  private finished = false;
  private foreignPing = false;
  /** Ours: the client leaves its socket to us after close. Cleared when the socket is gone. */
  private killTimer: NodeJS.Timeout | undefined;
  /** The session's timer for the #subscribe answers (it does not run while stdout is full). */
  private subscribeDeadline: TimerHandle | undefined;
  /** The handshake is done: a channel subscribed from now on is awaited at once. */
  private connected = false;
  private readonly wanted = new Set<string>();
  private readonly confirmed = new Set<string>();

  constructor(
    private readonly hooks: DriverHooks,
    private readonly options: ScLinkOptions,
    private readonly handlers: ScLinkHandlers,
  ) {
    const t = options.transport;
    const ep = options.endpoint;
    const wsOptions: WebSocket.ClientOptions = {
      maxPayload: t.maxPayload,
      handshakeTimeout: t.handshakeTimeoutMs,
      ca: t.ca,
      rejectUnauthorized: !t.insecure,
      agent: t.agentFor?.(options.url),
      perMessageDeflate: false,
      followRedirects: false,
    };
    this.socket = create({
      hostname: ep.hostname,
      port: ep.port,
      secure: ep.secure,
      path: ep.path,
      query: ep.query as Record<string, string>,
      protocolVersion: options.protocolVersion,
      autoConnect: false,
      autoReconnect: false,
      pingTimeoutDisabled: true,
      connectTimeout: Math.max(t.handshakeTimeoutMs, 1000),
      ackTimeout: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
      authEngine: (options.tokens ?? new TokenStore()).engine,
      codecEngine: { encode: (o: unknown) => JSON.stringify(o), decode: (m: unknown) => this.decode(m) },
      wsOptions,
    } as Parameters<typeof create>[0] & { protocolVersion: number; wsOptions: WebSocket.ClientOptions });
    // Listen before connecting: the client's events are streams, and a consumer sees only what follows it.
    this.listen();
    for (const ch of options.channels ?? []) this.subscribe(ch);
    this.socket.connect();
    // socketcluster-client 20 keeps the ws WebSocket at socket.transport.socket (transport.js): not public API,
    // pinned by the exact client version.
    const ws = (this.socket.transport as unknown as { socket?: WebSocket } | undefined)?.socket;
    if (!ws || typeof ws.pause !== 'function' || typeof ws.on !== 'function') throw new Error('socketcluster-client: the underlying WebSocket is not reachable');
    this.ws = ws;
    this.watchWs();
  }

  private watchWs(): void {
    const { hooks, ws } = this;
    ws.on('unexpected-response', (_req, res) => {
      this.facts.note({ kind: 'http', status: res.statusCode ?? 0, headers: res.headers });
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err: Error & { code?: string }) => {
      const maxPayload = this.options.transport.maxPayload;
      if (err.code === OVERSIZED_FRAME) hooks.error(oversizedFrameError(maxPayload));
      this.facts.note({ kind: 'socket', code: err.code ?? '', message: err.message, url: this.options.url, maxPayload });
    });
    ws.on('open', () => hooks.open());
    // The client's own pings never reach the codec: it answers them itself. Prepended, so the ping is logged
    // before its pong. The other version's ping does reach the codec, which logs it.
    ws.prependListener('message', (data, isBinary) => {
      if (isBinary || this.finished) return;
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : Buffer.isBuffer(data) ? data.length : data.byteLength;
      if (size > 2) return;
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
      if (text === '' || text === '#1' || text === '#2') this.onPing(text);
    });
    // Outbound frames (handshake, subscribe, pongs), for --verbose and --record.
    const send = ws.send.bind(ws) as (data: unknown, ...rest: unknown[]) => void;
    (ws as unknown as { send: (data: unknown, ...rest: unknown[]) => void }).send = (data: unknown, ...rest: unknown[]) => {
      if (typeof data === 'string' && !this.finished) hooks.frame('out', data);
      send(data, ...rest);
    };
  }

  /** Subscribe to a channel, now or once the handshake is done; its answer gets the same deadline. */
  subscribe(channel: string): void {
    if (this.finished || this.wanted.has(channel)) return;
    this.wanted.add(channel);
    this.socket.subscribe(channel);
    if (this.connected) this.awaitSubscriptions();
  }

  /** The client waits for #subscribe answers without a deadline; we do not. */
  private awaitSubscriptions(): void {
    if (this.finished || [...this.wanted].every((c) => this.confirmed.has(c))) return;
    this.clearDeadline();
    const ms = this.options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    this.subscribeDeadline = this.hooks.timer(ms, () => {
      const missing = [...this.wanted].filter((c) => !this.confirmed.has(c));
      this.abort({ recovery: 'retry', reason: `no answer to #subscribe (${missing.join(', ')}) within ${formatDuration(ms)}` });
    });
  }

  private listen(): void {
    const { hooks, handlers, socket } = this;
    void (async () => {
      for await (const status of socket.listener('connect')) {
        const s = status as HandshakeStatus;
        this.connected = true;
        if (typeof s.pingTimeout === 'number' && s.pingTimeout > 0) hooks.heartbeat({ mode: 'silence', timeoutMs: s.pingTimeout });
        if (this.wanted.size) this.awaitSubscriptions();
        handlers.onConnect?.(s);
      }
    })();
    void (async () => {
      for await (const { channel } of socket.listener('subscribe')) {
        this.confirmed.add(channel);
        if (this.wanted.size && [...this.wanted].every((c) => this.confirmed.has(c))) {
          this.clearDeadline();
          if (!this.finished) handlers.onSubscribed?.([...this.wanted]);
        }
      }
    })();
    void (async () => {
      for await (const { channel, error } of socket.listener('subscribeFail')) handlers.onSubscribeFail?.(channel, error);
    })();
    void (async () => {
      for await (const { channel, message } of socket.listener('kickOut')) handlers.onKickOut?.(channel, message);
    })();
    void (async () => {
      for await (const { error } of socket.listener('error')) hooks.debug(`socketcluster: ${error.name}: ${error.message}`);
    })();
    void (async () => {
      for await (const ev of socket.listener('close')) {
        this.onClose(ev as ClientEvent);
        break;
      }
    })();
  }

  private clearDeadline(): void {
    this.subscribeDeadline?.cancel();
    this.subscribeDeadline = undefined;
  }

  private onPing(text: string): void {
    // '' pings in protocol 2, '#1' in protocol 1 ('#2' is the protocol 1 pong). Only the client's own ping skips
    // the codec (which logs every other frame).
    const v = this.options.protocolVersion;
    const own = (v === 1 && text === '#1') || (v === 2 && text === '');
    if (own) this.hooks.frame('in', text);
    if (own || this.options.liveness !== 'pings') this.hooks.alive();
    const foreign = text === '#1' && v === 2 ? 1 : text === '' && v === 1 ? 2 : undefined;
    if (foreign && !this.foreignPing) {
      this.foreignPing = true;
      this.handlers.onForeignPing?.(foreign);
    }
  }

  /**
   * The codec's decode, called synchronously for every frame but pings: publishes go out from here, in order,
   * with their frame; the packets go back to the client. Like sc-formatter, text that is not JSON is returned as is.
   */
  private decode(message: unknown): unknown {
    if (typeof message !== 'string') {
      const text = Buffer.from(message as ArrayBuffer).toString('utf8');
      if (!this.finished) {
        this.hooks.frame('in', text);
        this.hooks.undecodable(text, 'binary frame');
      }
      return null;
    }
    if (this.finished) return null;
    // A version 1 ping ('#1', or its pong '#2') under version 2 reached the codec too: onPing has dealt with it
    // (an empty frame under version 1 stays a frame that did not decode: Push's server never sends one).
    if (this.options.protocolVersion === 2 && (message === '#1' || message === '#2')) {
      this.hooks.frame('in', message);
      return message;
    }
    const f = parseScFrame(message);
    if (!f.ok) {
      this.hooks.frame('in', message);
      this.hooks.undecodable(message, f.reason);
      return message;
    }
    // A token the server hands out is a secret before the frame that carries it is shown anywhere.
    for (const token of f.tokens) this.hooks.secret(token);
    this.hooks.frame('in', message);
    if (this.options.liveness !== 'pings') this.hooks.alive();
    for (const item of f.items) {
      if (item.kind === 'publish') this.handlers.onPublish(item.channel, item.data, message, item.json);
      else if (item.kind === 'transmit') this.handlers.onTransmit?.(item.event, item.data, message);
      else this.hooks.undecodable(message, item.reason);
    }
    return f.packet;
  }

  private onClose(ev: ClientEvent): void {
    if (this.finished) return;
    this.finished = true;
    this.clearDeadline();
    const code = typeof ev.code === 'number' ? ev.code : 1005;
    const reason = typeof ev.reason === 'string' ? ev.reason : '';
    this.facts.note({ kind: 'close', code, reason });
    const outcome = (this.handlers.classify ?? classifySc)(this.facts.cause());
    this.handlers.onClosed?.(outcome);
    // The client stays ours to clean up: end our listeners, drop its channels, make sure the socket is gone.
    this.socket.killAllListeners();
    this.socket.killAllChannels();
    if (this.ws.readyState !== this.ws.CLOSED) {
      this.killTimer = setTimeout(() => this.ws.terminate(), 2000);
      this.killTimer.unref();
      this.ws.once('close', () => clearTimeout(this.killTimer));
    }
    this.hooks.closed(outcome);
  }

  /** The protocol said how this ends (a refusal): close with that as a fact. */
  end(outcome: CloseOutcome, reason?: string): void {
    this.facts.note({ kind: 'protocol', outcome });
    this.disconnect(1000, reason);
  }

  /** The protocol gave up on this link (a deadline missed, a version to switch to): kill it now, with that as a fact. */
  abort(outcome: CloseOutcome): void {
    this.facts.note({ kind: 'protocol', outcome });
    this.ws.terminate();
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** The handshake is done and the socket is open: invoke and transmit go out now. */
  get isOpen(): boolean {
    return !this.finished && this.socket.state === this.socket.OPEN;
  }

  /** An RPC (an event with a cid); rejects with the server's error, a TimeoutError after ackTimeoutMs, or a BadConnectionError. */
  invoke(event: string, data?: unknown): Promise<unknown> {
    return this.socket.invoke(event, data);
  }

  /** An event without a cid: the server does not answer it. */
  transmit(event: string, data?: unknown): void {
    if (!this.isOpen) return;
    void this.socket.transmit(event, data);
  }

  /** Close with a code (what the code means is reported, unless a fact noted before decides). */
  private disconnect(code = 1000, reason?: string): void {
    if (this.ws.readyState === this.ws.CONNECTING) {
      this.ws.terminate();
      return;
    }
    this.socket.disconnect(code, reason);
  }

  /** The run is over. */
  close(): void {
    this.facts.note({ kind: 'local', action: 'stop', reason: 'closed by evtail' });
    this.disconnect(1000);
  }

  /** The session found the link dead. */
  terminate(reason: string): void {
    this.facts.note({ kind: 'local', action: 'dead', reason });
    this.ws.terminate();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }
}
