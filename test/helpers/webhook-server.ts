/**
 * A real HTTP server on 127.0.0.1 port 0 standing in for a user's webhook handler: it keeps every request
 * (headers, exact body bytes, arrival order) and answers as the test says, with an optional delay per request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  n: number;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this many ms (the handler is slow). */
  delayMs?: number;
}

export class WebhookServer {
  readonly received: Received[] = [];
  private readonly server: http.Server;
  private waiters: (() => void)[] = [];
  answer: (req: Received) => Answer = () => ({ status: 200 });
  url = '';
  /** Requests being handled at once, at most (a request counts from its arrival to its answer). */
  maxConcurrent = 0;
  private open = 0;
  port = 0;

  private constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rec: Received = { n: this.received.length + 1, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        this.received.push(rec);
        this.open += 1;
        this.maxConcurrent = Math.max(this.maxConcurrent, this.open);
        const a = this.answer(rec);
        const send = () => {
          this.open -= 1;
          res.writeHead(a.status ?? 200, a.headers ?? {});
          res.end(a.body ?? '');
          this.notify();
        };
        if (a.delayMs) setTimeout(send, a.delayMs).unref();
        else send();
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  static async start(): Promise<WebhookServer> {
    const s = new WebhookServer();
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.port = (s.server.address() as AddressInfo).port;
    s.url = `http://127.0.0.1:${s.port}`;
    return s;
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolve when `n` requests were answered; reject after timeoutMs. */
  waitFor(n: number, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} requests (got ${this.received.length})`)), timeoutMs);
      const check = () => {
        if (this.received.length >= n) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
