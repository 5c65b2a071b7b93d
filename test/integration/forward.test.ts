/** The --forward-to deliverer on its own, against a real HTTP server on loopback (no mocked fetch). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { ForwardSink } from '../../src/forward/forward-sink.js';
import { DeadLetterFile, envelopeOfDeadLetter } from '../../src/forward/dead-letter.js';
import { createPoster } from '../../src/forward/http.js';
import type { TargetOptions } from '../../src/forward/target.js';
import { envelopeLine } from '../../src/output/envelope.js';
import type { TailEvent } from '../../src/types.js';
import { ROOT } from '../helpers/evtail.js';
import { WebhookServer } from '../helpers/webhook-server.js';
import { startConnectProxy } from '../helpers/connect-proxy.js';
import https from 'node:https';

const ev = (i: number, extra: Partial<TailEvent> = {}): TailEvent => ({ time: new Date(1_700_000_000_000 + i).toISOString(), provider: 'doshii', type: 'order_created', id: `o-${i}`, data: { n: i, big: 'x' }, ...extra });
const lineOf = (e: TailEvent) => envelopeLine(e);

class Reporter {
  errors: string[] = [];
  warnings: string[] = [];
  error = (m: string) => void this.errors.push(m);
  warn = (m: string) => void this.warnings.push(m);
  debug = () => undefined;
}

let server: WebhookServer;
let reporter: Reporter;
const sinks: ForwardSink[] = [];

async function sinkFor(target: Partial<TargetOptions> = {}, deadLetters?: DeadLetterFile): Promise<ForwardSink> {
  const poster = await createPoster({ env: {} });
  const url = target.url ?? `${server.url}/hook`;
  const s = new ForwardSink([{ url, shown: url, headers: {}, concurrency: 1, timeoutMs: 5000, retries: 5, userAgent: 'evtail/test', backoff: { baseMs: 20 }, ...target }], poster, reporter, deadLetters);
  sinks.push(s);
  return s;
}

/** Verify a signature with the Node snippet the docs give, run as it is written there. */
async function docsNodeVerifier(): Promise<(header: string, body: string, secret: string) => boolean> {
  const doc = readFileSync(path.join(ROOT, 'docs/forwarding.md'), 'utf8');
  const code = /<!-- verify:node -->\s*```js\n([\s\S]*?)```/.exec(doc)![1]!;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'evtail-verify-')), 'verify.mjs');
  writeFileSync(file, code);
  return ((await import(pathToFileURL(file).href)) as { verifyEvtailSignature: (h: string, b: string, s: string) => boolean }).verifyEvtailSignature;
}

function docsPythonSnippet(): string {
  const doc = readFileSync(path.join(ROOT, 'docs/forwarding.md'), 'utf8');
  return /<!-- verify:python -->\s*```python\n([\s\S]*?)```/.exec(doc)![1]!;
}

function hasPython(): boolean {
  try {
    execFileSync('python3', ['-c', 'pass']);
    return true;
  } catch {
    return false;
  }
}

beforeEach(async () => {
  server = await WebhookServer.start();
  reporter = new Reporter();
});

afterEach(async () => {
  for (const s of sinks.splice(0)) await s.close();
  await server.close();
});

