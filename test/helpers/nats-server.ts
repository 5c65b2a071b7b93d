/**
 * A real `nats-server -js` on loopback for the --publish tests: a free port, a temporary store, bounded waits, and
 * restart() on the same port and store (the outage tests). Also a reader of a stream's messages, as a consumer sees
 * them. .ci/run installs nats-server from Debian when it is missing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from 'nats';

export interface NatsAuth {
  user?: string;
  pass?: string;
  token?: string;
}

export class NatsServer {
  port = 0;
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'evtail-nats-'));
  log = '';

  constructor(private readonly auth: NatsAuth = {}) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Start (port -1 = any free port the first time; the same port on a restart). */
  async start(timeoutMs = 10_000): Promise<this> {
    const args = ['-a', '127.0.0.1', '-p', String(this.port || -1), '-js', '-sd', this.dir];
    if (this.auth.user) args.push('--user', this.auth.user, '--pass', this.auth.pass ?? '');
    if (this.auth.token) args.push('--auth', this.auth.token);
    this.log = "";
    const child = spawn("nats-server", args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server not ready within ${timeoutMs} ms:\n${this.log.slice(-2000)}`)), timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`cannot start nats-server (${err.message}): install it (apt-get install nats-server)`));
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited (${code}):\n${this.log.slice(-2000)}`));
      });
      child.stderr!.on('data', (d: string) => {
        this.log += d;
        const m = /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(this.log);
        if (m) this.port = Number(m[1]);
        if (/Server is ready/.test(this.log)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.removeAllListeners('exit');
    return this;
  }

  /** Stop: SIGKILL (a crash) or SIGTERM (a clean shutdown); resolves when the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop('SIGKILL');
    await this.start();
  }

  async close(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  connect(): Promise<NatsConnection> {
    return connect({ servers: `127.0.0.1:${this.port}`, user: this.auth.user, pass: this.auth.pass, token: this.auth.token });
  }
}

/** Every message of a stream, in stream order, as a consumer reading it from the start sees it (an ordered consumer). */
export async function readStream(nc: NatsConnection, stream: string, timeoutMs = 15_000): Promise<{ subject: string; data: string; msgId?: string }[]> {
  const jsm = await nc.jetstreamManager();
  const total = (await jsm.streams.info(stream)).state.messages;
  const out: { subject: string; data: string; msgId?: string }[] = [];
  if (total === 0) return out;
  const consumer = await nc.jetstream().consumers.get(stream);
  const started = Date.now();
  while (out.length < total) {
    if (Date.now() - started > timeoutMs) throw new Error(`stream ${stream}: read ${out.length} of ${total} messages in ${timeoutMs} ms`);
    const batch = await consumer.fetch({ max_messages: Math.min(total - out.length, 10_000), expires: 2000 });
    for await (const m of batch) {
      out.push({ subject: m.subject, data: m.string(), msgId: m.headers?.get('Nats-Msg-Id') || undefined });
      if (out.length >= total) break;
    }
  }
  return out;
}

/** Wait until the stream holds n messages (bounded). */
export async function waitForMessages(nc: NatsConnection, stream: string, n: number, timeoutMs = 15_000): Promise<number> {
  const jsm = await nc.jetstreamManager();
  const started = Date.now();
  for (;;) {
    const have = (await jsm.streams.info(stream)).state.messages;
    if (have >= n) return have;
    if (Date.now() - started > timeoutMs) throw new Error(`stream ${stream}: ${have} of ${n} messages after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
