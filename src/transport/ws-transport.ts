/**
 * The ws wrapper every driver uses: one place for maxPayload, handshake timeout, TLS, proxy,
 * pause/resume, upgrade refusals and socket errors turned into a recovery verdict.
 */
import type { Agent } from 'node:http';
import WebSocket from 'ws';
import { formatSize } from '../format.js';
import { AuthError, ConnectionError } from '../errors.js';
import type { CloseOutcome, Connection, DriverHooks } from '../types.js';

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
  /** The provider's close-code table: what a close means. */
  classifyClose?(code: number, reason: string): CloseOutcome;
  /** What an HTTP answer to the upgrade means (default: 401/403 auth, 429 Retry-After, else retry). */
  classifyHttp?(status: number, headers: Record<string, string | string[] | undefined>): CloseOutcome | undefined;
}

export interface LinkOptions {
  headers?: Record<string, string>;
  origin?: string;
  protocols?: string[];
}

/** Standard meanings of WebSocket close codes (RFC 6455 §7.4). Drivers extend this table. */
export function defaultCloseOutcome(code: number, reason: string): CloseOutcome {
  const why = describeClose(code, reason);
  if (code === 1000) return { recovery: 'done', reason: why };
  if (code === 1008) return { recovery: 'retry', reason: why, code };
  if (code === 1013) return { recovery: 'retry', reason: why, code, delayMs: 5000 };
  return { recovery: 'retry', reason: why, code };
}

const closeNames: Record<number, string> = {
  1000: 'normal closure',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status',
  1006: 'abnormal closure, no close frame',
  1007: 'invalid frame payload',
  1008: 'policy violation',
  1009: 'message too big',
  1011: 'server error',
  1012: 'service restart',
  1013: 'try again later',
  1015: 'TLS handshake failure',
};

export function describeClose(code: number, reason: string): string {
  const name = closeNames[code];
  const text = `closed with code ${code}${name ? ` (${name})` : ''}`;
  return reason ? `${text}: ${reason}` : text;
}

/** Parse Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function defaultHttpOutcome(status: number, headers: Record<string, string | string[] | undefined>): CloseOutcome {
  if (status === 401 || status === 403) {
    return { recovery: 'fatal', error: new AuthError(`the server refused the connection: HTTP ${status}`, 'check the credentials (token, client id, API key)') };
  }
  if (status === 429) {
    const delay = retryAfterMs(headers['retry-after']);
    return { recovery: 'retry', reason: `rate limited: HTTP 429${delay !== undefined ? `, Retry-After ${Math.ceil(delay / 1000)}s` : ''}`, delayMs: delay ?? 5000 };
  }
  if (status === 404) {
    return { recovery: 'fatal', error: new ConnectionError('the server answered HTTP 404: no WebSocket endpoint at that URL', 'check --url') };
  }
  return { recovery: 'retry', reason: `the server refused the upgrade: HTTP ${status}` };
}

const tlsCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** ws's error for a frame over maxPayload: the connection fails with 1009 and the frame is not delivered. */
export const OVERSIZED_FRAME = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';

const limitText = (maxPayload?: number) => (maxPayload ? ` (${formatSize(maxPayload)})` : '');

/**
 * What a refused oversized frame costs, said when it happens as an error (shown even with --quiet): the event
 * it carried is lost, and so is whatever the server sent after it on that connection.
 */
export function oversizedFrameError(maxPayload?: number): string {
  return `a frame larger than --max-frame-size${limitText(maxPayload)} was refused: the event it carried is lost (and any sent after it before the connection closed); raise --max-frame-size to receive it`;
}

/**
 * The one place a socket error becomes a verdict, for links built on ws (WsLink, and drivers that reach the ws
 * socket of a client library): an oversized frame is also reported at once, since an event was lost.
 */