describe('--forward-to delivery', () => {
  test('bodies are the NDJSON lines, byte for byte, with the event headers', async () => {
    const sink = await sinkFor({ headers: { authorization: 'Bearer abc' } });
    const events = [ev(1), ev(2, { id: undefined, type: 'ping' }), ev(3, { data: { text: 'ünïcödé "quoted" \\ \u2028' } })];
    for (const e of events) sink.write(e, lineOf(e));
    expect(await sink.drain(Infinity)).toEqual({ undelivered: 0 });
    expect(server.received.map((r) => r.body)).toEqual(events.map(lineOf));
    const [first, second] = server.received;
    expect(first!.method).toBe('POST');
    expect(first!.url).toBe('/hook');
    expect(first!.headers['content-type']).toBe('application/json');
    expect(first!.headers['evtail-event-type']).toBe('order_created');
    expect(first!.headers['evtail-event-id']).toBe('o-1');
    expect(first!.headers['evtail-provider']).toBe('doshii');
    expect(first!.headers['authorization']).toBe('Bearer abc');
    expect(first!.headers['evtail-signature']).toBeUndefined();
    expect(second!.headers['evtail-event-id']).toBeUndefined();
    expect(sink.failures()).toBe(0);
    expect(sink.stats()[0]).toMatchObject({ delivered: 3, retried: 0, failed: 0 });
  });

  test('with a secret, the signature verifies with the documented Node and Python snippets', async () => {
    const sink = await sinkFor({ secret: 'whsec_test_123' });
    for (let i = 1; i <= 3; i++) sink.write(ev(i), lineOf(ev(i)));
    await sink.drain(Infinity);
    const verify = await docsNodeVerifier();
    for (const r of server.received) {
      const header = r.headers['evtail-signature'] as string;
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verify(header, r.body, 'whsec_test_123')).toBe(true);
      expect(verify(header, r.body + ' ', 'whsec_test_123')).toBe(false);
      expect(verify(header, r.body, 'other')).toBe(false);
    }
    if (!hasPython()) return;
    const cases = server.received.map((r) => [r.headers['evtail-signature'], r.body]);
    const script = `${docsPythonSnippet()}\nimport json, sys\ncases = json.load(sys.stdin)\nprint(json.dumps([[verify_evtail_signature(h, b.encode(), "whsec_test_123"), verify_evtail_signature(h, b.encode() + b"x", "whsec_test_123")] for h, b in cases]))\n`;
    const out = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(cases) }).toString()) as boolean[][];
    expect(out).toEqual(cases.map(() => [true, false]));
  });

  test('one request at a time keeps the stream order, whatever each request takes', async () => {
    server.answer = (r) => ({ status: 200, delayMs: (r.n * 7) % 5 });
    const sink = await sinkFor();
    const events = Array.from({ length: 200 }, (_, i) => ev(i));
    for (const e of events) sink.write(e, lineOf(e));
    await sink.drain(Infinity);
    expect(server.received.map((r) => JSON.parse(r.body).data.n)).toEqual(events.map((_, i) => i));
    expect(server.maxConcurrent).toBe(1);
  });

  test('--forward-concurrency sends several at once', async () => {
    server.answer = () => ({ status: 200, delayMs: 30 });
    const sink = await sinkFor({ concurrency: 4 });
    for (let i = 0; i < 12; i++) sink.write(ev(i), lineOf(ev(i)));
    await sink.drain(Infinity);
    expect(server.received).toHaveLength(12);
    expect(server.maxConcurrent).toBeGreaterThan(1);
    expect(server.maxConcurrent).toBeLessThanOrEqual(4);
  });

  test('a 503 then a 200 is retried once, after the Retry-After the handler asked for', async () => {
    server.answer = (r) => (r.n === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 });
    const notes: string[] = [];
    const sink = await sinkFor();
    sink.onNotes((_e, n) => notes.push(n[0]!.text));
    sink.write(ev(1), lineOf(ev(1)));
    sink.write(ev(2), lineOf(ev(2)));
    await sink.drain(Infinity);
    expect(server.received.map((r) => JSON.parse(r.body).data.n)).toEqual([1, 1, 2]);
    expect(server.received.map((r) => r.headers['evtail-attempt'])).toEqual(['1', '2', '1']);
    expect(server.received[1]!.at - server.received[0]!.at).toBeGreaterThanOrEqual(950);
    expect(notes[0]).toMatch(/^→ 503, retry 1 in 1(\.0)?s$/);
    expect(notes[1]).toMatch(/^→ 200 in \d+ms after 1 retry$/);
    expect(sink.stats()[0]).toMatchObject({ delivered: 2, retried: 1, failed: 0 });
    expect(sink.failures()).toBe(0);
    expect(reporter.errors).toEqual([]);
  });

  test('a 400 is not retried; it is reported with the handler\'s answer and counted', async () => {
    server.answer = (r) => (r.n === 1 ? { status: 400, body: 'missing field "order"\u001b[2J' } : { status: 200 });
    const sink = await sinkFor();
    sink.write(ev(1), lineOf(ev(1)));
    sink.write(ev(2), lineOf(ev(2)));
    await sink.drain(Infinity);
    expect(server.received).toHaveLength(2);
    expect(sink.failures()).toBe(1);
    expect(reporter.errors).toHaveLength(1);
    expect(reporter.errors[0]).toContain('event order_created o-1 not delivered: 400, not retried (Bad Request): missing field "order"');
    expect(reporter.errors[0]).not.toContain('\u001b');
  });

  test('5xx until the retries run out: failed after --forward-retries retries', async () => {
    server.answer = () => ({ status: 500 });
    const sink = await sinkFor({ retries: 2 });
    sink.write(ev(1), lineOf(ev(1)));
    await sink.drain(Infinity);
    expect(server.received).toHaveLength(3);
    expect(sink.failures()).toBe(1);
    expect(reporter.errors[0]).toContain('500, gave up after 2 retries');
  });

  test('a handler slower than --forward-timeout is retried', async () => {
    server.answer = (r) => (r.n === 1 ? { status: 200, delayMs: 2000 } : { status: 200 });
    const sink = await sinkFor({ timeoutMs: 200 });
    sink.write(ev(1), lineOf(ev(1)));
    await sink.drain(Infinity);
    expect(server.received.length).toBeGreaterThanOrEqual(2);
    expect(sink.stats()[0]).toMatchObject({ delivered: 1, retried: 1 });
  });

  test('write() asks to pause at the high-water mark and onDrain says when there is room again', async () => {
    server.answer = () => ({ status: 200, delayMs: 5 });
    const sink = await sinkFor({ highWater: 3 });
    expect(sink.write(ev(1), lineOf(ev(1)))).toBe(true);
    expect(sink.write(ev(2), lineOf(ev(2)))).toBe(true);
    expect(sink.write(ev(3), lineOf(ev(3)))).toBe(false);
    await new Promise<void>((resolve) => sink.onDrain(resolve));
    expect(server.received.length).toBeGreaterThanOrEqual(1);
    await sink.drain(Infinity);
    expect(server.received).toHaveLength(3);
  });

  test('a dead target: every event lands in the dead-letter file (mode 600), exactly as it was sent', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'evtail-dl-'));
    const file = path.join(dir, 'dead.ndjson');
    const dead = await WebhookServer.start();
    const deadUrl = `${dead.url}/hook`;
    await dead.close();
    const sink = await sinkFor({ url: deadUrl, retries: 1 }, await DeadLetterFile.open(file));
    const events = [ev(1), ev(2), ev(3)];
    for (const e of events) sink.write(e, lineOf(e));
    await sink.drain(Infinity);
    await sink.close();
    expect(sink.failures()).toBe(3);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => envelopeOfDeadLetter(l))).toEqual(events.map(lineOf));
    expect(JSON.parse(lines[0]!).deadLetter).toMatchObject({ target: deadUrl, attempts: 2, reason: expect.stringContaining('ECONNREFUSED') });
    expect(reporter.errors).toHaveLength(3);
  });

  test('drain() gives up at its deadline: what is left is counted, reported and kept', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'evtail-dl-'));
    const file = path.join(dir, 'dead.ndjson');
    server.answer = () => ({ status: 503 });
    const sink = await sinkFor({ retries: 1000 }, await DeadLetterFile.open(file));
    sink.write(ev(1), lineOf(ev(1)));
    sink.write(ev(2), lineOf(ev(2)));
    await server.waitFor(1);
    const r = await sink.drain(Date.now() + 100);
    expect(r.undelivered).toBe(2);
    expect(sink.failures()).toBe(2);
    await sink.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  test('https: the self-signed target is refused (not retried) unless its CA is given or verification is off', async () => {
    const tls = { key: readFileSync(path.join(ROOT, 'fixtures/tls/server.key')), cert: readFileSync(path.join(ROOT, 'fixtures/tls/server.crt')) };
    let hits = 0;
    const secure = https.createServer(tls, (req, res) => {
      hits += 1;
      req.resume();
      req.on('end', () => res.end());
    });
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const url = `https://localhost:${(secure.address() as { port: number }).port}/hook`;
    try {
      const plainSink = await sinkFor({ url });
      plainSink.write(ev(1), lineOf(ev(1)));
      await plainSink.drain(Infinity);
      expect(plainSink.failures()).toBe(1);
      expect(reporter.errors[0]).toMatch(/not delivered: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\S*, not retried/);
      expect(hits).toBe(0);
      for (const options of [{ ca: tls.cert }, { insecure: true }]) {
        const poster = await createPoster({ env: {}, ...options });
        const s = new ForwardSink([{ url, shown: url, headers: {}, concurrency: 1, timeoutMs: 5000, retries: 0, userAgent: 'evtail/test' }], poster, reporter);
        sinks.push(s);
        s.write(ev(2), lineOf(ev(2)));
        await s.drain(Infinity);
        expect(s.failures()).toBe(0);
      }
      expect(hits).toBe(2);
    } finally {
      secure.closeAllConnections();
      await new Promise((resolve) => secure.close(resolve));
    }
  });

  test('proxies: loopback targets skip HTTP_PROXY; --proxy tunnels through it (CONNECT)', async () => {
    const proxy = await startConnectProxy();
    try {
      const url = `${server.url}/hook`;
      for (const options of [{ env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } }, { env: {}, proxy: proxy.url }]) {
        const poster = await createPoster(options);
        const s = new ForwardSink([{ url, shown: url, headers: {}, concurrency: 1, timeoutMs: 5000, retries: 0, userAgent: 'evtail/test' }], poster, reporter);
        sinks.push(s);
        s.write(ev(1), lineOf(ev(1)));
        await s.drain(Infinity);
        expect(s.failures()).toBe(0);
      }
      expect(server.received).toHaveLength(2);
      expect(proxy.tunnels).toEqual([`127.0.0.1:${server.port}`]);
    } finally {
      await proxy.close();
    }
  });
});
