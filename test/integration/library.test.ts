/**
 * The library API as a user imports it (`import { tail } from 'evtail'`: the package's own exports, built dist/),
 * against the Tweet Catcher mock and a plain ws server on 127.0.0.1.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { WebSocketServer, type WebSocket } from 'ws';
import { tail, EvtailError, type TailEvent } from 'evtail';
import { startTweetCatcherMock, type TweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import { until } from '../helpers/evtail.js';

const TOKEN = 'tc-library-token';
let mock: TweetCatcherMock | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
  for (const c of wss?.clients ?? []) c.terminate();
  await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
  wss = undefined;
});

describe("tail() from 'evtail'", () => {
  test('yields typed events and ends after maxEvents, with the exit code the CLI would use', async () => {
    const m = (mock = await startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 50, token: [TOKEN] }));
    const run = tail('tweetcatcher', { url: m.url, token: TOKEN, maxEvents: 3 });
    const events: TailEvent[] = [];
    for await (const ev of run) events.push(ev);
    expect(events).toHaveLength(3);
    expect(events.map((e) => e.provider)).toEqual(['tweetcatcher', 'tweetcatcher', 'tweetcatcher']);
    expect(events[0]!.type).toMatch(/^twitter\./);
    expect(await run.done).toEqual({ code: 0, reason: '3 events received' });
  });

  test('a refused token throws an EvtailError carrying exit code 3', async () => {
    const m = (mock = await startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 50, token: [TOKEN] }));
    const consume = async () => {
      for await (const ev of tail('tweetcatcher', { url: m.url, token: 'wrong' })) void ev;
    };
    await expect(consume()).rejects.toEqual(expect.objectContaining({ exitCode: 3 }));
    await expect(consume()).rejects.toBeInstanceOf(EvtailError);
  });

  test('bad options are a usage error (exit 2) before any connection', async () => {
    const run = tail('tweetcatcher', { url: 'ws://127.0.0.1:1/', token: TOKEN, timeout: 'soon' });
    await expect(run.done).rejects.toEqual(expect.objectContaining({ exitCode: 2 }));
  });

  test('the signal stops the tail: the iteration ends without an error', async () => {
    const m = (mock = await startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 50, token: [TOKEN] }));
    const ac = new AbortController();
    let n = 0;
    for await (const ev of tail('tweetcatcher', { url: m.url, token: TOKEN }, { signal: ac.signal })) {
      void ev;
      if (++n === 2) ac.abort();
    }
    expect(n).toBeGreaterThanOrEqual(2);
  });

  test("backpressure: while the consumer does not pull, the socket is not read (the server's send buffer fills); nothing is lost", async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss!.once('listening', () => r()));
    const port = (wss.address() as { port: number }).port;
    const TOTAL = 20_000;
    const pad = 'x'.repeat(1000);
    let server: WebSocket | undefined;
    wss.on('connection', (ws) => {
      server = ws;
      for (let i = 1; i <= TOTAL; i++) ws.send(JSON.stringify({ type: 'n', i, pad }));
    });
    const it = tail('ws', { url: `ws://127.0.0.1:${port}/`, maxEvents: TOTAL }, { highWaterMark: 4 })[Symbol.asyncIterator]();
    const first = await it.next();
    expect((first.value as TailEvent).data).toMatchObject({ i: 1 });
    // 20 MB were queued; a client that kept reading would have taken them all by now and left nothing buffered.
    await until(() => (server?.bufferedAmount ?? 0) > 0 && server!.bufferedAmount === bufferedAfter(server!), 'the server holding frames the paused client does not read', 10_000);
    const seen = [1];
    for (let r = await it.next(); !r.done; r = await it.next()) seen.push((r.value.data as { i: number }).i);
    expect(seen).toHaveLength(TOTAL);
    expect(seen.every((v, k) => v === k + 1)).toBe(true);
  });

  // That `npm pack` ships the declarations the exports point at: test/e2e/packaging.test.ts (one npm pack for both).
});

/** The send buffer, read twice a little apart (it stays put while nobody reads). */
const last = new WeakMap<WebSocket, number>();
function bufferedAfter(ws: WebSocket): number {
  const prev = last.get(ws);
  last.set(ws, ws.bufferedAmount);
  return prev ?? -1;
}
