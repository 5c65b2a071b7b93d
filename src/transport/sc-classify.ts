/**
 * SocketCluster's meanings, for every provider that speaks it: where to connect (a ws URL → an endpoint with
 * SocketCluster's default path), the close codes of sc-errors on top of the standard table, and HTTP 400 as a
 * wrong path. classifySc is the standard classify of a SocketCluster link.
 */
import { ConnectionError } from '../errors.js';
import type { CloseOutcome, LinkCause } from '../types.js';
import { classifyStandard, defaultCloseOutcome, defaultHttpOutcome, describeClose, type HttpHeaders } from './classify.js';

/** Where to connect. */
export interface ScEndpoint {
  secure: boolean;
  hostname: string;
  port: number;
  path: string;
  query: Record<string, string | string[]>;
}

/** ws(s)://host[:port][/path][?query] → where to connect. No path at all means SocketCluster's default /socketcluster/. */
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

/** Keeps the signed auth token across connections (the server may renew it with #setAuthToken or remove it). */
export class TokenStore {
  constructor(public token: string | null = null) {}
}

/** The WebSocket URL of an endpoint. */
export function scUrl(ep: ScEndpoint): string {
  const u = new URL(`${ep.secure ? 'wss' : 'ws'}://${ep.hostname.includes(':') ? `[${ep.hostname}]` : ep.hostname}`);
  if (ep.port !== (ep.secure ? 443 : 80)) u.port = String(ep.port);
  u.pathname = ep.path;
  for (const [k, v] of Object.entries(ep.query)) for (const one of Array.isArray(v) ? v : [v]) u.searchParams.append(k, one);
  return u.toString();
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
