/**
 * The ws wrapper every driver uses: one place for maxPayload, handshake timeout, TLS, proxy and pause/resume.
 * A link reports facts (an HTTP answer, a socket error, a close frame, what the protocol or we decided), never
 * verdicts: at close it hands the decisive one to the driver's classify, once (transport/cause.ts says which).
 */
import type { Agent } from 'node:http';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { createRequire } from 'node:module';
import type WebSocketClass from 'ws';
import type { CloseOutcome, Connection, DriverHooks, LinkCause } from '../types.js';
import { Facts } from './cause.js';
import { UsageError } from '../errors.js';
import { classifyStandard, OVERSIZED_FRAME, oversizedFrameError } from './classify.js';

// ws through require(): its ESM entry (wrapper.mjs) puts each of its files through the ESM loader and
// cjs-module-lexer, a few ms of every run's start-up before the first event; the CommonJS entry is the same code.
const WebSocket = createRequire(import.meta.url)('ws') as typeof WebSocketClass;
type WebSocket = WebSocketClass;

export {
  classifyStandard,
  defaultCloseOutcome,
  defaultHttpOutcome,
  describeClose,
  errorOutcome,
  OVERSIZED_FRAME,
  oversizedFrameError,
  proxyRefusal,
  retryAfterMs,
  type OutcomeTables,
} from './classify.js';

export interface TransportOptions {
  maxPayload: number;
  handshakeTimeoutMs: number;
  /** Extra CA certificates (PEM). */
  ca?: string | Buffer;
  /** Skip TLS verification (warned every run by the CLI). */
  insecure?: boolean;
  /** An agent that tunnels through a proxy, when one applies to the URL. */
  agentFor?: (url: string) => Agent | undefined;
}

export const defaultTransport: TransportOptions = {
  maxPayload: 16 * 1024 * 1024,
  handshakeTimeoutMs: 10_000,
};

export interface LinkHandlers {
  /** A text (or binary) frame arrived; `bytes` are the frame's own bytes. */
  onMessage(text: string, isBinary: boolean, bytes: Buffer): void;
  /**
   * A driver's fast path for text frames, tried first while no one reads frames' text (--record, -v, raw): the
   * frame's bytes, not decoded. true: handled (an event given to the hooks); false: decode it and call onMessage.
   */
  onTextBytes?(bytes: Buffer): boolean;
  onOpen?(): void;
  onPong?(): void;
  onPing?(): void;
  /** The driver's one classify: the decisive cause → verdict, run once at close (default: classifyStandard). */
  classify?(cause: LinkCause): CloseOutcome;
}

export interface LinkOptions {
  headers?: Record<string, string>;
  origin?: string;
  protocols?: string[];
}

/**
 * The TLS side of a link's options, shared by WsLink and ScLink. The certificate is checked against the URL's
 * own host or IP address: through a proxy agent, Node's default would check it against "localhost" for an IP
 * target (the agent drops `host`, and the SNI name of an IP is empty, as it must be).
 */
export function tlsOptions(url: string, t: TransportOptions): { ca?: string | Buffer; rejectUnauthorized: boolean; agent?: Agent; checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined } {
  let host: string | undefined;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    host = undefined;
  }
  return {
    ca: t.ca,
    rejectUnauthorized: !t.insecure,
    agent: t.agentFor?.(url),
    ...(host ? { checkServerIdentity: (_servername: string, cert: PeerCertificate) => checkServerIdentity(host, cert) } : {}),
  };
}

/** The proxy behind an agent (https-proxy-agent keeps it as `proxy`), for messages; undefined without one. */
export function proxyOf(agent: Agent | undefined): string | undefined {
  const proxy = (agent as { proxy?: URL | string } | undefined)?.proxy;
  return proxy === undefined ? undefined : String(proxy);
}

/**
 * Whatever a frame makes a decoder throw (a payload nested thousands deep overflows a recursive walk) costs that
 * frame, said once, never the run.
 */
function failedFrame(hooks: DriverHooks, text: string, err: unknown): void {
  hooks.undecodable(text, err instanceof RangeError ? 'nested too deeply to handle' : `could not be handled: ${(err as Error)?.message ?? String(err)}`);
}

