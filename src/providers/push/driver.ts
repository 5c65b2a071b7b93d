/**
 * Push over SocketCluster v9 (protocol version 1), through socketcluster-client 20.0.1:
 * handshake → registerUser (once per run; the urn is reused after a reconnect) → subscribe to the urn →
 * messages whose `to` is the urn. One client socket per connection attempt, with everything that acts on its
 * own switched off (autoReconnect, the client's ping timer): the session owns reconnection and the watchdog.
 */
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import scClient from 'socketcluster-client';
import type { AGClientSocket } from 'socketcluster-client';
import type WebSocket from 'ws';
import { AuthError, UsageError } from '../../errors.js';
import { defaultHttpOutcome, socketErrorOutcome } from '../../transport/ws-transport.js';
import type { CloseOutcome, Connection, Driver, DriverHooks } from '../../types.js';
import type { DriverContext } from '../spec.js';
import { decodeFrame, describeScClose, parseRegisterReply, pushUrl, toEvent } from './messages.js';
import { receivedAt } from '../../transport/received-at.js';

/** pingTimeout when the handshake answer has none (SocketCluster's default client value). */
const DEFAULT_PING_TIMEOUT_MS = 20_000;
/** How long registerUser may take before we call the link dead (socketcluster-client's default ackTimeout). */
const ACK_TIMEOUT_MS = 10_000;
/** Server events the client handles itself; anything else is shown in --verbose and ignored. */
const CLIENT_EVENTS = new Set(['#publish', '#kickOut', '#setAuthToken', '#removeAuthToken', '#disconnect']);

const REFUSED_HINT = 'check --channel-uuid and --host-api (they are in the web-chat embed code of the Push channel)';

/** Close codes → recovery (protocols.md §3). */
export function classifyClose(code: number, reason: string): CloseOutcome {
  const why = describeScClose(code, reason);
  switch (code) {
    case 1000:
      return { recovery: 'done', reason: why };
    case 4000: // no #1 from the server in time
    case 4001: // the server saw no #2 from us in time
      return { recovery: 'retry', reason: why, code, immediate: true };
    case 4003: // handshake failed, 4005 not in time, 4007 no connection in time: retried, within the budget
    case 4005:
    case 4007:
      return { recovery: 'retry', reason: why, code };
    case 4008: // a handshake middleware said no: a deliberate refusal, not a glitch
      return { recovery: 'fatal', error: new AuthError(`the Push server ${why}`, REFUSED_HINT) };
    default:
      return { recovery: 'retry', reason: why, code };
  }
}

type ClientSocket = AGClientSocket;

/** Auth tokens the server may set (#setAuthToken), kept for the run like the browser client keeps them. */
function memoryAuthEngine() {
  const store = new Map<string, string>();
  return {
    saveToken: async (name: string, token: unknown) => {
      store.set(name, String(token));
      return token as string;
    },
    removeToken: async (name: string) => {
      const t = store.get(name) ?? null;
      store.delete(name);
      return t;
    },
    loadToken: async (name: string) => store.get(name) ?? null,
  };
}

export class PushDriver implements Driver {
  readonly provider = 'push';
  readonly url: URL;
  /** The session urn: from --urn or the first registerUser; reused after every reconnect. */
  urn: string | undefined;
  /** Messages waiting for a subscribed connection: --send, then --stdin lines. */
  private readonly outbox: string[] = [];
  private current: PushConnection | undefined;
  private reader: readline.Interface | undefined;
  private hooks: DriverHooks | undefined;
  skipped = 0;
  readonly auth = memoryAuthEngine();

  constructor(
    readonly ctx: DriverContext,
    private readonly stdin: Readable = process.stdin,
  ) {
    const o = ctx.options;
    const str = (k: string) => (typeof o[k] === 'string' && (o[k] as string).length > 0 ? (o[k] as string) : undefined);
    if (!ctx.common.url && !str('host')) throw new UsageError('push: missing --host or EVTAIL_HOST', 'pass --host <hostname> (the Push WebSocket server), or --url');
    try {
      this.url = pushUrl({ url: ctx.common.url, host: str('host'), channelUuid: str('channelUuid'), hostApi: str('hostApi') });
    } catch {
      throw new UsageError(`push: not a valid URL: ${ctx.common.url ?? str('host')}`, 'pass --host <hostname> or --url ws[s]://host/socketcluster/');
    }
    if (this.url.protocol !== 'ws:' && this.url.protocol !== 'wss:') throw new UsageError(`push: the URL must be ws:// or wss://, got ${this.url.protocol}`);
    if (!this.url.searchParams.get('channelUUID')) throw new UsageError('push: missing --channel-uuid or EVTAIL_CHANNEL_UUID', "the Push channel's UUID, from the web-chat embed code");
    if (!this.url.searchParams.get('hostApi')) throw new UsageError('push: missing --host-api or EVTAIL_HOST_API', 'the Push API URL, from the web-chat embed code');
    this.urn = str('urn');
    const send = str('send');
    if (send !== undefined) this.outbox.push(send);
  }

