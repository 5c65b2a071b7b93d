/**
 * The ws wrapper every driver uses: one place for maxPayload, handshake timeout, TLS, proxy and pause/resume.
 * A link reports facts (an HTTP answer, a socket error, a close frame, what the protocol or we decided), never
 * verdicts: at close it hands the decisive one to the driver's classify, once (transport/cause.ts says which).
 */
import type { Agent } from 'node:http';
import WebSocket from 'ws';
import type { CloseOutcome, Connection, DriverHooks, LinkCause } from '../types.js';
import { Facts } from './cause.js';
import { UsageError } from '../errors.js';
import { classifyStandard, OVERSIZED_FRAME, oversizedFrameError } from './classify.js';

export {
  classifyStandard,
  defaultCloseOutcome,
  defaultHttpOutcome,
  describeClose,
  errorOutcome,
  OVERSIZED_FRAME,
  oversizedFrameError,
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
    const agent = transport.agentFor?.(url);
    this.ws = refusedAsUsage(
      () =>
        new WebSocket(url, options.protocols ?? [], {
          maxPayload: transport.maxPayload,
          handshakeTimeout: transport.handshakeTimeoutMs,
          headers: options.headers,
          origin: options.origin,
          ca: transport.ca,
          rejectUnauthorized: !transport.insecure,
          agent,
          perMessageDeflate: false,
          followRedirects: false,
        }),
    );
    const ws = this.ws;
    ws.on('unexpected-response', (_req, res) => {
      this.facts.note({ kind: 'http', status: res.statusCode ?? 0, headers: res.headers });
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
      const text = bytes.toString('utf8');
      hooks.frame('in', text, isBinary ? bytes : undefined);
      handlers.onMessage(text, isBinary, bytes);
    });
    ws.on('pong', () => handlers.onPong?.());
    ws.on('ping', () => handlers.onPing?.());
    ws.on('error', (err: Error & { code?: string }) => {
      // An event was lost: said when it happens, whatever the verdict turns out to be.
      if (err.code === OVERSIZED_FRAME) hooks.error(oversizedFrameError(transport.maxPayload));
      this.facts.note({ kind: 'socket', code: err.code ?? '', message: err.message, url, maxPayload: transport.maxPayload });
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