/** One WebSocket connection, wired to a driver's hooks. */
export class WsLink implements Connection {
  readonly ws: WebSocket;
  private readonly facts = new Facts();
  private opened = false;
  private finished = false;
  /** Ours: a peer that never answers our close frame must not keep us alive. Cleared at close. */
  private killTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly url: string,
    private readonly hooks: DriverHooks,
    transport: TransportOptions,
    handlers: LinkHandlers,
    options: LinkOptions = {},
  ) {
    const tls = tlsOptions(url, transport);
    const proxy = proxyOf(tls.agent);
    this.ws = refusedAsUsage(
      () =>
        new WebSocket(url, options.protocols ?? [], {
          maxPayload: transport.maxPayload,
          handshakeTimeout: transport.handshakeTimeoutMs,
          headers: options.headers,
          origin: options.origin,
          ...tls,
          perMessageDeflate: false,
          followRedirects: false,
        }),
    );
    const ws = this.ws;
    ws.on('unexpected-response', (_req, res) => {
      this.facts.note({ kind: 'http', status: res.statusCode ?? 0, headers: res.headers, proxy });
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => {
      this.opened = true;
      hooks.open();
      handlers.onOpen?.();
    });
    ws.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (!isBinary && handlers.onTextBytes && hooks.observesFrames === false) {
        let handled: boolean;
        try {
          handled = handlers.onTextBytes(bytes);
        } catch (err) {
          hooks.frame('in', '', bytes);
          return failedFrame(hooks, bytes.toString('utf8'), err);
        }
        if (handled) return hooks.frame('in', '', bytes);
      }
      const text = bytes.toString('utf8');
      hooks.frame('in', text, isBinary ? bytes : undefined);
      try {
        handlers.onMessage(text, isBinary, bytes);
      } catch (err) {
        failedFrame(hooks, text, err);
      }
    });
    ws.on('pong', () => handlers.onPong?.());
    ws.on('ping', () => handlers.onPing?.());
    ws.on('error', (err: Error & { code?: string }) => {
      // An event was lost: said when it happens, whatever the verdict turns out to be.
      if (err.code === OVERSIZED_FRAME) hooks.error(oversizedFrameError(transport.maxPayload));
      this.facts.note({ kind: 'socket', code: err.code ?? '', message: err.message, url, maxPayload: transport.maxPayload, proxy });
    });
    ws.on('close', (code, reasonBuf) => {
      if (this.finished) return;
      this.finished = true;
      clearTimeout(this.killTimer);
      this.facts.note({ kind: 'close', code, reason: reasonBuf.toString('utf8') });
      hooks.closed((handlers.classify ?? classifyStandard)(this.facts.cause()));
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get wasOpened(): boolean {
    return this.opened;
  }

  send(text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.hooks.frame('out', text);
    this.ws.send(text);
  }

  ping(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  /** The protocol said how this ends (a refusal, a reconnect request): close with that as a fact. */
  end(outcome: CloseOutcome): void {
    this.facts.note({ kind: 'protocol', outcome });
    this.closeSocket();
  }

  /** The protocol gave up on this link (a deadline missed): kill it now, with that as a fact. */
  abort(outcome: CloseOutcome): void {
    this.facts.note({ kind: 'protocol', outcome });
    this.ws.terminate();
  }

  /** The run is over. */
  close(): void {
    this.facts.note({ kind: 'local', action: 'stop', reason: 'closed by evtail' });
    this.closeSocket();
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

  private closeSocket(): void {
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(1000);
    if (this.finished || this.killTimer) return;
    this.killTimer = setTimeout(() => this.ws.terminate(), 2000);
    this.killTimer.unref();
  }
}

/**
 * What Node or ws refuse to send before any byte leaves (a header value or subprotocol they cannot carry) is the
 * user's input, not a bug: exit 2. Options are checked up front (config/header-safe.ts); this is the backstop.
 */
function refusedAsUsage<T>(connect: () => T): T {
  try {
    return connect();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN' || err instanceof SyntaxError) {
      throw new UsageError(`cannot open the connection: ${(err as Error).message.replace(/"[^"]*"/g, '(…)')}`, 'check --header, --origin, --subprotocol and the credentials for stray characters');
    }
    throw err;
  }
}
