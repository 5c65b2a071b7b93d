#!/usr/bin/env node
/**
 * `--record` into a FIFO read slowly (issue 14): `node bench/record-fifo.js` after a build.
 *
 * The bench server sends BENCH_RECORD_EVENTS (default 1,000,000) Tweet Catcher events as fast as the socket allows;
 * evtail prints them to /dev/null and records every frame into a FIFO whose reader takes 16 KiB per millisecond
 * (slower than evtail can write). The recording shares stdout's backpressure, so evtail's peak RSS must stay bounded
 * (target: under 150 MB) and every event must reach the recording. Prints one line per measure and a verdict.
 */
import { spawn, execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFrames } from './events.js';
import { startBenchServer } from './server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/evtail.js');
const N = Number(process.env.BENCH_RECORD_EVENTS || 1_000_000);
const TARGET_MB = 150;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'evtail-record-bench-'));
const fifo = path.join(tmp, 'rec.fifo');
const rssFile = path.join(tmp, 'rss');
execFileSync('mkfifo', [fifo]);
const { frames } = await makeFrames(N);
const server = await startBenchServer({ frames });
frames.length = 0;

// The slow reader: 16 KiB, then a 1 ms pause; counts the recorded event frames ({"op":0...} inside "frame").
const reading = new Promise((resolve, reject) => {
  let events = 0;
  let tail = '';
  const stream = createReadStream(fifo, { highWaterMark: 16 * 1024, encoding: 'utf8' });
  stream.on('data', (chunk) => {
    const lines = (tail + chunk).split('\n');
    tail = lines.pop();
    for (const l of lines) if (l.includes('"dir":"in"') && l.includes('{\\"op\\":0')) events += 1;
    stream.pause();
    setTimeout(() => stream.resume(), 1);
  });
  stream.on('end', () => resolve(events));
  stream.on('error', reject);
});

const started = Date.now();
const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, BIN, 'tweetcatcher', '--url', server.url, '--token', 'bench-token', '-o', 'ndjson', '-q', '--record', fifo], { stdio: ['ignore', 'ignore', 'inherit'] });
const code = await new Promise((resolve) => child.on('close', resolve));
const recorded = await reading;
const seconds = (Date.now() - started) / 1000;
const peakMb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024;
await server.close();
rmSync(tmp, { recursive: true, force: true });

const ok = code === 0 && recorded === N && peakMb < TARGET_MB;
process.stdout.write(
  [
    `| --record into a FIFO read slowly | events | recorded | peak RSS (MB) | seconds | exit |`,
    `|---|---|---|---|---|---|`,
    `| evtail --format ndjson --record fifo | ${N.toLocaleString('en-US')} | ${recorded.toLocaleString('en-US')} | ${peakMb.toFixed(1)} | ${seconds.toFixed(1)} | ${code} |`,
    ``,
    `target: every event recorded, peak RSS < ${TARGET_MB} MB: ${ok ? 'holds' : 'DOES NOT HOLD'}`,
    ``,
  ].join('\n'),
);
process.exit(ok ? 0 : 1);
