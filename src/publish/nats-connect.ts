/** How --publish connects to NATS (credentials, TLS, reconnect pacing) and what a connection error means. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { credsAuthenticator, type ConnectionOptions } from 'nats';
import { AuthError, ConnectionError, UsageError, errorMessage, type EvtailError } from '../errors.js';
import { OutagePacer } from '../session/backoff.js';
import type { NatsTarget } from './nats-target.js';

/** NATS error codes that mean "these credentials are refused": never retried, exit 3. */
export const AUTH_CODES = new Set(['AUTHORIZATION_VIOLATION', 'AUTHENTICATION_EXPIRED', 'AUTHENTICATION_TIMEOUT', 'ACCOUNT_EXPIRED', 'BAD_AUTHENTICATION']);

export interface ConnectSettings {
  target: NatsTarget;
  token?: string;
  credsFile?: string;
  /** Where a relative credsFile starts; default the process's directory. */
  cwd?: string;
  ca?: string | Buffer;
  insecure?: boolean;
}

/**
 * The client's options: reconnect for ever, quickly while an outage is young and then less often (OutagePacer: a
 * restarted server is published to again within a fraction of a second); credentials from the URL, a token or a
 * creds file.
 */
export async function connectionOptions(o: ConnectSettings): Promise<ConnectionOptions> {
  const { target } = o;
  const pacer = new OutagePacer();
  const opts: ConnectionOptions = {
    servers: target.server,
    name: 'evtail',
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectDelayHandler: () => pacer.wait(),
    pingInterval: 10_000,
    // Without this the client builds two Errors (stack traces) per publish for its own debugging: a third of the
    // CPU per event. evtail reports errors by their code, never by the client's stack.
    noAsyncTraces: true,
  };
  if (target.user !== undefined) {
    opts.user = target.user;
    opts.pass = target.pass;
  }
  const token = o.token ?? target.token;
  if (token !== undefined) opts.token = token;
  if (o.credsFile) {
    let text: Uint8Array;
    try {
      text = await readFile(resolve(o.cwd ?? process.cwd(), o.credsFile));
    } catch (err) {
      throw new UsageError(`--publish-creds: cannot read ${o.credsFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    opts.authenticator = credsAuthenticator(text);
  }
  if (target.tls || o.ca || o.insecure) {
    opts.tls = { ...(o.ca ? { ca: o.ca } : {}), ...(o.insecure ? { rejectUnauthorized: false } : {}) } as ConnectionOptions['tls'];
  }
  return opts;
}

/** Fatal outcomes of a connect: credentials refused (3), TLS refused (5), a bad creds file (2). Others are retried. */
export function classifyConnectError(err: unknown, where: string): EvtailError | undefined {
  const code = (err as { code?: string }).code ?? '';
  if (AUTH_CODES.has(code)) {
    return new AuthError(`--publish ${where}: the NATS server refused the credentials (${describe(err)})`, 'check the user:password or token in the URL, --publish-token or --publish-creds');
  }
  if (code === 'TLS' || /certificate|self.signed|tls/i.test(errorMessage(err))) {
    return new ConnectionError(`--publish ${where}: TLS failed (${describe(err)})`, 'trust the server with --ca <file>; a tls:// URL requires TLS');
  }
  if (code === 'BAD_CREDS') return new UsageError(`--publish-creds: ${describe(err)}`);
  return undefined;
}

/** An error as one line: what a JetStream or NATS code means, or the message. */
export function describe(err: unknown, subject?: string): string {
  const code = (err as { code?: string }).code;
  if (code === '503') return `no JetStream stream takes subject "${subject ?? '?'}" (create one: evtail nats init)`;
  if (code === 'TIMEOUT') return 'no acknowledgement in time';
  const msg = errorMessage(err);
  return msg && msg !== code ? msg : code === 'CONNECTION_REFUSED' ? 'connection refused' : (code ?? 'error').toLowerCase().replace(/_/g, ' ');
}