export function socketErrorOutcome(err: Error & { code?: string }, url: string, hooks: Pick<DriverHooks, 'error'>, maxPayload?: number): CloseOutcome {
  if (err.code === OVERSIZED_FRAME) hooks.error(oversizedFrameError(maxPayload));
  return errorOutcome(err, url, maxPayload);
}

/** A socket error before or during the link, as a verdict. */
export function errorOutcome(err: Error & { code?: string }, url: string, maxPayload?: number): CloseOutcome {
  const code = err.code ?? '';
  if (tlsCodes.has(code)) {
    return {
      recovery: 'fatal',
      error: new ConnectionError(`TLS: the server's certificate was not accepted (${code}: ${err.message})`, 'pass the CA with --ca <file>, or --insecure to skip verification (not for production)'),
    };
  }
  if (code === OVERSIZED_FRAME) {
    return { recovery: 'retry', reason: `a frame was larger than --max-frame-size${limitText(maxPayload)}`, code: 1009 };
  }
  const host = safeHost(url);
  if (code === 'ECONNREFUSED') return { recovery: 'retry', reason: `connection refused by ${host}` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { recovery: 'retry', reason: `cannot resolve ${host}` };
  if (code === 'ECONNRESET') return { recovery: 'retry', reason: `connection reset by ${host}` };
  if (code === 'ETIMEDOUT') return { recovery: 'retry', reason: `connection to ${host} timed out` };
  return { recovery: 'retry', reason: err.message || code || 'socket error' };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** One WebSocket connection, wired to a driver's hooks. */
export class WsLink implements Connection {
  readonly ws: WebSocket;
  private outcome: CloseOutcome | undefined;
  private opened = false;
  private finished = false;

  constructor(
    readonly url: string,
    private readonly hooks: DriverHooks,
    transport: TransportOptions,
    handlers: LinkHandlers,
    options: LinkOptions = {},
  ) {
    const agent = transport.agentFor?.(url);
    this.ws = new WebSocket(url, options.protocols ?? [], {
      maxPayload: transport.maxPayload,
      handshakeTimeout: transport.handshakeTimeoutMs,
      headers: options.headers,
      origin: options.origin,
      ca: transport.ca,
      rejectUnauthorized: !transport.insecure,
      agent,
      perMessageDeflate: false,
      followRedirects: false,
    });
    const ws = this.ws;
    ws.on('unexpected-response', (_req, res) => {
      const classify = handlers.classifyHttp ?? defaultHttpOutcome;
      this.outcome = classify(res.statusCode ?? 0, res.headers) ?? defaultHttpOutcome(res.statusCode ?? 0, res.headers);
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
      const outcome = socketErrorOutcome(err, url, hooks, transport.maxPayload);
      if (!this.outcome) this.outcome = outcome;
    });
    ws.on('close', (code, reasonBuf) => {
      if (this.finished) return;
      this.finished = true;
      const reason = reasonBuf.toString('utf8');
      let outcome = this.outcome;
      if (!outcome) outcome = (handlers.classifyClose ?? defaultCloseOutcome)(code, reason);
      hooks.closed(outcome);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get wasOpened(): boolean {
    return this.opened;
  }

  /** Decide the outcome now (e.g. a protocol message said why); the close that follows reports it. */
  setOutcome(outcome: CloseOutcome): void {
    this.outcome = outcome;
  }

  send(text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.hooks.frame('out', text);
    this.ws.send(text);
  }

  ping(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  /** Close on the protocol's word (a refusal, a reconnect request) with this verdict. */
  end(outcome: CloseOutcome): void {
    this.outcome = outcome;
    this.close();
  }

  close(): void {
    if (!this.outcome) this.outcome = { recovery: 'done', reason: 'closed by evtail' };
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(1000);
    // A peer that never answers our close frame must not keep us alive.
    const t = setTimeout(() => this.ws.terminate(), 2000);
    t.unref();
  }

  terminate(reason: string): void {
    if (!this.outcome) this.outcome = { recovery: 'retry', reason };
    this.ws.terminate();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }
}
