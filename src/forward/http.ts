/**
 * One POST to a webhook target, as a fact: the status (with Retry-After and the start of the body), or the error.
 * Uses undici (the HTTP client behind Node's fetch) with a dispatcher per target: an Agent holding the TLS
 * settings (--forward-ca, --forward-insecure), or a ProxyAgent when --proxy / HTTPS_PROXY / HTTP_PROXY apply
 * (loopback is exempt). Node 20's bundled fetch exposes neither Agent nor ProxyAgent, so they come from the undici
 * package; its request() is used rather than its fetch() because it costs a quarter of the CPU per delivered event
 * (measured: ~210 µs against ~900 µs per POST on this machine), and the WHATWG wrapping buys nothing here.
 */
import { STATUS_CODES } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { formatDuration } from '../format.js';
import { proxyFor } from '../transport/proxy.js';

export type PostResult =
  | { kind: 'response'; status: number; statusText: string; retryAfterMs?: number; body: string; ms: number }
  | { kind: 'error'; reason: string; timeout: boolean; tls: boolean; ms: number };

export interface PostOptions {
  ca?: Buffer;
  insecure?: boolean;
  /** --proxy; otherwise the environment's proxy variables. */
  proxy?: string;
  env: NodeJS.ProcessEnv;
}

export interface Poster {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostResult>;
  close(): Promise<void>;
  /** The proxy a target goes through, if any (for --verbose). */
  proxyOf(url: string): string | undefined;
}

/** The start of a response body kept for messages. */
const BODY_PREVIEW = 512;

export async function createPoster(options: PostOptions): Promise<Poster> {
  const undici = await import('undici');
  const tls = { ...(options.ca ? { ca: options.ca } : {}), ...(options.insecure ? { rejectUnauthorized: false } : {}) };
  const dispatchers = new Map<string, Dispatcher>();
  const proxyOf = (url: string): string | undefined => (isLoopback(url) && !options.proxy ? undefined : proxyFor(url, options.env, options.proxy));
  const dispatcherFor = (url: string): Dispatcher => {
    const proxy = proxyOf(url);
    const key = proxy ?? '';
    let d = dispatchers.get(key);
    if (!d) {
      d = proxy ? new undici.ProxyAgent({ uri: proxy, requestTls: tls }) : new undici.Agent({ connect: tls });
      dispatchers.set(key, d);
    }
    return d;
  };

  return {
    proxyOf,
    async post(url, headers, body, timeoutMs) {
      const started = performance.now();
      const abort = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        abort.abort();
      }, timeoutMs);
      try {
        const res = await undici.request(url, { method: 'POST', headers, body, dispatcher: dispatcherFor(url), signal: abort.signal });
        const ms = performance.now() - started;
        const text = await preview(res.body);
        const ra = res.headers['retry-after'];
        return { kind: 'response', status: res.statusCode, statusText: STATUS_CODES[res.statusCode] ?? '', retryAfterMs: retryAfter(Array.isArray(ra) ? ra[0]! : ra ?? null), body: text, ms };
      } catch (err) {
        const ms = performance.now() - started;
        if (timedOut) return { kind: 'error', reason: `no answer within ${formatDuration(timeoutMs)}`, timeout: true, tls: false, ms };
        const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
        const code = e.code && e.code !== 'UND_ERR_SOCKET' ? e.code : e.cause?.code ?? e.code ?? '';
        const message = e.cause?.message ?? e.message ?? '';
        const isTls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|EPROTO/.test(code);
        const reason = code ? `${code}${message && !message.includes(code) ? ` (${message})` : ''}` : message;
        return { kind: 'error', reason, timeout: false, tls: isTls, ms };
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const all = [...dispatchers.values()];
      dispatchers.clear();
      await Promise.all(all.map((d) => d.destroy().catch(() => undefined)));
    },
  };
}

/** Read at most BODY_PREVIEW bytes of a response body, then let the rest go (a hostile handler may send gigabytes). */
async function preview(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= BODY_PREVIEW) break;
    }
  } catch {
    // A body cut short says nothing more about the status we already have.
  }
  body.destroy();
  return Buffer.concat(chunks).subarray(0, BODY_PREVIEW).toString('utf8');
}

/** Retry-After: seconds, or an HTTP date. Bounded: a target cannot hold an event for more than 10 minutes per try. */
export function retryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  let ms: number | undefined;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isFinite(at)) ms = Math.max(0, at - now);
  }
  return ms === undefined ? undefined : Math.min(ms, 10 * 60_000);
}

export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}
