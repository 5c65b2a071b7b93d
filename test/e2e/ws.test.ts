/** End to end: `evtail ws <url>` against a plain `ws` server on 127.0.0.1 (no provider protocol at all). */
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, test } from '@jest/globals';
import WebSocket, { WebSocketServer, type ServerOptions } from 'ws';
import { baseEnv, BIN, processJanitor, ROOT, runInProcess, until } from '../helpers/evtail.js';

interface Plain {
  url: string;
  wss: WebSocketServer;
  connections: number;
  /** Upgrade headers and negotiated subprotocol of each connection. */
  handshakes: { headers: IncomingHttpHeaders; protocol: string }[];
  /** Text frames received, per connection. */
  received: string[][];
  pings: number;
  close(): Promise<void>;
}

type OnConnection = (ws: WebSocket, index: number, server: Plain) => void;

let server: Plain | undefined;

/** A plain ws server: onConnection decides what each connection sends. */
async function plain(onConnection: OnConnection, options: Partial<ServerOptions> = {}): Promise<Plain> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as { port: number }).port;
  const s: Plain = {
    url: `ws://127.0.0.1:${port}/stream`,
    wss,
    connections: 0,
    handshakes: [],
    received: [],
    pings: 0,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
  wss.on('connection', (ws, req) => {
    const index = s.connections++;
    s.handshakes.push({ headers: req.headers, protocol: ws.protocol });
    s.received.push([]);
    ws.on('message', (m, isBinary) => {
      if (!isBinary) s.received[index]!.push(m.toString());
    });
    ws.on('ping', () => s.pings++);
    onConnection(ws, index, s);
  });
  server = s;
  return s;
}

/** Send frames as fast as the socket takes them (bounded buffer), n in all. */
function flood(ws: WebSocket, n: number, frame: (i: number) => string): void {
  let i = 0;
  const pump = () => {
    while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 1 << 20 && i < n) {
      i++;
      ws.send(frame(i));
    }
    if (i < n && ws.readyState === WebSocket.OPEN) setImmediate(pump);
  };
  pump();
}

const janitor = processJanitor();
const { inProcess, spawn } = janitor;

afterEach(async () => {
  janitor.cleanup();
  await server?.close();
  server = undefined;
});

