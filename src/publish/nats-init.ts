/**
 * `evtail nats init <nats-url>`: create (or update) the JetStream stream that --publish writes into, with the
 * duplicate window that makes two evtail instances on the same source publish each event once.
 */
import { connect, type NatsConnection, type StreamConfig } from 'nats';
import { AuthError, ConnectionError, EvtailError, UsageError, errorMessage } from '../errors.js';
import { formatDuration } from '../format.js';
import { parseNatsTarget } from './nats-target.js';

export interface StreamPlan {
  name: string;
  /** Subjects the stream takes; by default the --publish template with each placeholder as `*` (the last as `>`). */
  subjects: string[];
  duplicateWindowMs: number;
  maxAgeMs?: number;
  maxBytes?: number;
  storage: 'file' | 'memory';
  replicas: number;
}

/** events.{provider}.{type} → events.*.> : what a stream must take to receive every subject the template makes. */
export function subjectsFor(template: string): string[] {
  const tokens = template.split('.');
  const out = tokens.map((t, i) => (t.includes('{') ? (i === tokens.length - 1 || t.includes('{type}') ? '>' : '*') : t));
  // `>` must be the last token: cut after the first.
  const gt = out.indexOf('>');
  return [(gt >= 0 ? out.slice(0, gt + 1) : out).join('.')];
}

/** Create the stream, or update it when one of that name exists (keeps its messages). Returns what was done. */
export async function ensureStream(nc: NatsConnection, plan: StreamPlan): Promise<'created' | 'updated'> {
  const jsm = await nc.jetstreamManager();
  const config: Partial<StreamConfig> = {
    name: plan.name,
    subjects: plan.subjects,
    duplicate_window: plan.duplicateWindowMs * 1_000_000,
    storage: plan.storage as StreamConfig['storage'],
    num_replicas: plan.replicas,
    ...(plan.maxAgeMs ? { max_age: plan.maxAgeMs * 1_000_000 } : {}),
    ...(plan.maxBytes ? { max_bytes: plan.maxBytes } : {}),
  };
  let exists = true;
  try {
    await jsm.streams.info(plan.name);
  } catch {
    exists = false;
  }
  if (exists) {
    await jsm.streams.update(plan.name, config);
    return 'updated';
  }
  await jsm.streams.add(config);
  return 'created';
}

export interface InitOptions {
  url: string;
  stream: string;
  subjects?: string[];
  duplicateWindowMs: number;
  maxAgeMs?: number;
  maxBytes?: number;
  memory: boolean;
  replicas: number;
  token?: string;
  creds?: Uint8Array;
}

/** The command: connect, ensure the stream, say what was done (and the matching --publish). */
export async function natsInit(o: InitOptions, out: (line: string) => void): Promise<number> {
  const target = parseNatsTarget(o.url);
  const { credsAuthenticator } = await import('nats');
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: target.server,
      user: target.user,
      pass: target.pass,
      token: o.token ?? target.token,
      timeout: 5000,
      ...(o.creds ? { authenticator: credsAuthenticator(o.creds) } : {}),
      ...(target.tls ? { tls: {} } : {}),
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (/AUTH/.test(code)) throw new AuthError(`nats init: ${target.shown}: the server refused the credentials`, 'check the user:password or token in the URL, --token or --creds');
    throw new ConnectionError(`nats init: cannot reach ${target.server} (${code === 'CONNECTION_REFUSED' ? 'connection refused' : errorMessage(err)})`, 'is nats-server running with JetStream (-js)?');
  }
  try {
    const subjects = o.subjects?.length ? o.subjects : subjectsFor(target.subject);
    const done = await ensureStream(nc, {
      name: o.stream,
      subjects,
      duplicateWindowMs: o.duplicateWindowMs,
      maxAgeMs: o.maxAgeMs,
      maxBytes: o.maxBytes,
      storage: o.memory ? 'memory' : 'file',
      replicas: o.replicas,
    });
    out(`evtail: stream ${o.stream} ${done}: subjects ${subjects.join(', ')}, duplicate window ${formatDuration(o.duplicateWindowMs)}, ${o.memory ? 'memory' : 'file'} storage, ${o.replicas} replica(s)`);
    return 0;
  } catch (err) {
    if (err instanceof EvtailError) throw err;
    const msg = errorMessage(err);
    if (/503|not enabled/i.test(msg)) throw new ConnectionError(`nats init: JetStream is not enabled on ${target.server}`, 'start nats-server with -js');
    throw new UsageError(`nats init: the server refused the stream: ${msg}`);
  } finally {
    await nc.close().catch(() => undefined);
  }
}
