/**
 * What a connection's end means, for every link built on ws: the standard tables (RFC 6455 close codes, HTTP
 * answers to the upgrade, socket errors) and `classifyStandard`, which each driver's classify(cause, state)
 * falls back to for the cases its protocol does not change.
 */
import { AuthError, ConnectionError } from '../errors.js';
import { formatSize } from '../format.js';
import { redactUrl } from '../redact.js';
import type { CloseOutcome, LinkCause } from '../types.js';

export type HttpHeaders = Record<string, string | string[] | undefined>;

/** A protocol's own tables; what they leave undefined keeps its standard meaning. */
export interface OutcomeTables {
  http?(status: number, headers: HttpHeaders): CloseOutcome | undefined;
  close?(code: number, reason: string): CloseOutcome;
}

/** The standard verdict for a cause, through a protocol's own tables where it has them. */
export function classifyStandard(cause: LinkCause, tables: OutcomeTables = {}): CloseOutcome {
  switch (cause.kind) {
    case 'local':
      return cause.action === 'stop' ? { recovery: 'done', reason: cause.reason } : { recovery: 'retry', reason: cause.reason };
    case 'protocol':
      return cause.outcome;
    case 'http':
      return proxyRefusal(cause.status, cause.proxy) ?? tables.http?.(cause.status, cause.headers) ?? defaultHttpOutcome(cause.status, cause.headers);
    case 'socket':
      return errorOutcome(Object.assign(new Error(cause.message), { code: cause.code }), cause.url, cause.maxPayload, cause.proxy);
    case 'close':
      return (tables.close ?? defaultCloseOutcome)(cause.code, cause.reason);
  }
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

export function defaultHttpOutcome(status: number, headers: HttpHeaders): CloseOutcome {
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

/**
 * A proxy that refuses the CONNECT answers with its own HTTP status, which reaches us as the upgrade's answer:
 * a 407 is the proxy's, and says so (naming the proxy, without its credentials).
 */
export function proxyRefusal(status: number, proxy: string | undefined): CloseOutcome | undefined {
  if (proxy === undefined || status !== 407) return undefined;
  return { recovery: 'fatal', error: new AuthError(`the proxy ${redactUrl(proxy)} refused: HTTP 407 (proxy authentication required)`, "put the proxy's credentials in its URL: http://user:password@proxy:port") };
}

/** The server's certificate was not accepted: fatal (retrying gives the same answer), with what to do. */
const tlsCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** The peer does not speak TLS there (a ws:// server behind a wss:// URL): OpenSSL's record-layer codes. */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_RECORD_LAYER_FAILURE']);
/** Handshakes that fail the same way every time: retrying cannot help. */
const TLS_FINAL =
  /^ERR_SSL_(UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|TLSV1_ALERT_PROTOCOL_VERSION|SSLV3_ALERT_HANDSHAKE_FAILURE|NO_SHARED_CIPHER|TLSV1_ALERT_INSUFFICIENT_SECURITY|TLSV1_UNRECOGNIZED_NAME|TLSV1_ALERT_UNRECOGNIZED_NAME|TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_BAD_CERTIFICATE|TLSV1_ALERT_UNKNOWN_CA|DH_KEY_TOO_SMALL|EE_KEY_TOO_SMALL|CA_MD_TOO_WEAK)$/;

/**
 * A TLS handshake that cannot succeed by trying again, as a fatal verdict (exit 5). OpenSSL's own text is kept out
 * of the message (`ssl3_get_record:wrong version number` helps nobody); its code stays, for a search.
 */
function tlsHandshakeOutcome(code: string, host: string): CloseOutcome | undefined {
  if (NOT_TLS.has(code)) {
    return {
      recovery: 'fatal',
      error: new ConnectionError(`${host} did not answer with TLS (${code}): the URL says wss://, but the server there speaks plain WebSocket or HTTP`, 'is the URL ws:// (not wss://)? Or is the port the TLS one?'),
    };
  }
  if (!TLS_FINAL.test(code)) return undefined;
  const why = /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA/.test(code)
    ? 'the server asks for a client certificate (or refused ours)'
    : /UNRECOGNIZED_NAME/.test(code)
      ? 'the server does not serve that host name'
      : /TOO_SMALL|TOO_WEAK/.test(code)
        ? "the server's keys or signatures are too weak to be trusted"
        : 'the server and evtail share no TLS version or cipher';
  return { recovery: 'fatal', error: new ConnectionError(`TLS handshake with ${host} failed: ${why} (${code})`, "check the URL and the server's TLS setup") };
}

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

/** A socket error before or during the link, as a verdict. `proxy`: the proxy the link goes through, if any. */
export function errorOutcome(err: Error & { code?: string }, url: string, maxPayload?: number, proxy?: string): CloseOutcome {
  const code = opensslCode(err) ?? err.code ?? '';
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
  const tls = code.startsWith('ERR_SSL_') ? tlsHandshakeOutcome(code, host) : undefined;
  if (tls) return tls;
  // Through a proxy, a failed TCP connection is the proxy's: name it (without its credentials), not the target.
  const viaProxy = proxy !== undefined && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$/.test(code);
  const peer = viaProxy ? `the proxy ${redactUrl(proxy)} (on the way to ${host})` : host;
  if (code === 'ECONNREFUSED') return { recovery: 'retry', reason: `connection refused by ${peer}` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { recovery: 'retry', reason: `cannot resolve ${viaProxy ? `the proxy ${redactUrl(proxy)}` : host}` };
  if (code === 'ECONNRESET') return { recovery: 'retry', reason: `connection reset by ${peer}` };
  if (code === 'ETIMEDOUT') return { recovery: 'retry', reason: `connection to ${peer} timed out` };
  if (code.startsWith('ERR_SSL_')) return { recovery: 'retry', reason: `TLS handshake with ${host} failed (${code})` };
  return { recovery: 'retry', reason: err.message || code || 'socket error' };
}

/**
 * A TLS failure during a write comes as a libuv EPROTO whose message carries OpenSSL's reason
 * (`…:SSL routines:ssl3_get_record:wrong version number:…`): turned into OpenSSL's own code name
 * (ERR_SSL_WRONG_VERSION_NUMBER), the form Node gives when it raises the error itself.
 */
function opensslCode(err: Error & { code?: string }): string | undefined {
  if (err.code !== 'EPROTO' && !/SSL routines/.test(err.message)) return undefined;
  const reason = /SSL routines:[^:]*:([^:]+):/.exec(err.message)?.[1];
  return reason ? `ERR_SSL_${reason.trim().toUpperCase().replace(/[^A-Z0-9]+/g, '_')}` : undefined;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
