/**
 * Bounded shutdown and --record, with real FIFOs and processes: a stdout reader that never reads cannot hold evtail
 * after a signal (--drain-timeout), a second signal stops the wait at once, and a recording read slowly is complete.
 */
import { constants, mkdtempSync, openSync, closeSync, readFileSync, readSync, writeSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { startTweetCatcherMock, type TweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import { baseEnv, BIN, processJanitor, ROOT, until } from '../helpers/evtail.js';

const janitor = processJanitor();
const mocks: TweetCatcherMock[] = [];
const fds: number[] = [];
afterEach(async () => {
  janitor.cleanup();
  for (const fd of fds.splice(0)) closeSync(fd);
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

async function flood(extra: Record<string, unknown> = {}): Promise<TweetCatcherMock> {
  const m = await startTweetCatcherMock({ port: 0, rate: 0, count: 10_000_000, ...extra });
  mocks.push(m);
  return m;
}

/**
 * A FIFO with a reader that holds it open and never reads (the test reads readFd itself, if at all). `full`: the
 * pipe is filled to capacity first, so evtail's very first write already waits.
 */
function stuckFifo(full = false): { fifo: string; readFd: number } {
  const dir = mkdtempSync(path.join(tmpdir(), 'evtail-fifo-'));
  const fifo = path.join(dir, 'out');
  execFileSync('mkfifo', [fifo]);
  const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  fds.push(readFd);
  if (full) {
    const w = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const block = Buffer.alloc(4096, 0x0a);
    try {
      for (;;) writeSync(w, block);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    } finally {
      closeSync(w);
    }
  }
  return { fifo, readFd };
}

/** evtail with stdout into `fifo`, stderr collected; exit with code and the time from `markAt` to exit. */
function evtailInto(fifo: string, args: string[]) {
  const out = openSync(fifo, constants.O_WRONLY);
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: baseEnv(), stdio: ['ignore', out, 'pipe'] });
  closeSync(out);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('close', (code) => resolve({ code, at: Date.now() })));
  return { child, exited, stderr: () => stderr };
}

describe('shutdown with a stdout reader that never reads', () => {
  test('SIGTERM: exit 143 within 3 s (the 2 s default --drain-timeout), saying how many events were not delivered', async () => {
    const m = await flood();
    const { fifo } = stuckFifo(true);
    const p = evtailInto(fifo, ['tweetcatcher', '--url', m.url, '--token', 'demo-token', '-o', 'ndjson']);
    // The pipe was full before evtail started: once events flow, some wait in evtail.
    await until(() => m.stats.eventsSent >= 1000 && /ready/.test(p.stderr()), 'events sent', 20_000);
    const killedAt = Date.now();
    p.child.kill('SIGTERM');
    const r = await p.exited;
    expect(r.code).toBe(143);
    expect(r.at - killedAt).toBeLessThan(3000);
    expect(p.stderr()).toMatch(/[\d,]+ events? not delivered to stdout: not taken within the 2s of --drain-timeout/);
  });

  test('a second signal stops the wait at once, whatever --drain-timeout says', async () => {
    const m = await flood();
    const { fifo } = stuckFifo(true);
    const p = evtailInto(fifo, ['tweetcatcher', '--url', m.url, '--token', 'demo-token', '-o', 'ndjson', '--drain-timeout', '10m']);
    await until(() => m.stats.eventsSent >= 1000 && /ready/.test(p.stderr()), 'events sent', 20_000);
    // Sent back to back, the two may be handled in either order: the first sets the code, the second ends the wait.
    p.child.kill('SIGTERM');
    p.child.kill('SIGINT');
    const r = await p.exited;
    expect([130, 143]).toContain(r.code);
    expect(p.stderr()).toMatch(new RegExp(`not delivered to stdout: stopped waiting at the second ${r.code === 143 ? 'SIGINT' : 'SIGTERM'}`));
  });
});

describe('--record into a FIFO read slowly', () => {
  test('every event is recorded and printed: the recording pauses the socket instead of buffering', async () => {
    const N = 5000;
    const m = await flood({ count: N });
    const { fifo, readFd } = stuckFifo();
    const stdoutFile = path.join(path.dirname(fifo), 'stdout');
    const run = janitor.spawn('bash', ['-c', `exec node "${BIN}" tweetcatcher --url "${m.url}" --token demo-token -o ndjson -n ${N} --record "${fifo}" > "${stdoutFile}"`], { cwd: ROOT, env: baseEnv() });
    let stderr = '';
    run.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => run.on('close', resolve));
    // Read slowly: 16 KiB at a time, one read per timer turn, until evtail exits and the FIFO is empty.
    const buf = Buffer.alloc(16 * 1024);
    const chunks: Buffer[] = [];
    let done = false;
    void exited.then(() => (done = true));
    for (;;) {
      let n = 0;
      try {
        n = readSync(readFd, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      }
      if (n > 0) chunks.push(Buffer.from(buf.subarray(0, n)));
      else if (done) break;
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/not delivered|not written|error/);
    const recorded = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { dir: string; frame?: string });
    const eventFrames = recorded.filter((r) => r.dir === 'in' && r.frame?.startsWith('{"op":0,'));
    expect(eventFrames).toHaveLength(N);
    expect(readFileSync(stdoutFile, 'utf8').split('\n').filter(Boolean)).toHaveLength(N);
  });
});
