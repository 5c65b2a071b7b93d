/**
 * The exact frames evtail sends, checked by a hand-written SocketCluster protocol-version-1 server on plain ws
 * (protocols.md §3): no socketcluster-server in between, so nothing is hidden by a library on our side of the test.
 */
import { once } from 'node:events';
import http from 'node:http';
import { afterEach, describe, expect, test } from '@jest/globals';
import { WebSocketServer, type WebSocket } from 'ws';
import { inProcess, runInProcess, until } from '../helpers/evtail.js';

const URN = '7c41d0e9a2b-5f3e8a1c';
const UUID = '2d9b8c4a-1e7f-4a3b-9c6d-5e4f3a2b1c0d';
const API = 'https://api.push.example.org';

interface Peer {
  ws: WebSocket;
  url: string;
  frames: string[];
  pings: number;
}

let wss: WebSocketServer | undefined;
afterEach(async () => {
  const server = wss;
  wss = undefined;
  if (!server) return;
  for (const c of server.clients) c.terminate();
  await new Promise((r) => server.close(r));
});

const json = (p: Peer) => p.frames.filter((f) => f !== '#2').map((f) => JSON.parse(f) as { event?: string; data?: unknown; cid?: number });
const publish = (to: string, msg: Record<string, unknown>) => ({ event: '#publish', data: { channel: URN, data: { to, ...msg } } });

