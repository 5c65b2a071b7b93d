/** What stdout's reader does to evtail, for every provider: a slow consumer, a signal mid-stream, EPIPE. */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, test } from '@jest/globals';
import { baseEnv, BIN, evtail, ROOT, until } from '../helpers/evtail.js';
import { makeGate } from '../helpers/gate.js';
import { adapters, closeMocks, range, scenario, seqs, sh, wholeLines } from './providers.js';

afterEach(closeMocks);

/** Run a bash pipeline with evtail in it; bounded, like the helpers' exit(). */
function pipeline(script: string, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: ROOT, env: baseEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the pipeline did not end within ${timeoutMs} ms\n--- stderr:\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The events the reader must get, whole and in order, once let go. The mock floods without end, so its writes back up behind the stalled reader whatever this number is. */
const SLOW_EVENTS = 5000;

const SIGNALS = [
  { id: 'sigint', signal: 'SIGINT', code: 130 },
  { id: 'sigterm', signal: 'SIGTERM', code: 143 },
] as const;

describe.each(adapters)('$name', (a) => {
  test(scenario('slow-consumer').fault, async () => {
    // The server floods; the reader reads nothing until the test opens its gate. evtail must stop reading the
    // socket (not buffer without bound, not drop), so the server's own writes back up; its watchdog (quick here)
    // must not take the pause for a dead link. Only then does the reader start, and every event must arrive.
    const m = await a.start({ ...(a.watchdog.stall ?? a.watchdog.knobs), rate: 0 });
    const gate = makeGate();
    try {
      const cmd = `node ${sh([BIN, ...a.args(m.url), ...a.watchdog.args, '-n', String(SLOW_EVENTS)])} | (read -r _ < ${sh([gate.path])}; cat)`;
      const run = pipeline(cmd);
      let ended = false;
      void run.then(() => (ended = true), () => (ended = true));
      // evtail stopped reading: the kernel buffers between it and the server are full, and the server's writes queue.
      await until(() => ended || m.backlog() > 0, "the server's writes backing up while the reader is stalled", 15_000);
      expect(ended).toBe(false);
      expect(m.backlog()).toBeGreaterThan(0);
      await gate.open();
      const r = await run;
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/dead link|error/);
      expect(seqs(a, wholeLines(r.stdout))).toEqual(range(1, SLOW_EVENTS));
      expect(m.stats.connections).toBe(1);
    } finally {
      await gate.remove(); // a failed wait must not leave the reader blocked on the FIFO
    }
  });

  test.each(SIGNALS)(`$signal mid-stream: exit $code, output flushed`, async ({ id, signal, code }) => {
    expect(scenario(id).fault).toBe(`${signal} mid-stream`);
    const m = await a.start({ rate: 0 });
    const p = evtail(a.args(m.url));
    await p.waitForLines(100);
    p.kill(signal);
    const r = await p.exit();
    expect(r.code).toBe(code);
    // Every line whole, none twice, none out of order: 1..n without a gap.
    const got = seqs(a, wholeLines(r.stdout));
    expect(got).toEqual(range(1, got.length));
    expect(got.length).toBeGreaterThanOrEqual(100);
  });

  test(scenario('epipe').fault, async () => {
    const m = await a.start({ rate: 200 });
    const r = await pipeline(`set -o pipefail; node ${sh([BIN, ...a.args(m.url)])} | head -1 >/dev/null; echo "status=\${PIPESTATUS[0]}"`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('status=0');
    expect(r.stderr).not.toMatch(/EPIPE|error|Error/);
  });
});