describe('evtail ws', () => {
  test('JSON objects become envelopes (type from type, event, op; id), other frames are kept as text or base64', async () => {
    const s = await plain((ws) => {
      ws.send(JSON.stringify({ type: 'trade', id: 'T-1', price: 10.5 }));
      ws.send(JSON.stringify({ event: 'heartbeat' }));
      ws.send(JSON.stringify({ op: 0, id: 7, d: { x: 1 } }));
      ws.send(JSON.stringify({ hello: 'world' }));
      ws.send('not json at all');
      ws.send('[1,2,3]');
      ws.send('{"truncated": ');
      ws.send(Buffer.from([0, 1, 2, 250, 255]), { binary: true });
      ws.send(JSON.stringify({ type: 'last' }));
    });
    const r = await runInProcess(['ws', s.url, '-o', 'ndjson', '-n', '9']);
    expect(r.code).toBe(0);
    const evs = r.lines.map((l) => JSON.parse(l));
    expect(evs.map((e) => [e.type, e.id])).toEqual([
      ['trade', 'T-1'],
      ['heartbeat', undefined],
      ['0', '7'],
      ['message', undefined],
      ['text', undefined],
      ['text', undefined],
      ['text', undefined],
      ['binary', undefined],
      ['last', undefined],
    ]);
    expect(Object.keys(evs[0])).toEqual(['time', 'provider', 'type', 'id', 'data']);
    expect(evs[0]).toMatchObject({ provider: 'ws', data: { type: 'trade', id: 'T-1', price: 10.5 } });
    expect(evs[2].data).toEqual({ op: 0, id: 7, d: { x: 1 } });
    expect(evs[4].data).toBe('not json at all');
    expect(evs[5].data).toBe('[1,2,3]');
    expect(evs[6].data).toBe('{"truncated": ');
    expect(Buffer.from(evs[7].data, 'base64')).toEqual(Buffer.from([0, 1, 2, 250, 255]));
    // A generic stream has no "undecodable" frames.
    expect(r.stderr).not.toMatch(/did not decode/);
  });

  test('--type-path picks the type from a nested field', async () => {
    const s = await plain((ws) => {
      ws.send(JSON.stringify({ type: 'envelope', payload: { kind: 'order.created', n: 1 } }));
      ws.send(JSON.stringify({ type: 'envelope', payload: {} }));
    });
    const r = await runInProcess(['ws', s.url, '-o', 'ndjson', '-n', '2', '--type-path', 'payload.kind']);
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => JSON.parse(l).type)).toEqual(['order.created', 'message']);
  });

  test('--header, --subprotocol and --send on every open, in order; credential headers are redacted', async () => {
    const s = await plain((ws, i) => {
      ws.on('message', () => {
        // Echo what came in, so the stream shows the sends arrived; the first connection then drops.
        if (s.received[i]!.length === 2) {
          ws.send(JSON.stringify({ type: 'echo', got: s.received[i], auth: s.handshakes[i]!.headers.authorization }));
          if (i === 0) ws.terminate();
        }
      });
    }, { handleProtocols: (protocols) => (protocols.has('v2.stream') ? 'v2.stream' : false) });
    const p = inProcess([
      'ws', s.url, '-o', 'ndjson', '-n', '2', '-v',
      '--header', 'Authorization: Bearer s3cr3t-bearer',
      '--header', 'X-Trace:abc',
      '--subprotocol', 'v1.stream', 'v2.stream',
      '--send', '{"op":"subscribe","args":["a","b"]}',
      '--send', 'second',
    ]);
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(s.connections).toBe(2);
    for (const h of s.handshakes) {
      expect(h.headers.authorization).toBe('Bearer s3cr3t-bearer');
      expect(h.headers['x-trace']).toBe('abc');
      expect(h.headers['sec-websocket-protocol']).toBe('v1.stream,v2.stream');
      expect(h.protocol).toBe('v2.stream');
    }
    expect(s.received).toEqual([
      ['{"op":"subscribe","args":["a","b"]}', 'second'],
      ['{"op":"subscribe","args":["a","b"]}', 'second'],
    ]);
    expect(p.events.map((e) => (e.data as { got: string[] }).got)).toEqual([s.received[0], s.received[1]]);
    expect(r.stderr).toMatch(/ready: subprotocol v2\.stream/);
    expect(r.stderr).toMatch(/reconnecting in/);
    // --verbose shows the frames, with the credential masked.
    expect(r.stderr).toMatch(/< \{"type":"echo"/);
    expect(r.stderr).not.toMatch(/s3cr3t-bearer/);
  });

  test('a malformed --header is a usage error', async () => {
    const r = await runInProcess(['ws', 'ws://127.0.0.1:9/', '--header', 'no colon here']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--header: expected 'Name: value', got "no colon here"/);
  });

  test('no subprotocol agreed: exit 5 with a hint, not an endless retry', async () => {
    const s = await plain(() => undefined, { handleProtocols: () => false });
    const r = await runInProcess(['ws', s.url, '--subprotocol', 'mqtt']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/did not agree on a subprotocol/);
    expect(r.stderr).toMatch(/check --subprotocol/);
    expect(s.connections).toBeLessThanOrEqual(1);
  });

  test('close 1000 ends the tail with exit 0; another close code reconnects', async () => {
    const s = await plain((ws, i) => {
      ws.send(JSON.stringify({ type: 'n', id: i + 1 }));
      if (i === 0) ws.close(1011, 'oops');
      else ws.close(1000, 'bye');
    });
    const r = await runInProcess(['ws', s.url, '-o', 'ndjson', '-v']);
    expect(r.code).toBe(0);
    expect(r.lines.map((l) => JSON.parse(l).id)).toEqual(['1', '2']);
    expect(r.stderr).toMatch(/closed with code 1011 \(server error\): oops/);
    expect(r.stderr).toMatch(/done: the stream ended: closed with code 1000 \(normal closure\): bye/);
  });

  test('--ping-interval: answered pings keep the link; an unanswered ping is a dead link', async () => {
    const ok = await plain((ws) => {
      const t = setInterval(() => ws.send('{"type":"tick"}'), 20);
      ws.on('close', () => clearInterval(t));
    });
    const p = inProcess(['ws', ok.url, '-o', 'ndjson', '--ping-interval', '50ms', '--max-retries', '0']);
    await until(() => ok.pings >= 3, 'three pings at the server');
    p.kill('SIGINT');
    const r1 = await p.exit();
    expect(r1.code).toBe(130);
    expect(ok.connections).toBe(1);
    expect(r1.stderr).not.toMatch(/dead link/);
    await ok.close();

    const mute = await plain(() => undefined, { autoPong: false });
    const r2 = await runInProcess(['ws', mute.url, '--ping-interval', '100ms', '--max-retries', '1']);
    expect(r2.code).toBe(5);
    expect(r2.stderr).toMatch(/dead link: no heartbeat answer within 100 ms/);
    expect(mute.connections).toBe(2);
    expect(mute.pings).toBeGreaterThanOrEqual(2);
  });

  test('without --ping-interval no pings are sent and silence is not a dead link', async () => {
    const s = await plain(() => undefined);
    const r = await runInProcess(['ws', s.url, '--timeout', '600ms']);
    expect(r.code).toBe(4);
    expect(s.pings).toBe(0);
    expect(s.connections).toBe(1);
  });

  test('20 000 frames into a slow reader arrive complete and in order', async () => {
    const s = await plain((ws) => flood(ws, 25_000, (i) => (i % 2 ? JSON.stringify({ type: 'tick', id: i, pad: 'x'.repeat(100) }) : `plain ${i}`)));
    const child = spawn('bash', ['-c', `node "${BIN}" ws ${s.url} -o ndjson -n 20000 -q | (sleep 2; awk 'END { print NR; print $0 }')`], { cwd: ROOT, env: baseEnv() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    const [count, last] = out.trim().split('\n');
    expect(count).toBe('20000');
    expect(JSON.parse(last!).data).toBe('plain 20000');
    expect(s.connections).toBe(1);
  }, 30_000);

  test('HTTP 400 to the upgrade: exit 5 at once', async () => {
    const s = await plain(() => undefined, { verifyClient: (_info, cb) => cb(false, 400, 'Bad Request') });
    const r = await runInProcess(['ws', s.url]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/HTTP 400/);
  });

  test('ws has no mock: it is not offered by demo', async () => {
    const r = await runInProcess(['demo', 'ws']);
    expect(r.code).toBe(2);
  });
});
