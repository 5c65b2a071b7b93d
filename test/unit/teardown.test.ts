/**
 * The run's teardown order (src/run.ts), in-process with a real mock and a real Writable for stdout that takes
 * nothing until the test lets it: a signal stops the session (the server sees its client leave) while the run is
 * still waiting for stdout to drain; once stdout takes the lines the run ends with every line delivered; a second
 * signal cuts the wait at once; --drain-timeout bounds it.
 */
import { Readable, Writable } from 'node:stream';
import { afterEach, describe, expect, test } from '@jest/globals';
import { main } from '../../src/cli.js';
import type { Io } from '../../src/io.js';
import { startTweetCatcherMock, type TweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import { baseEnv, until } from '../helpers/evtail.js';

const TOKEN = 'teardown-token';
const mocks: TweetCatcherMock[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

/** A stdout that holds every write until release(): a reader that stopped reading. */
class HeldStdout extends Writable {
  text = '';
  writes = 0;
  private held: (() => void)[] = [];
  private released = false;
  isTTY = false;
  constructor() {
    super({ highWaterMark: 16 * 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.writes += 1;
    const take = () => {
      this.text += chunk.toString('utf8');
      cb();
    };
    if (this.released) take();
    else this.held.push(take);
  }
  release(): void {
    this.released = true;
    for (const t of this.held.splice(0)) t();
  }
}

class Collect extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString('utf8');
    cb();
  }
}

async function start(drainTimeout: string) {
  const mock = await startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 0, token: [TOKEN] });
  mocks.push(mock);
  const stdout = new HeldStdout();
  const stderr = new Collect();
  const io = { stdout, stderr, stdin: Readable.from([]), env: baseEnv(), cwd: process.cwd() } as unknown as Io;
  let settled: number | undefined;
  const log: string[] = [];
  const run = main(['tweetcatcher', '--url', mock.url, '--token', TOKEN, '-o', 'ndjson', '-q', '--drain-timeout', drainTimeout], io).then((code) => {
    settled = code;
    log.push(`exit ${code}`);
    return code;
  });
  // Connected, events flowing, and stdout full: the session has lines it cannot hand over.
  await until(() => mock.openConnections === 1 && stdout.writableNeedDrain, 'a connection and a full stdout', 15_000);
  return { mock, stdout, stderr, run, log, settled: () => settled };
}

function seqs(text: string): number[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => Number(String((JSON.parse(l) as { id: string }).id).replace(/^tc-/, '')));
}

describe('teardown after a signal', () => {
  test('a signal stops the session first; the run waits for stdout to drain, then ends with every line delivered', async () => {
    const t = await start('1h');
    process.emit('SIGTERM', 'SIGTERM');
    // The session stopped: the server sees its client leave, while the run is still waiting on stdout.
    await until(() => t.mock.openConnections === 0, 'the client to leave the server', 10_000);
    t.log.push('session stopped');
    expect(t.settled()).toBeUndefined();
    t.log.push('stdout released');
    t.stdout.release();
    expect(await t.run).toBe(143);
    expect(t.log).toEqual(['session stopped', 'stdout released', 'exit 143']);
    // Everything the session accepted reached stdout, whole and in order.
    const got = seqs(t.stdout.text);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    expect(t.stderr.text).not.toMatch(/not delivered/);
  });

  test('a second signal cuts the wait: the run ends at once and says what stdout did not take', async () => {
    const t = await start('1h');
    process.emit('SIGTERM', 'SIGTERM');
    await until(() => t.mock.openConnections === 0, 'the client to leave the server', 10_000);
    expect(t.settled()).toBeUndefined();
    process.emit('SIGINT', 'SIGINT');
    expect(await t.run).toBe(143);
    expect(t.stderr.text).toMatch(/events? not delivered to stdout: stopped waiting at the second SIGINT/);
    t.stdout.release();
  });

  test('--drain-timeout bounds the wait when stdout never drains', async () => {
    const t = await start('100ms');
    process.emit('SIGTERM', 'SIGTERM');
    expect(await t.run).toBe(143);
    expect(t.stderr.text).toMatch(/events? not delivered to stdout: not taken within .*--drain-timeout/);
    t.stdout.release();
  });
});
