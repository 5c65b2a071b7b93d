/**
 * The --publish sink on its own, against a real `nats-server -js` on loopback (started here, temp store, removed
 * after): acknowledged delivery in order, subjects, dedup across two publishers, backpressure. (A server restart mid-stream is tested end to end in test/e2e/publish.test.ts.)
 */
import type { NatsConnection } from 'nats';
import { NatsPublisher, type PublishReporter } from '../../src/publish/nats-publisher.js';
import { parseNatsTarget } from '../../src/publish/nats-target.js';
import { ensureStream } from '../../src/publish/nats-init.js';
import type { TailEvent } from '../../src/types.js';
import { NatsServer, readStream } from '../helpers/nats-server.js';

const quiet = (): PublishReporter & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, status: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
};

function event(n: number, over: Partial<TailEvent> = {}): { ev: TailEvent; line: string } {
  const ev: TailEvent = { time: new Date(1_800_000_000_000 + n).toISOString(), provider: 'ws', type: 'tick', id: `e${n}`, data: { n }, ...over };
  const line = JSON.stringify({ time: ev.time, provider: ev.provider, type: ev.type, ...(ev.id !== undefined ? { id: ev.id } : {}), data: ev.data });
  return { ev, line };
}

let server: NatsServer;
let nc: NatsConnection;
let stream = 0;
const open: NatsPublisher[] = [];

beforeAll(async () => {
  server = await new NatsServer().start();
  nc = await server.connect();
});
afterEach(async () => {
  for (const p of open.splice(0)) await p.close();
});
afterAll(async () => {
  await nc?.close();
  await server?.close();
});

/** A fresh stream (and subject prefix) per test. */
async function freshStream(): Promise<{ name: string; prefix: string }> {
  stream += 1;
  const name = `T${stream}`;
  const prefix = `t${stream}`;
  await ensureStream(nc, { name, subjects: [`${prefix}.>`], duplicateWindowMs: 120_000, storage: 'file', replicas: 1 });
  return { name, prefix };
}

async function publisher(subject: string, over: { bufferBytes?: number; reporter?: PublishReporter; ackTimeoutMs?: number } = {}): Promise<NatsPublisher> {
  const p = await NatsPublisher.open({
    target: parseNatsTarget(`${server.url}/${subject}`),
    defaultSource: 'default',
    bufferBytes: over.bufferBytes ?? 1024 * 1024,
    reporter: over.reporter ?? quiet(),
    ackTimeoutMs: over.ackTimeoutMs,
  });
  open.push(p);
  return p;
}

test('every event is published once and in order, and counted only when acknowledged', async () => {
  const { name, prefix } = await freshStream();
  const p = await publisher(`${prefix}.{provider}`);
  const sent = Array.from({ length: 500 }, (_, i) => event(i + 1));
  for (const { ev, line } of sent) p.write(ev, line);
  expect(await p.drain(Date.now() + 15_000)).toEqual({ undelivered: 0 });
  expect(p.snapshot()).toMatchObject({ published: 500, duplicates: 0, failed: 0, pending: 0 });
  expect(p.failures()).toBe(0);
  const got = await readStream(nc, name);
  expect(got.map((m) => m.data)).toEqual(sent.map((s) => s.line));
  expect(got.map((m) => m.msgId)).toEqual(sent.map((s) => `ws:default:${s.ev.id}`));
});

test('the subject placeholders: {provider}, {source} (the event\'s, else the default) and {type} as tokens', async () => {
  const { name, prefix } = await freshStream();
  const p = await publisher(`${prefix}.{provider}.{source}.{type}`);
  const a = event(1, { type: 'twitter.post.new' });
  const b = event(2, { type: 'order created*' });
  const c = event(3, { provider: 'doshii', type: 'order_created' });
  (c.ev as TailEvent & { source?: string }).source = 'venue.7';
  for (const { ev, line } of [a, b, c]) p.write(ev, line);
  await p.drain(Date.now() + 10_000);
  expect((await readStream(nc, name)).map((m) => m.subject)).toEqual([
    `${prefix}.ws.default.twitter.post.new`,
    `${prefix}.ws.default.order_created_`,
    `${prefix}.doshii.venue_7.order_created`,
  ]);
});

test('two publishers of the same events (ids or none): the stream keeps each once', async () => {
  const { name, prefix } = await freshStream();
  const [p1, p2] = [await publisher(`${prefix}.x`), await publisher(`${prefix}.x`)];
  const withIds = Array.from({ length: 100 }, (_, i) => event(i + 1));
  // No provider id: the payload's digest is the identity, whatever the receive time.
  const noIds = Array.from({ length: 100 }, (_, i) => [event(1000 + i, { id: undefined }), event(5000 + i, { id: undefined, data: { n: 1000 + i } })]);
  for (let i = 0; i < 100; i++) {
    p1.write(withIds[i]!.ev, withIds[i]!.line);
    p2.write(withIds[i]!.ev, withIds[i]!.line);
    p1.write(noIds[i]![0]!.ev, noIds[i]![0]!.line);
    p2.write(noIds[i]![1]!.ev, noIds[i]![1]!.line);
  }
  await Promise.all([p1.drain(Date.now() + 15_000), p2.drain(Date.now() + 15_000)]);
  const got = await readStream(nc, name);
  expect(got).toHaveLength(200);
  expect(new Set(got.map((m) => m.msgId)).size).toBe(200);
  expect(p1.snapshot().duplicates + p2.snapshot().duplicates).toBe(200);
});

test('backpressure: write() says full past --publish-buffer, and onDrain fires once acknowledgements free room', async () => {
  const { name, prefix } = await freshStream();
  const p = await publisher(`${prefix}.x`, { bufferBytes: 4096 });
  let accepted = 0;
  let full = false;
  for (let i = 1; i <= 1000 && !full; i++) {
    const { ev, line } = event(i, { data: { n: i, pad: 'x'.repeat(200) } });
    full = !p.write(ev, line);
    accepted = i;
  }
  expect(full).toBe(true);
  expect(accepted).toBeLessThan(100);
  await new Promise<void>((resolve) => p.onDrain(resolve));
  expect(p.snapshot().pending * 250).toBeLessThan(4096);
  await p.drain(Date.now() + 10_000);
  expect((await readStream(nc, name)).length).toBe(accepted);
});
