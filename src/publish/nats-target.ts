/**
 * `--publish nats://[user:pass@|token@]host:port/<subject template>`: where events go, what each is called there,
 * and the identity JetStream deduplicates on. Pure functions: no client, no socket.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { TailEvent } from '../types.js';

export interface NatsTarget {
  /** host:port, as the client takes it. */
  server: string;
  /** The URL asked for TLS (tls://): the connection must be encrypted. */
  tls: boolean;
  user?: string;
  pass?: string;
  token?: string;
  /** The subject template, placeholders kept: events.{provider}.{type}. */
  subject: string;
  /** The URL with its credentials replaced by ***: for every message. */
  shown: string;
}

const PLACEHOLDERS = ['provider', 'source', 'type'] as const;

/** Parse and check a --publish URL; a mistake is a usage error (exit 2) that says what to write instead. */
export function parseNatsTarget(url: string): NatsTarget {
  const example = 'e.g. --publish nats://127.0.0.1:4222/events.{provider}.{type}';
  const m = /^(nats|tls):\/\/(?:([^@/]*)@)?([^/@]+?)(?:\/(.*))?$/i.exec(url.trim());
  if (!m) throw new UsageError(`--publish: expected nats://host:port/<subject>, got "${redactUrl(url)}"`, example);
  const scheme = m[1]!.toLowerCase();
  const auth = m[2];
  const hostPort = m[3]!;
  const subject = decode(m[4] ?? '', url);
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(hostPort)) throw new UsageError(`--publish: "${hostPort}" is not a host[:port]`, example);
  const port = /:(\d+)$/.exec(hostPort)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw new UsageError(`--publish: port ${port} is out of range (1-65535)`);
  if (!subject) throw new UsageError('--publish: the URL names no subject to publish on', example);
  checkTemplate(subject);
  const target: NatsTarget = { server: port ? hostPort : `${hostPort}:4222`, tls: scheme === 'tls', subject, shown: '' };
  if (auth !== undefined && auth !== '') {
    const colon = auth.indexOf(':');
    if (colon >= 0) {
      target.user = decode(auth.slice(0, colon), url);
      target.pass = decode(auth.slice(colon + 1), url);
    } else target.token = decode(auth, url);
  }
  target.shown = `${scheme}://${auth ? '***@' : ''}${target.server}/${subject}`;
  return target;
}

/** The URL with any user:pass@ or token@ replaced by ***@ (safe for messages before it has been parsed). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1***@');
}

function decode(text: string, url: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UsageError(`--publish: bad %-escape in "${redactUrl(url)}"`);
  }
}

/** A template is a valid subject once each placeholder is filled: no empty token, no wildcard, no space. */
function checkTemplate(subject: string): void {
  for (const m of subject.matchAll(/\{([^}]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
      throw new UsageError(`--publish: unknown placeholder {${m[1]}} in subject "${subject}"`, 'placeholders: {provider}, {source}, {type}');
    }
  }
  const filled = subject.replace(/\{(provider|source|type)\}/g, 'x');
  if (/[\s*>{}]/.test(filled) || filled.split('.').some((t) => t === '') || /[\u0000-\u001f\u007f]/.test(filled)) {
    throw new UsageError(`--publish: "${subject}" is not a valid NATS subject to publish on`, 'tokens separated by dots, no spaces, no * or > wildcards, no empty token');
  }
}

/** One subject token: anything a subject cannot hold (dot, space, wildcard, control) becomes "_". */
export function subjectToken(value: string): string {
  const clean = value.replace(/[\s.*>\u0000-\u001f\u007f]/g, '_');
  return clean === '' ? '_' : clean.slice(0, 256);
}

/** Several tokens: dots stay separators (twitter.post.new → three tokens), each token cleaned, none empty. */
function subjectTokens(value: string): string {
  return value.split('.').map(subjectToken).join('.');
}

export interface SubjectContext {
  /** The source when the event has none: the profile name, else the provider. */
  defaultSource: string;
}

/** The event's source: ev.source when the envelope has one (multi-stream), else the run's default. */
export function sourceOf(ev: TailEvent, ctx: SubjectContext): string {
  return ev.source !== undefined && ev.source !== '' ? ev.source : ctx.defaultSource;
}

/** A function from event to subject, for one template. Without placeholders it is the constant. */
export function subjectFor(template: string, ctx: SubjectContext): (ev: TailEvent) => string {
  if (!template.includes('{')) return () => template;
  const parts = template.split(/(\{(?:provider|source|type)\})/);
  return (ev) => {
    let out = '';
    for (const p of parts) {
      if (p === '{provider}') out += subjectToken(ev.provider);
      else if (p === '{source}') out += subjectToken(sourceOf(ev, ctx));
      else if (p === '{type}') out += subjectTokens(ev.type);
      else out += p;
    }
    return out;
  };
}

const DATA_KEY = ',"data":';

/**
 * The Nats-Msg-Id: the event's identity, the same on every machine tailing the same source, so JetStream keeps one
 * copy within its duplicate window. provider:source:id when the provider gives an id; otherwise a digest of the
 * payload's own text (the envelope's `data`: the receive time differs between machines, the payload does not).
 * Kept to printable ASCII and at most 128 characters (a longer or unusual id is digested).
 */
export function messageId(ev: TailEvent, line: string, source: string): string {
  if (ev.id !== undefined && ev.id !== '') {
    const id = `${ev.provider}:${source}:${ev.id}`;
    return id.length <= 128 && /^[\x21-\x7e]+$/.test(id) ? id : `${ev.provider}:id-sha256:${digest(id)}`;
  }
  return `${ev.provider}:${subjectToken(source).slice(0, 40)}:sha256:${digest(ev.json ?? payloadOfLine(line))}`;
}

/**
 * The payload's text in an envelope line: `data` is the last field, and its key cannot occur earlier (every earlier
 * field is a JSON string, in which a quote is escaped), so it is what follows the first `,"data":`, minus the brace.
 */
function payloadOfLine(line: string): string {
  const at = line.indexOf(DATA_KEY);
  return at >= 0 ? line.slice(at + DATA_KEY.length, line.endsWith('}') ? -1 : undefined) : line;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