  connect(hooks: DriverHooks): Connection {
    this.hooks = hooks;
    this.startStdin();
    return new PushConnection(this, hooks);
  }

  /** A connection is subscribed: it carries what we send from now on. */
  subscribed(conn: PushConnection): void {
    this.current = conn;
    this.flush();
  }

  detach(conn: PushConnection): void {
    if (this.current === conn) this.current = undefined;
  }

  /** The run is over, even between connections: no more stdin. */
  dispose(): void {
    this.stop();
  }

  /** We are stopping: no more stdin. */
  stop(): void {
    this.reader?.close();
    this.reader = undefined;
  }

  private startStdin(): void {
    if (this.ctx.options.stdin !== true || this.reader) return;
    const rl = readline.createInterface({ input: this.stdin, crlfDelay: Infinity, terminal: false });
    this.reader = rl;
    rl.on('line', (line) => {
      if (line.trim() === '') return;
      this.outbox.push(line);
      this.flush();
    });
    // The end of stdin ends the chat, not the tail.
    rl.on('close', () => this.hooks?.debug('stdin ended; still tailing'));
  }

  private flush(): void {
    const conn = this.current;
    while (this.outbox.length && conn?.canSend) conn.sendText(this.outbox.shift()!);
  }
}

class PushConnection implements Connection {
  private readonly socket: ClientSocket;
  private readonly ws: WebSocket | undefined;
  /** A verdict decided by the protocol or by us (close, terminate, refusal); it wins over the close code. */
  private outcome: CloseOutcome | undefined;
  /** What the socket itself said (HTTP refusal, DNS, TLS...): wins over the close code it ends with. */
  private netOutcome: CloseOutcome | undefined;
  private finished = false;
  private subscribed = false;
  private clearOnFinish: (() => void) | undefined;
  /** #publish payload → the frame it came in, for --format raw. */
  private readonly raws = new WeakMap<object, string>();

  constructor(
    private readonly driver: PushDriver,
    private readonly hooks: DriverHooks,
  ) {
    const url = driver.url;
    const transport = driver.ctx.transport;
    const secure = url.protocol === 'wss:';
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    this.socket = scClient.create({
      protocolScheme: secure ? 'wss' : 'ws',
      secure,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : secure ? 443 : 80,
      path: url.pathname,
      query,
      protocolVersion: 1,
      autoConnect: false,
      autoReconnect: false,
      // The session's watchdog judges silence (it is suspended while stdout is full); the client's own ping
      // timer would not be, and with it on, a send on a "stale" socket makes the client reconnect by itself.
      pingTimeoutDisabled: true,
      connectTimeout: transport.handshakeTimeoutMs,
      ackTimeout: ACK_TIMEOUT_MS,
      authEngine: driver.auth,
      codecEngine: { encode: (o: unknown) => this.encode(o), decode: (m: unknown) => this.decode(m) },
      wsOptions: {
        maxPayload: transport.maxPayload,
        handshakeTimeout: transport.handshakeTimeoutMs,
        ca: transport.ca,
        rejectUnauthorized: !transport.insecure,
        agent: transport.agentFor?.(url.href),
        perMessageDeflate: false,
        followRedirects: false,
      },
    } as Parameters<typeof scClient.create>[0]);

    const socket = this.socket;
    // Listen before connecting: the client's events are streams, and a consumer sees only what follows it.
    void socket.listener('close').once().then(({ code, reason }) => this.finish(code, reason ?? ''));
    void socket.listener('connect').once().then((status) => this.onHandshake(status as { pingTimeout?: unknown }));
    void socket.listener('kickOut').once().then(({ channel, message }) => {
      this.fail(new AuthError(`the Push server removed us from ${channel}${message ? `: ${message}` : ''}`, REFUSED_HINT));
    });
    void (async () => {
      for await (const { error } of socket.listener('error')) this.hooks.debug(`socketcluster: ${error?.message ?? String(error)}`);
    })();

    socket.connect();
    this.ws = reachWs(socket);
    if (this.ws) this.watchWs(this.ws);
    else {
      hooks.debug('socketcluster-client: the underlying WebSocket is not reachable; pause/resume and ping logging are off');
      void (async () => {
        // 'message' (every inbound frame) is emitted by the client but missing from its type definitions.
        const raw = socket as unknown as { listener(event: 'message'): AsyncIterable<{ message: unknown }> };
        for await (const { message } of raw.listener('message')) if (message === '#1') this.onPing();
      })();
    }
  }

