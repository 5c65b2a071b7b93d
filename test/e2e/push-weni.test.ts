/** End to end: `evtail push --protocol weni` against the Weni webchat-socket mock on 127.0.0.1. */
import { afterEach, describe, expect, test } from '@jest/globals';
import WebSocket from 'ws';
import { startWeniMock, type WeniMock } from '../../src/providers/push/weni-mock.js';
import { processJanitor, runInProcess, until } from '../helpers/evtail.js';

const UUID = '9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b';
const API = 'https://flows.example.org';
let mock: WeniMock | undefined;
const peers: WebSocket[] = [];
const janitor = processJanitor();
const { inProcess } = janitor;

async function start(options: Record<string, unknown> = {}): Promise<WeniMock> {
  mock = await startWeniMock({ host: '127.0.0.1', port: 0, rate: 20, ...options });
  return mock;
}

afterEach(async () => {
  janitor.cleanup();
  for (const p of peers.splice(0)) p.terminate();
  await mock?.close();
  mock = undefined;
});

const args = (m: WeniMock, ...more: string[]) => ['push', '--protocol', 'weni', '--url', m.url, '--channel-uuid', UUID, '--host-api', API, '-o', 'ndjson', ...more];
const sent = (m: WeniMock, type: string) => m.received.filter((p) => p.type === type);
const text = (ev: Record<string, unknown>) => (ev.data as { message?: { text?: string } }).message?.text;

/** Another web-chat client (a browser tab), speaking the raw protocol. */
async function peer(m: WeniMock, register?: Record<string, unknown>): Promise<{ ws: WebSocket; frames: Record<string, unknown>[] }> {
  const ws = new WebSocket(m.url);
  peers.push(ws);
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  if (register) {
    ws.send(JSON.stringify({ type: 'register', callback: `${API}/c/wwc/${UUID}/receive`, ...register }));
    await until(() => frames.some((f) => f.type === 'ready_for_message'), 'the peer registered');
  }
  return { ws, frames };
}

