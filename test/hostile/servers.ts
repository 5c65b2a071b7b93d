/**
 * Hostile servers for test/hostile/: real sockets on 127.0.0.1, each playing one attack of issue 13.
 * Every server records what it saw, so a test can check that the attack really reached evtail.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Socket } from 'node:net';
import WebSocket, { WebSocketServer, type ServerOptions } from 'ws';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import { ROOT } from '../helpers/evtail.js';

/** Every escape the issue saw act on a terminal: title, clear screen, clipboard write, alternate screen, CR, C1 CSI, bidi. */
export const INJECTION = '\x1b]0;pwned-title\x07 \x1b[2J \x1b]52;c;cHduZWQ=\x07 \x1b[?1049h \rOVERWRITE \u009b31m \u202eevil';
/** What must never reach a terminal from the network (after evtail's own `\r\n` line ends are taken out). */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export function tlsMaterial(name: 'server' | 'ip-only' | 'dns-only'): { key: Buffer; cert: Buffer; caFile: string } {
  return { key: readFileSync(`${ROOT}/fixtures/tls/${name}.key`), cert: readFileSync(`${ROOT}/fixtures/tls/${name}.crt`), caFile: `${ROOT}/fixtures/tls/${name}.crt` };
}

export interface Hostile {
  url: string;
  port: number;
  /** TCP connections accepted. */
  connections: number;
  /** Upgrade requests seen (url and headers). */
  requests: { url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

/** A WebSocket server (plain or TLS) whose connections do what `onConnection` says. */
export async function hostileWs(onConnection: (ws: WebSocket, req: IncomingMessage, index: number) => void, options: { tls?: { key: Buffer; cert: Buffer }; path?: string; ws?: Partial<ServerOptions> } = {}): Promise<Hostile> {
  const server: Server = options.tls ? createHttpsServer(options.tls) : createHttpServer();
  const wss = new WebSocketServer({ server, ...options.ws });
  const sockets = new Set<Socket>();
  const h: Hostile = {
    url: '',
    port: 0,
    connections: 0,
    requests: [],
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        for (const s of sockets) s.destroy();
        wss.close();
        server.close(() => r());
      }),
  };
  server.on('connection', (s: Socket) => {
    h.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A TLS server counts its TCP connections before the handshake too.
  server.on('tlsClientError', () => undefined);
  wss.on('connection', (ws, req) => {
    h.requests.push({ url: req.url ?? '', headers: req.headers });
    ws.on('error', () => undefined);
    onConnection(ws, req, h.requests.length - 1);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  h.port = (server.address() as { port: number }).port;
  h.url = `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${h.port}${options.path ?? '/'}`;
  return h;
}

/** A Tweet Catcher server (hello, login, ready, heartbeat ACKs) whose logged-in connections then run `script`. */
export async function hostileTweetCatcher(script: (ws: WebSocket) => void, options: { heartbeatMs?: number } = {}): Promise<Hostile> {
  return hostileWs((ws) => {
    ws.send(JSON.stringify({ op: 10, heartbeat_interval: options.heartbeatMs ?? 30_000 }));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { op?: number };
      if (msg.op === 1) ws.send('{"op":11}');
      if (msg.op === 2) {
        ws.send('{"op":4}');
        script(ws);
      }
    });
  }, { path: '/websocket' });
}

/** A Tweet Catcher event frame (op 0), in the current format. */
export function tcEvent(seq: number, text: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    op: 0,
    d: { event_id: `tc-${seq}`, event: 'twitter.post.new', task_info: { handle: 'nasa' }, data: { id: String(seq), type: 'post', text, author: { handle: 'nasa', name: 'NASA' }, seq }, ...extra },
  });
}

/** A raw TCP server: `onSocket` writes whatever bytes the attack needs. */
export async function hostileTcp(onSocket: (socket: Socket, firstChunk: Buffer) => void): Promise<Hostile & { sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => {
    h.connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.once('data', (chunk) => onSocket(s, chunk));
  });
  const h = {
    url: '',
    port: 0,
    connections: 0,
    requests: [],
    sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  } as Hostile & { sockets: Set<Socket> };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  h.port = (server.address() as { port: number }).port;
  h.url = `ws://127.0.0.1:${h.port}/`;
  return h;
}

/** A real HTTP CONNECT proxy on loopback (the shared test helper): each tunnel's target and Proxy-Authorization. */
export async function connectProxy(): Promise<{ url: string; port: number; tunnels: { target: string; auth?: string }[]; close(): Promise<void> }> {
  const p = await startConnectProxy();
  return { url: p.url, port: p.port, tunnels: p.requests, close: p.close };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** `[[[…[1]…]]]`, `depth` arrays deep, built as text (JSON.stringify itself could not). */
export function deepArray(depth: number): string {
  return '['.repeat(depth) + '1' + ']'.repeat(depth);
}

export { WebSocket };