  private watchWs(ws: WebSocket): void {
    ws.on('open', () => this.hooks.open());
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      this.netOutcome =
        status === 401 || status === 403
          ? { recovery: 'fatal', error: new AuthError(`the Push server refused the connection: HTTP ${status}`, REFUSED_HINT) }
          : defaultHttpOutcome(status, res.headers);
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err: Error & { code?: string }) => {
      const outcome = socketErrorOutcome(err, this.driver.url.href, this.hooks, this.driver.ctx.transport.maxPayload);
      if (!this.netOutcome) this.netOutcome = outcome;
    });
    // The client answers #1 with #2 itself (before this listener runs); neither goes through the codec.
    ws.on('message', (data, isBinary) => {
      // Text frames arrive as a Buffer whatever binaryType says; look at two bytes before making a string.
      if (!isBinary && Buffer.isBuffer(data) && data.length === 2 && data[0] === 0x23 && data[1] === 0x31) this.onPing();
    });
  }

  private onPing(): void {
    this.hooks.frame('in', '#1');
    if (this.ws ? this.ws.readyState === this.ws.OPEN : true) this.hooks.frame('out', '#2');
    this.hooks.alive();
  }

  private encode(obj: unknown): string {
    const text = JSON.stringify(obj);
    this.hooks.frame('out', text);
    return text;
  }

  private decode(message: unknown): unknown {
    if (typeof message !== 'string') {
      const text = Buffer.from(message as ArrayBuffer).toString('utf8');
      this.hooks.frame('in', text);
      this.hooks.undecodable(text, 'binary frame');
      return null;
    }
    const d = decodeFrame(message);
    // A token the server hands out is a secret before the frame that carries it is shown or recorded.
    if (d.ok) {
      for (const p of d.packets) {
        const token = 'event' in p && p.event === '#setAuthToken' ? (p.data as { token?: unknown } | undefined)?.token : undefined;
        if (typeof token === 'string' && token) this.hooks.secret(token);
      }
    }
    this.hooks.frame('in', message);
    if (!d.ok) {
      this.hooks.undecodable(message, d.reason);
      return message; // the client treats it as a 'raw' message and moves on
    }
    for (const p of d.packets) {
      if (!('event' in p)) continue;
      if (p.event === '#publish') {
        const inner = (p.data as { data?: unknown } | undefined)?.data;
        if (typeof inner === 'object' && inner !== null) this.raws.set(inner, message);
      } else if (!CLIENT_EVENTS.has(p.event)) {
        this.hooks.debug(`ignoring server event ${p.event}`);
      }
    }
    return d.value;
  }

  private onHandshake(status: { pingTimeout?: unknown }): void {
    if (this.finished) return;
    if (!this.ws) this.hooks.open();
    const raw = status?.pingTimeout;
    const pingTimeout = typeof raw === 'number' && raw > 0 ? raw : DEFAULT_PING_TIMEOUT_MS;
    if (pingTimeout !== raw) this.hooks.debug(`handshake without a pingTimeout; using ${DEFAULT_PING_TIMEOUT_MS} ms`);
    this.hooks.debug(`handshake done: a #1 is due within ${pingTimeout} ms`);
    this.hooks.heartbeat({ mode: 'silence', timeoutMs: pingTimeout });
    if (this.driver.urn) this.subscribe(this.driver.urn);
    else void this.register();
  }

  private async register(): Promise<void> {
    let reply: unknown;
    try {
      reply = await this.socket.invoke('registerUser', {});
    } catch (err) {
      if (this.finished) return;
      const e = err as Error;
      if (e.name === 'BadConnectionError') return; // the close that follows reports it
      if (e.name === 'TimeoutError') return this.terminate(`registerUser got no answer within ${ACK_TIMEOUT_MS / 1000}s`);
      return this.fail(new AuthError(`channel refused: registerUser failed: ${e.message || e.name}`, REFUSED_HINT));
    }
    if (this.finished) return;
    const r = parseRegisterReply(reply);
    if ('error' in r) return this.fail(new AuthError(`channel refused: ${r.error}`, REFUSED_HINT));
    this.driver.urn = r.urn;
    this.hooks.status(`registered: urn ${r.urn}`);
    this.subscribe(r.urn);
  }

  private subscribe(urn: string): void {
    const channel = this.socket.subscribe(urn);
    // The client waits for the #subscribe answer without a deadline; we do not.
    const clock = this.driver.ctx.clock;
    const deadline = clock.setTimeout(() => this.terminate(`no answer to #subscribe within ${ACK_TIMEOUT_MS / 1000}s`), ACK_TIMEOUT_MS);
    this.clearOnFinish = () => clock.clearTimeout(deadline);
    void channel.listener('subscribe').once().then(() => {
      clock.clearTimeout(deadline);
      if (this.finished) return;
      this.subscribed = true;
      this.hooks.ready(`subscribed to ${urn}`);
      this.driver.subscribed(this);
    });
    void channel.listener('subscribeFail').once().then(({ error }) => {
      const resumed = this.driver.ctx.options.urn === urn;
      this.fail(new AuthError(`the Push server refused the subscription to ${urn}: ${error?.message ?? 'no reason given'}`, resumed ? 'the urn given with --urn may have expired: run without --urn to register a new user' : REFUSED_HINT));
    });
    void (async () => {
      for await (const msg of channel) this.onMessage(msg, urn);
    })();
  }

  private onMessage(msg: unknown, urn: string): void {
    const raw = (typeof msg === 'object' && msg !== null ? this.raws.get(msg) : undefined) ?? JSON.stringify({ event: '#publish', data: { channel: urn, data: msg } });
    const c = toEvent(msg, urn, receivedAt(), raw);
    if ('error' in c) return this.hooks.undecodable(raw, c.error);
    if ('skip' in c) {
      this.driver.skipped += 1;
      return this.hooks.debug(`skipped a message ${c.skip}, not to ${urn} (${this.driver.skipped} skipped so far)`);
    }
    this.hooks.event(c.event);
  }

  get canSend(): boolean {
    return this.subscribed && !this.finished && this.socket.state === this.socket.OPEN;
  }

  /** sendMessageToChannel by transmit: no cid, no answer expected. */
  sendText(text: string): void {
    const urn = this.driver.urn;
    if (!urn || !this.canSend) return;
    void this.socket.transmit('sendMessageToChannel', { text, userUrn: urn });
  }

  /** A refusal: stop this link with a fatal verdict. */
  private fail(error: AuthError): void {
    if (this.finished) return;
    this.outcome = { recovery: 'fatal', error };
    this.socket.disconnect(1000, 'refused');
  }

  private finish(code: number, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    this.subscribed = false;
    this.clearOnFinish?.();
    this.driver.detach(this);
    const outcome = this.outcome ?? this.netOutcome ?? classifyClose(code, reason);
    // Messages already received are still queued in the client's channel stream: let them out first.
    setImmediate(() => {
      this.hooks.closed(outcome);
      this.socket.killAllChannels();
      this.socket.killAllListeners();
      this.socket.killAllReceivers();
      this.socket.killAllProcedures();
      this.settleWs();
    });
  }

  /** A peer that never answers our close frame must not keep us alive. */
  private settleWs(): void {
    const ws = this.ws;
    if (!ws || ws.readyState === ws.CLOSED) return;
    const t = setTimeout(() => ws.terminate(), 2000);
    t.unref();
    ws.once('close', () => clearTimeout(t));
  }

  close(): void {
    if (!this.outcome) this.outcome = { recovery: 'done', reason: 'closed by evtail' };
    this.driver.stop();
    this.socket.disconnect(1000);
    if (!this.finished) return;
    this.settleWs();
  }

  terminate(reason: string): void {
    if (this.finished) return;
    if (!this.outcome) this.outcome = { recovery: 'retry', reason };
    if (this.ws) this.ws.terminate();
    else this.socket.disconnect(4000, reason);
  }

  pause(): void {
    this.ws?.pause();
  }

  resume(): void {
    this.ws?.resume();
  }
}

/** socketcluster-client 20 keeps the ws WebSocket at socket.transport.socket (transport.js); it is not public API. */
function reachWs(socket: ClientSocket): WebSocket | undefined {
  const ws = (socket as unknown as { transport?: { socket?: unknown } }).transport?.socket as WebSocket | undefined;
  return ws && typeof ws.pause === 'function' && typeof ws.on === 'function' ? ws : undefined;
}
