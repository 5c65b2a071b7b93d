/**
 * From the --forward-* options to a ForwardSink: target URLs (`localhost:3000/x` means http://), extra headers,
 * the signing secret, TLS (--forward-ca, else --ca; --forward-insecure) and the proxy (--proxy or the environment,
 * loopback exempt). Everything a user can get wrong is a usage error (exit 2) before any connection.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { CommonOptions } from '../providers/spec.js';
import type { Redactor } from '../redact.js';
import { DeadLetterFile } from './dead-letter.js';
import { ForwardSink, type ForwardReporter } from './forward-sink.js';
import { createPoster } from './http.js';
import type { TargetOptions } from './target.js';

export interface ForwardSetup {
  common: CommonOptions;
  env: NodeJS.ProcessEnv;
  /** Where a relative --forward-ca or --forward-dead-letter starts. */
  cwd: string;
  redactor: Redactor;
  reporter: ForwardReporter;
  userAgent: string;
  warn(message: string): void;
}

/** The keys of the forward options a command must resolve (replay and demo take them too). */
export function wantsForward(common: CommonOptions): boolean {
  return Array.isArray(common.forwardTo) && common.forwardTo.length > 0;
}

export async function createForwardSink(s: ForwardSetup): Promise<ForwardSink | undefined> {
  const c = s.common;
  const urls = (c.forwardTo as string[] | undefined) ?? [];
  if (urls.length === 0) {
    const stray = ['forwardHeader', 'forwardSecret', 'forwardDeadLetter', 'forwardCa'].find((k) => c[k] !== undefined);
    if (stray) s.warn(`--${stray.replace(/[A-Z]/g, (m) => '-' + m.toLowerCase())} is set but there is no --forward-to; it does nothing`);
    return undefined;
  }
  const targets = urls.map(targetUrl);
  const headers = parseHeaders((c.forwardHeader as string[] | undefined) ?? [], s.redactor);
  for (const t of targets) s.redactor.add(new URL(t).password || undefined);
  const caFile = (c.forwardCa as string | undefined) ?? c.ca;
  let ca: Buffer | undefined;
  if (caFile) {
    try {
      ca = await readFile(resolve(s.cwd, caFile));
    } catch (err) {
      throw new UsageError(`${c.forwardCa ? '--forward-ca' : '--ca'}: cannot read ${caFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const insecure = c.forwardInsecure === true;
  if (insecure) s.warn('--forward-insecure: the --forward-to target\'s TLS certificate is not verified; anyone on the network path can read and change what is sent');
  if (c.proxy && !/^https?:\/\//.test(c.proxy)) throw new UsageError(`--proxy: expected an http:// or https:// URL, got "${c.proxy}"`);
  const deadLetters = c.forwardDeadLetter ? await DeadLetterFile.open(c.forwardDeadLetter as string, s.cwd) : undefined;
  const poster = await createPoster({ ca, insecure, proxy: c.proxy, env: s.env });
  const secret = c.forwardSecret as string | undefined;
  const options: TargetOptions[] = targets.map((url) => ({
    url,
    shown: shownUrl(url, s.redactor),
    headers,
    secret,
    concurrency: (c.forwardConcurrency as number | undefined) ?? 1,
    timeoutMs: (c.forwardTimeout as number | undefined) ?? 10_000,
    retries: (c.forwardRetries as number | undefined) ?? 5,
    userAgent: s.userAgent,
  }));
  for (const o of options) {
    const proxy = poster.proxyOf(o.url);
    s.reporter.debug(`--forward-to ${o.shown}${proxy ? ` through the proxy ${s.redactor.redact(proxy)}` : ''}${secret ? ', signed' : ''}`);
  }
  return new ForwardSink(options, poster, s.reporter, deadLetters);
}

/** `localhost:3000/hook` → `http://localhost:3000/hook`; only http(s) URLs are accepted. */
export function targetUrl(text: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`--forward-to: "${text}" is not a URL`, 'e.g. --forward-to localhost:3000/webhook or --forward-to https://hooks.example.com/evtail');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--forward-to: expected an http:// or https:// URL, got "${url.protocol}//…"`, 'e.g. --forward-to localhost:3000/webhook');
  }
  return url.href;
}

/** The URL for messages: credentials and secret query values replaced by ***. */
export function shownUrl(href: string, redactor: Redactor): string {
  const url = new URL(href);
  if (url.username) url.username = '***';
  if (url.password) url.password = '***';
  return redactor.redact(url.href);
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers evtail sets itself, which --forward-header must not replace. */
const RESERVED = /^(content-type|content-length|host|transfer-encoding|connection|evtail-.*)$/i;

export function parseHeaders(items: string[], redactor: Redactor): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const colon = item.indexOf(':');
    const name = colon > 0 ? item.slice(0, colon).trim() : '';
    const value = colon > 0 ? item.slice(colon + 1).trim() : '';
    if (!name || !TOKEN.test(name)) throw new UsageError(`--forward-header: expected "Name: value", got "${redactor.redact(item)}"`, "e.g. --forward-header 'Authorization: Bearer …'");
    if (RESERVED.test(name)) throw new UsageError(`--forward-header: ${name} is set by evtail and cannot be replaced`);
    if (!/^[\x20-\x7e\t]*$/.test(value)) throw new UsageError(`--forward-header: the value of ${name} holds a line break or a character outside printable ASCII`);
    redactor.add(value);
    out[name.toLowerCase()] = value;
  }
  return out;
}