describe('evtail push --protocol weni', () => {
  test('registers (from, callback), sends --send as a text message, prints the bot answer in the envelope', async () => {
    const m = await start({ count: 0 });
    const p = inProcess(args(m, '--send', 'hello', '--type', 'message', '-n', '1'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    const [register] = sent(m, 'register');
    expect(register).toEqual({ type: 'register', from: expect.stringMatching(/^\d+@evtail$/), callback: `${API}/c/wwc/${UUID}/receive` });
    expect(sent(m, 'message')).toEqual([{ type: 'message', message: { type: 'text', text: 'hello' } }]);
    const [ev] = p.events;
    expect(Object.keys(ev!)).toEqual(['time', 'provider', 'type', 'id', 'channel', 'data']);
    expect(ev).toMatchObject({ provider: 'push', type: 'message', channel: register!.from, data: { to: register!.from, message: { type: 'text', text: 'You said: hello' } } });
    expect(r.stderr).toMatch(new RegExp(`registered: from ${String(register!.from)} \\(resume this contact with --from`));
  });

  test('--history: the contact\'s earlier messages (from ready_for_message), newest first; an older server is asked with get_history', async () => {
    const m = await start({ count: 0 });
    const first = await runInProcess(args(m, '--from', 'alice@shop', '--send', 'one', '--type', 'message', '-n', '1'));
    expect(first.code).toBe(0);
    const r = await runInProcess(args(m, '--from', 'alice@shop', '--history', '-n', '2'));
    expect(r.code).toBe(0);
    const evs = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(evs.map((e) => [e.type, (e.data as { direction: string }).direction, text(e)])).toEqual([
      ['history', 'in', 'You said: one'],
      ['history', 'out', 'one'],
    ]);
    expect(sent(m, 'get_history')).toEqual([]);
    await m.close();
    const old = await start({ count: 0, legacyReady: true });
    await runInProcess(args(old, '--from', 'bob@shop', '--send', 'two', '--type', 'message', '-n', '1'));
    const r2 = await runInProcess(args(old, '--from', 'bob@shop', '--history', '-n', '2', '-o', 'pretty', '--no-color'));
    expect(r2.code).toBe(0);
    expect(sent(old, 'get_history')).toEqual([{ type: 'get_history', params: { limit: 20, page: 1 } }]);
    expect(r2.lines[0]).toMatch(/ push history bot: You said: two$/);
    expect(r2.lines[1]).toMatch(/ push history me: two$/);
  });

  test('pretty output for every message kind: text, quick replies, image, video, audio, file with captions, location', async () => {
    const m = await start({ rate: 50 });
    const r = await runInProcess(args(m, '-o', 'pretty', '--no-color', '-n', '8'));
    expect(r.code).toBe(0);
    const out = r.lines.map((l) => l.replace(/^\S+ push message /, ''));
    expect(out.slice(1)).toEqual([
      'Demo bot: Was this helpful?  [Yes | No]',
      'Demo bot: image https://mock-bucket.s3.amazonaws.com/receipt-48213.png "Your receipt"',
      'Demo bot: video https://mock-bucket.s3.amazonaws.com/how-to-return.mp4',
      'Demo bot: audio https://mock-bucket.s3.amazonaws.com/voice-note.ogg',
      'Demo bot: file https://mock-bucket.s3.amazonaws.com/invoice-48213.pdf "Invoice #48213"',
      'Demo bot: location -23.5505,-46.6333',
      expect.stringMatching(/^Demo bot: \w/),
    ]);
  });

  test('the identity is in use elsewhere: "already exists" (the other client gets a token payload); with --no-reconnect exit 3 at once', async () => {
    const m = await start({ count: 0 });
    const other = await peer(m, { from: 'carol@shop', token: 'tab-token-1' });
    const r = await runInProcess(args(m, '--from', 'carol@shop', '--no-reconnect'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error: the server refused the registration of carol@shop: unable to register: client from already exists/);
    expect(r.stderr).toMatch(/hint: another client \(a browser tab\?\) is connected as carol@shop/);
    expect(other.frames).toContainEqual(expect.objectContaining({ type: 'token', token: 'tab-token-1' }));
  });

  test('a channel that restricts domains: forbidden is exit 3 naming --origin; the allowed Origin registers', async () => {
    const m = await start({ count: 0, allowedDomains: ['shop.example.com'] });
    const r = await runInProcess(args(m));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/error: the server refused this chat: domain not allowed, forbidden connection/);
    expect(r.stderr).toMatch(/--origin/);
    const ok = await runInProcess(args(m, '--origin', 'https://shop.example.com', '--send', 'hi', '--type', 'message', '-n', '1'));
    expect(ok.code).toBe(0);
    expect(m.origins).toEqual([undefined, 'https://shop.example.com']);
  });

  test('warnings: close_session from another client is warned about, printed, and the same identity registers again', async () => {
    const m = await start({ count: 0 });
    const p = inProcess(args(m, '--from', 'dan@shop', '--stdin'), { keepStdinOpen: true });
    await p.waitForStderr(/ready: registered as dan@shop/);
    const other = await peer(m);
    other.ws.send(JSON.stringify({ type: 'close_session', from: 'dan@shop' }));
    await p.waitForStderr(/warning: the server warned: Connection closed by request/);
    await until(() => m.stats.registrations === 2, 'a second registration');
    p.input.write('still here\n');
    await p.waitForLines(3);
    p.kill('SIGTERM');
    await p.exit();
    expect(sent(m, 'register').map((f) => f.from)).toEqual(['dan@shop', 'dan@shop']);
    expect(p.events.map((e) => e.type)).toEqual(['warning', 'typing_start', 'message']);
    expect(text(p.events[2]!)).toBe('You said: still here');
  });

  test('the link drops: reconnect with the same identity, nothing lost or repeated; pings answered by pong keep it alive', async () => {
    const m = await start({ rate: 20, dropAfter: 3, faulty: 1 });
    const p = inProcess(args(m, '--from', 'erin@shop', '--keepalive-interval', '100ms', '-n', '6'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/reconnecting in/);
    expect(p.events.map((e) => e.id)).toEqual(['wwc-1', 'wwc-2', 'wwc-3', 'wwc-4', 'wwc-5', 'wwc-6']);
    expect(sent(m, 'register').map((f) => f.from)).toEqual(['erin@shop', 'erin@shop']);
    expect(r.stderr).not.toMatch(/dead link/);
  });

  test('--stdin chat: each line is a message, answered in order; --init-payload goes first, once', async () => {
    const m = await start({ count: 0 });
    const p = inProcess(args(m, '--stdin', '--init-payload', 'start', '--type', 'message'), { keepStdinOpen: true });
    await p.waitForLines(1);
    p.input.write('hello\n\nmy order #48213\n');
    await p.waitForLines(3);
    p.input.end();
    p.kill('SIGTERM');
    await p.exit();
    expect(sent(m, 'message').map((f) => (f.message as { text: string }).text)).toEqual(['start', 'hello', 'my order #48213']);
    expect(p.events.map(text)).toEqual(['You said: start', 'You said: hello', 'You said: my order #48213']);
  });

  test('keep-alive: {"type":"ping"} at --keepalive-interval, answered by pong (never printed); a server that stops answering is a dead link', async () => {
    const m = await start({ rate: 5, silentAfter: 1, faulty: 1 });
    const p = inProcess(args(m, '--keepalive-interval', '150ms', '-n', '3'));
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dead link/);
    expect(m.stats.pings).toBeGreaterThan(0);
    expect(sent(m, 'ping')[0]).toEqual({ type: 'ping', message: {} });
    expect(p.events.every((e) => e.type === 'message')).toBe(true);
  });
});
