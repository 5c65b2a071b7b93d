#!/usr/bin/env node
/**
 * What each additional stream costs: `node bench/streams.js` after a build (`npm run bench` runs it after run.js).
 *
 * One evtail process tails 1 stream, then one tails BENCH_STREAMS streams (default 200), each a profile of its own
 * against a local Tweet Catcher mock that sends almost nothing (one event per 1000 s), so the streams are idle once
 * logged in. For each: resident memory once every stream is ready (VmRSS), and CPU (user + system) over an idle
 * window of BENCH_IDLE_S seconds (default 5). Prints a markdown table: per additional stream, RSS and idle CPU, next
 * to one evtail process per stream.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/evtail.js');
const STREAMS = Number(process.env.BENCH_STREAMS ?? 200);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 5);
const CLK_TCK = 100;

const { startTweetCatcherMock } = await import(path.join(ROOT, 'dist/providers/tweetcatcher/mock.js'));
const mock = await startTweetCatcherMock({ port: 0, rate: 0.001, token: ['bench-token'] });
const dir = mkdtempSync(path.join(os.tmpdir(), 'evtail-bench-streams-'));

function config(n) {
  const lines = ['profiles:'];
  for (let i = 1; i <= n; i++) lines.push(`  s${i}: { provider: tweetcatcher, url: "${mock.url}", token: bench-token }`);
  lines.push('groups:', `  all: [${Array.from({ length: n }, (_, i) => `s${i + 1}`).join(', ')}]`);
  const file = path.join(dir, `streams-${n}.yaml`);
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
  return file;
}

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
const cpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

/** Start evtail on n streams, wait until each is ready, then measure RSS and idle CPU. */
async function measure(n) {
  const args = n === 1 ? ['-p', 's1', '--source'] : ['-p', 'all'];
  const child = spawn(process.execPath, [BIN, ...args, '--config', config(n), '-o', 'ndjson', '--max-retries', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const readyCount = () => (stderr.match(/ready: logged in/g) ?? []).length;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${n} streams not ready in 60 s (${readyCount()} ready)\n${stderr.slice(-1000)}`)), 60_000);
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
      if (readyCount() >= n) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`evtail exited ${code} before ${n} streams were ready\n${stderr.slice(-1000)}`)));
  });
  // Let start-up garbage settle, then measure an idle window.
  await new Promise((r) => setTimeout(r, 1000));
  const rss = rssKiB(child.pid);
  const before = cpuTicks(child.pid);
  await new Promise((r) => setTimeout(r, IDLE_S * 1000));
  const idleCpuMs = ((cpuTicks(child.pid) - before) * 1000) / CLK_TCK;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { rss, idleCpuMs };
}

try {
  const one = await measure(1);
  const many = await measure(STREAMS);
  const perStreamMiB = (many.rss - one.rss) / (STREAMS - 1) / 1024;
  const mib = (kib) => (kib / 1024).toFixed(1);
  const pct = (ms) => ((ms / (IDLE_S * 1000)) * 100).toFixed(2);
  console.log(`\n### Many streams in one process (${STREAMS} idle Tweet Catcher streams against a local mock, ${IDLE_S} s idle window)\n`);
  console.log('| | 1 stream | ' + STREAMS + ' streams | per additional stream | target |');
  console.log('|---|---:|---:|---:|---|');
  console.log(`| resident memory (MiB) | ${mib(one.rss)} | ${mib(many.rss)} | ${perStreamMiB.toFixed(3)} | ≤ 2 |`);
  console.log(`| CPU while idle (% of one core) | ${pct(one.idleCpuMs)} | ${pct(many.idleCpuMs)} | ${(Number(pct(many.idleCpuMs)) / STREAMS).toFixed(4)} | ~0 |`);
  console.log(`| one process per stream instead (MiB) | ${mib(one.rss)} | ${mib(one.rss * STREAMS)} | ${mib(one.rss)} | |`);
  console.log(`\nPer additional stream: ${perStreamMiB.toFixed(3)} MiB ${perStreamMiB <= 2 ? '(meets ≤ 2 MiB)' : '(MISSES ≤ 2 MiB)'}.`);
} finally {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
}