describe('evtail push on the wire (protocol version 1)', () => {
  test('handshake cid 1, registerUser with a cid, #subscribe to the urn, #2 for every #1, sendMessageToChannel without a cid; the urn is reused after a reconnect', async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/socketcluster/' });
    await once(wss, 'listening');
    const port = (wss.address() as { port: number }).port;
    const peers: Peer[] = [];

    wss.on('connection', (ws, req) => {
      const peer: Peer = { ws, url: req.url ?? '', frames: [], pings: 0 };
      peers.push(peer);
      const n = peers.length;
      const send = (v: unknown) => ws.send(JSON.stringify(v));
      const ping = () => {
        peer.pings += 1;
        ws.send('#1');
      };
      const pongs = () => peer.frames.filter((f) => f === '#2').length;
      ws.on('message', (data) => {
        const text = data.toString();
        peer.frames.push(text);
        if (text === '#2') return;
        const p = JSON.parse(text) as { event: string; cid?: number };
        if (p.event === '#handshake') send({ rid: p.cid, data: { id: `sock-${n}`, pingTimeout: 5000, isAuthenticated: false } });
        else if (p.event === 'registerUser') send({ rid: p.cid, data: JSON.stringify({ urn: URN }) });
        else if (p.event === '#subscribe') {
          send({ rid: p.cid });
          void (n === 1 ? firstScript() : secondScript());
        }
      });
      // First connection: two pings, wait for the sent message, a batch with a stray message, one more, then 4001.
      const firstScript = async () => {
        ping();
        await until(() => pongs() === 1, 'the first #2');
        ping();
        await until(() => pongs() === 2, 'the second #2');
        await until(() => peer.frames.some((f) => f.includes('sendMessageToChannel')), 'sendMessageToChannel');
        ws.send(JSON.stringify([publish(URN, { id: 'm1', text: 'You said: hello' }), publish('someone-else', { id: 'stray', text: 'not for you' })]));
        send(publish(URN, { id: 'm2', type: 'text', text: 'second', quick_replies: ['Yes', 'No'] }));
        ws.close(4001, 'pong timed out');
      };
      // Second connection: one ping, then the last two messages.
      const secondScript = async () => {
        ping();
        await until(() => pongs() === 1, 'a #2 on the second connection');
        send(publish(URN, { id: 'm3', text: 'third' }));
        send(publish(URN, { id: 'm4', text: 'fourth' }));
      };
    });

    const p = inProcess(['push', '--url', `ws://127.0.0.1:${port}/socketcluster/`, '--channel-uuid', UUID, '--host-api', API, '--send', 'hello', '-o', 'ndjson', '-n', '4']);
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(peers).toHaveLength(2);
    const [first, second] = peers as [Peer, Peer];

    // The endpoint: /socketcluster/ with the channel in the query.
    const q = new URL(first.url, 'http://x').searchParams;
    expect(new URL(first.url, 'http://x').pathname).toBe('/socketcluster/');
    expect(q.get('channelUUID')).toBe(UUID);
    expect(q.get('hostApi')).toBe(API);

    // First connection, frame by frame.
    expect(first.frames[0]).toBe('{"event":"#handshake","data":{"authToken":null},"cid":1}');
    const f1 = json(first);
    expect(f1.map((f) => f.event)).toEqual(['#handshake', 'registerUser', '#subscribe', 'sendMessageToChannel']);
    expect(f1[1]).toEqual({ event: 'registerUser', data: {}, cid: expect.any(Number) });
    expect(f1[2]).toEqual({ event: '#subscribe', data: { channel: URN }, cid: expect.any(Number) });
    expect(f1[3]).toEqual({ event: 'sendMessageToChannel', data: { text: 'hello', userUrn: URN } });
    expect(f1[3]).not.toHaveProperty('cid');
    expect(first.frames.filter((f) => f === '#2')).toHaveLength(first.pings);
    expect(first.pings).toBe(2);

    // After the 4001 close: a new handshake (cid 1 again), no second registerUser, the same urn.
    expect(second.frames[0]).toBe('{"event":"#handshake","data":{"authToken":null},"cid":1}');
    const f2 = json(second);
    expect(f2.map((f) => f.event)).toEqual(['#handshake', '#subscribe']);
    expect(f2[1]).toEqual({ event: '#subscribe', data: { channel: URN }, cid: expect.any(Number) });
    expect(second.frames.filter((f) => f === '#2')).toHaveLength(second.pings);
    expect(r.stderr).toMatch(/reconnecting in 0ms: closed with code 4001 \(client pong timed out\): pong timed out/);

    // What was printed: our four messages in order (the stray one skipped), with the urn as channel.
    const events = p.events as { id: string; type: string; channel: string }[];
    expect(events.map((e) => e.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(events.map((e) => e.type)).toEqual(['message', 'text', 'message', 'message']);
    expect(new Set(events.map((e) => e.channel))).toEqual(new Set([URN]));
  });

  test('an HTTP 403 to the upgrade is a refusal: exit 3, no retry', async () => {
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests += 1;
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('forbidden');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const port = (server.address() as { port: number }).port;
      const r = await runInProcess(['push', '--url', `ws://127.0.0.1:${port}/socketcluster/`, '--channel-uuid', UUID, '--host-api', API, '-o', 'ndjson']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/error: the Push server refused the connection: HTTP 403/);
      expect(requests).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
  test('a token the server hands out (#setAuthToken) never reaches --verbose or a recording', async () => {
    const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.server-issued-session-token.sig';
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/socketcluster/' });
    await once(wss, 'listening');
    const port = (wss.address() as { port: number }).port;
    wss.on('connection', (ws) => {
      const send = (v: unknown) => ws.send(JSON.stringify(v));
      ws.on('message', (data) => {
        const text = data.toString();
        if (text === '#2') return;
        const p = JSON.parse(text) as { event: string; cid?: number };
        if (p.event === '#handshake') {
          send({ rid: p.cid, data: { id: 'sock-1', pingTimeout: 5000, isAuthenticated: false } });
          send({ event: '#setAuthToken', data: { token: TOKEN } });
        } else if (p.event === 'registerUser') send({ rid: p.cid, data: JSON.stringify({ urn: URN }) });
        else if (p.event === '#subscribe') {
          send({ rid: p.cid });
          send(publish(URN, { id: 'm-1', text: 'hello' }));
        }
      });
    });
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = `${mkdtempSync(`${tmpdir()}/evtail-push-`)}/rec.ndjson`;
    const r = await runInProcess(['push', '--url', `ws://127.0.0.1:${port}/socketcluster/`, '--channel-uuid', UUID, '--host-api', API, '-o', 'ndjson', '-n', '1', '-v', '--record', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/#setAuthToken/);
    expect(r.stderr).not.toContain(TOKEN);
    const recording = readFileSync(file, 'utf8');
    expect(recording).toMatch(/#setAuthToken/);
    expect(recording).not.toContain(TOKEN);
  });
});
