#!/usr/bin/env node
/**
 * evtail's benchmark: `npm run bench` (builds first), or `node bench/run.js [--quick]` after a build.
 *
 * A loopback Tweet Catcher server (bench/server.js) sends N pre-generated op 0 post events as fast as the socket
 * allows, then closes with 1000. Each client (evtail ndjson, evtail pretty, bench/reference-client.js, wscat) runs
 * into /dev/null (REPEATS times, interleaved, medians reported) and once into a slow reader that waits 2 s before
 * reading. Then start-up: `evtail --help` and `evtail --version` against `node -e 0`. Prints a markdown table and the
 * target ratios.
 *
 * Environment: BENCH_EVENTS (default 100000; 5000 with --quick), BENCH_REPEATS (default 3; 1 with --quick),
 * BENCH_STARTUP_RUNS (default 15; 5 with --quick), BENCH_BASELINE (the folder of another built evtail, e.g. an
 * older checkout: adds "baseline" rows for NDJSON and pretty, measured in the same run, for before/after numbers).
 *
 * Definitions (per run):
 *   events/s            N / (client exit − server's first event write). The client's exit is stamped by the shell
 *                       that runs it ($EPOCHREALTIME right after the client returns).
 *   time to first event shell's $EPOCHREALTIME just before exec'ing the client → the server writing the first event
 *                       (covers node start-up, module loading, connect and upgrade; the server sends Hello, Ready
 *                       and the events without waiting for a login).
 *   peak RSS            /usr/bin/time -f %M of the client process.
 *   CPU µs/event        (user + system CPU time of the client, start-up included) / N: less disturbed than events/s
 *                       by other work on the machine.
 *   lines delivered     slow reader only: `wc -l` of what the reader got (for wscat: lines holding "op":0).
 *
 * Forwarding (--forward-to): FORWARD_EVENTS (default 10000; 1000 with --quick) events tailed with
 * `--format ndjson --forward-to` to a handler on loopback that answers 200 at once (in this process, so its CPU is
 * not the client's). requests/s = events delivered / the client's wall time; CPU µs per delivered event = the
 * client's user + system CPU / events delivered. One request at a time (the default), so this is per-request cost
 * and latency, not bandwidth.
 *
 * With nats-server on the PATH (Debian: apt-get install nats-server), one more client: evtail --format ndjson
 * --publish to a JetStream stream of a nats-server -js started here (file store in the temp folder; the stream
 * purged before each run). Its events/s is the publish throughput with every PubAck awaited: evtail exits only
 * when the last event is acknowledged.
 */
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFrames } from './events.js';
import { startBenchServer } from './server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/evtail.js');
const WSCAT = path.join(ROOT, 'node_modules/wscat/bin/wscat');
const REFERENCE = path.join(ROOT, 'bench/reference-client.js');
const TIME = '/usr/bin/time';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const intEnv = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`bench: ${name} must be a positive integer, got "${v}"\n`);
    process.exit(2);
  }
  return n;
};
const N = intEnv('BENCH_EVENTS', quick ? 5000 : 100_000);
const REPEATS = intEnv('BENCH_REPEATS', quick ? 1 : 3);
const STARTUP_RUNS = intEnv('BENCH_STARTUP_RUNS', quick ? 5 : 15);
const FORWARD_N = intEnv('FORWARD_EVENTS', quick ? 1000 : 10_000);
const SLOW_READER_WAIT_S = 2;
/** A run that takes longer than this is killed and reported as a timeout. */
const RUN_TIMEOUT_MS = 60_000 + N; // 1 ms per event on top of a minute: far beyond any sane client

if (!existsSync(path.join(ROOT, 'dist/cli.js'))) {
  process.stderr.write('bench: dist/ is missing: run `npm run bench` (it builds first) or `npm run build`\n');
  process.exit(1);
}
if (!existsSync(TIME)) {
  process.stderr.write(`bench: ${TIME} is needed for peak RSS (apt-get install time)\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------------------------
// Children: each run is a bash process group of its own, killed by its own id on timeout and at exit.

const live = new Set();
let server;
let tmp;
let nats;

function cleanup() {
  for (const child of live) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
  if (nats) nats.kill('SIGKILL');
  nats = undefined;
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

/** Environment for every client: no inherited evtail settings, colour or proxies; C locale for $EPOCHREALTIME. */
function cleanEnv() {
  const env = {};
  const drop = /^(EVTAIL_.*|FORCE_COLOR|NO_COLOR|(https?|all|no)_proxy|NODE_OPTIONS)$/i;
  for (const [k, v] of Object.entries(process.env)) if (!drop.test(k)) env[k] = v;
  return { ...env, LC_ALL: 'C' };
}
const ENV = cleanEnv();

const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

function readMaybe(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

let runIndex = 0;

/**
 * One client run. sink: 'null' (stdout to /dev/null) or 'slow' (a reader that sleeps 2 s, then counts lines).
 */
async function runClient(client, sink, n = N) {
  const dir = path.join(tmp, `run-${++runIndex}`);
  const f = (name) => path.join(dir, name);
  mkdirSync(dir, { recursive: true });
  const cmd = client.argv(server.url).map(q).join(' ');
  const timed = `${TIME} -f '%M %U %S' -o ${q(f('rss'))} ${cmd} 2> ${q(f('stderr'))}`;
  const stamp = `echo "$? $EPOCHREALTIME" > ${q(f('end'))}`;
  const script =
    sink === 'null'
      ? `echo $EPOCHREALTIME > ${q(f('start'))}; ${timed} > /dev/null; ${stamp}`
      : `echo $EPOCHREALTIME > ${q(f('start'))}; { ${timed}; ${stamp}; } | (sleep ${SLOW_READER_WAIT_S}; ${client.count} > ${q(f('count'))})`;

  await client.before?.();
  let rec;
  server.nextConnection().then((r) => (rec = r));
  // stdin stays open for the whole run: wscat quits as soon as its stdin ends.
  const child = spawn('bash', ['-c', script], { cwd: ROOT, env: ENV, stdio: ['pipe', 'ignore', 'inherit'], detached: true });
  live.add(child);
  child.stdin.on('error', () => undefined);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, RUN_TIMEOUT_MS);
  await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  live.delete(child);
  child.stdin.destroy();
  if (rec) await Promise.race([rec.closed, new Promise((r) => setTimeout(r, 2000).unref())]);
  else server.dropWaiters();

  const start = Number(readMaybe(f('start')).trim()) * 1000;
  const [codeText, endText] = readMaybe(f('end')).trim().split(' ');
  const end = Number(endText) * 1000;
  const rssLines = readMaybe(f('rss')).trim().split('\n');
  const [rssKb, userS, sysS] = (rssLines[rssLines.length - 1] ?? '').split(' ').map(Number);
  const stderr = readMaybe(f('stderr'));
  const result = {
    client: client.name,
    sink,
    exit: timedOut ? 'timeout' : codeText === undefined || codeText === '' ? '?' : Number(codeText),
    connected: Boolean(rec && rec.firstEventAt),
    eventsPerSec: rec && rec.firstEventAt && end > rec.firstEventAt ? n / ((end - rec.firstEventAt) / 1000) : NaN,
    wallMs: end - start,
    ttfeMs: rec && rec.firstEventAt ? rec.firstEventAt - start : NaN,
    rssMb: Number.isFinite(rssKb) ? rssKb / 1024 : NaN,
    cpuUsPerEvent: Number.isFinite(userS) && Number.isFinite(sysS) ? ((userS + sysS) * 1e6) / n : NaN,
    lines: sink === 'slow' ? Number(readMaybe(f('count')).trim()) : undefined,
    stderr,
  };
  if (result.exit !== 0) {
    process.stderr.write(`bench: ${client.name} → ${sink === 'null' ? '/dev/null' : 'slow reader'} exited ${result.exit}${stderr ? `:\n${stderr.slice(-1500)}` : ''}\n`);
  }
  rmSync(dir, { recursive: true, force: true });
  return result;
}

// ---------------------------------------------------------------------------------------------------------------

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtInt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const fmt1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const fmt2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');

function wallMs(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env: ENV, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return ms;
}

/** A nats-server -js on a free loopback port with a BENCH stream, or undefined when nats-server is not installed. */
async function startNats() {
  if (spawnSync('nats-server', ['--version'], { stdio: 'ignore' }).status !== 0) return undefined;
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', '-1', '-js', '-sd', path.join(tmp, 'nats')], { stdio: ['ignore', 'ignore', 'pipe'] });
  nats = child;
  let log = '';
  child.stderr.setEncoding('utf8');
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server not ready in 10 s:\n${log}`)), 10_000);
    child.stderr.on('data', (d) => {
      log += d;
      const m = /Listening for client connections on 127\.0\.0\.1:(\d+)[\s\S]*Server is ready/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  const { connect } = await import('nats');
  const { ensureStream } = await import('../dist/publish/nats-init.js');
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  await ensureStream(nc, { name: 'BENCH', subjects: ['bench.>'], duplicateWindowMs: 120_000, storage: 'file', replicas: 1 });
  const jsm = await nc.jetstreamManager();
  return { url: `nats://127.0.0.1:${port}/bench.{provider}.{type}`, purge: () => jsm.streams.purge('BENCH'), close: () => nc.close() };
}

async function main() {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'evtail-bench-'));
  const node = process.execPath;
  const { frames, avgBytes } = await makeFrames(N);
  server = await startBenchServer({ frames });
  frames.length = 0;

  const evtailArgs = (format) => (url) => [node, BIN, 'tweetcatcher', '--url', url, '--token', 'bench-token', '--format', format];
  const baselineBin = process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE, 'bin/evtail.js') : undefined;
  if (baselineBin && !existsSync(baselineBin)) throw new Error(`BENCH_BASELINE: no ${baselineBin}`);
  const baselineArgs = (format) => (url) => [node, baselineBin, 'tweetcatcher', '--url', url, '--token', 'bench-token', '--format', format];
  const clients = [
    { name: 'evtail --format ndjson', argv: evtailArgs('ndjson'), count: 'wc -l' },
    { name: 'evtail --format pretty', argv: evtailArgs('pretty'), count: 'wc -l' },
    ...(baselineBin
      ? [
          { name: 'baseline evtail --format ndjson', argv: baselineArgs('ndjson'), count: 'wc -l' },
          { name: 'baseline evtail --format pretty', argv: baselineArgs('pretty'), count: 'wc -l' },
        ]
      : []),
    { name: 'reference client', argv: (url) => [node, REFERENCE, url], count: 'wc -l' },
    { name: 'wscat', argv: (url) => [node, WSCAT, '-c', url], count: `grep -c '"op":0'` },
  ];

  const js = await startNats();
  if (js) {
    clients.splice(1, 0, { name: 'evtail --format ndjson --publish nats', argv: (url) => [...evtailArgs('ndjson')(url), '--publish', js.url], count: 'wc -l', before: js.purge });
  } else process.stderr.write('bench: nats-server not found: no --publish row (apt-get install nats-server)\n');

  const cpus = os.cpus();
  const loadBefore = os.loadavg()[0];
  process.stderr.write(`bench: ${N} events of ${avgBytes.toFixed(0)} bytes on average, ${REPEATS} round(s) into /dev/null, 1 into a slow reader\n`);

  const nullRuns = new Map(clients.map((c) => [c.name, []]));
  for (let r = 0; r < REPEATS; r++) {
    for (const c of clients) {
      const res = await runClient(c, 'null');
      nullRuns.get(c.name).push(res);
      process.stderr.write(`bench: round ${r + 1}: ${c.name} → /dev/null: ${fmtInt(res.eventsPerSec)} events/s, exit ${res.exit}\n`);
    }
  }
  const slowRuns = new Map();
  for (const c of clients) {
    const res = await runClient(c, 'slow');
    slowRuns.set(c.name, res);
    process.stderr.write(`bench: ${c.name} → slow reader: ${res.lines} of ${N} lines, exit ${res.exit}\n`);
  }
  await server.close();
  server = undefined;
  await js?.close();

  // Forwarding: the same stream into a handler on loopback that answers at once.
  let delivered = 0;
  const hook = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      delivered += 1;
      res.end();
    });
  });
  await new Promise((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const hookUrl = `127.0.0.1:${hook.address().port}/hook`;
  const forwardFrames = await makeFrames(FORWARD_N);
  server = await startBenchServer({ frames: forwardFrames.frames });
  const forwardClient = { name: 'evtail --forward-to', argv: (url) => [...evtailArgs('ndjson')(url), '--forward-to', hookUrl] };
  const forward = await runClient(forwardClient, 'null', FORWARD_N);
  process.stderr.write(`bench: evtail --forward-to: ${delivered} of ${FORWARD_N} delivered, exit ${forward.exit}\n`);
  await server.close();
  server = undefined;
  hook.closeAllConnections();
  hook.close();

  // Start-up, interleaved so that a noisy moment hurts all three alike; one warm-up each first.
  const startupCases = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'evtail --help', args: [BIN, '--help'] },
    { name: 'evtail --version', args: [BIN, '--version'] },
    ...(baselineBin
      ? [
          { name: 'baseline evtail --help', args: [baselineBin, '--help'] },
          { name: 'baseline evtail --version', args: [baselineBin, '--version'] },
        ]
      : []),
  ];
  const startup = new Map(startupCases.map((c) => [c.name, []]));
  for (const c of startupCases) wallMs(c.args);
  for (let i = 0; i < STARTUP_RUNS; i++) for (const c of startupCases) startup.get(c.name).push(wallMs(c.args));

  // ---- report -------------------------------------------------------------------------------------------------
  const out = [];
  out.push(`evtail benchmark: ${N.toLocaleString('en-US')} Tweet Catcher post events (${avgBytes.toFixed(0)} bytes on average) over loopback`);
  out.push(`machine: ${cpus.length} cores (${cpus[0]?.model ?? 'unknown cpu'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; Node ${process.versions.node}`);
  out.push(`load average (1 min) before / after: ${loadBefore.toFixed(2)} / ${os.loadavg()[0].toFixed(2)} (other work on the machine slows every client; compare rows of the same run)`);
  out.push(`command: ${process.env.BENCH_COMMAND ?? `node bench/run.js${quick ? ' --quick' : ''}`}${process.env.BENCH_EVENTS ? ` (BENCH_EVENTS=${process.env.BENCH_EVENTS})` : ''}; /dev/null rows: median of ${REPEATS} run(s)`);
  out.push('');
  out.push('| client | stdout | events/s | time to first event (ms) | peak RSS (MB) | CPU µs/event | lines delivered | exit |');
  out.push('|---|---|--:|--:|--:|--:|--:|--:|');
  const summary = {};
  for (const c of clients) {
    const runs = nullRuns.get(c.name);
    const eps = median(runs.map((x) => x.eventsPerSec));
    const ttfe = median(runs.map((x) => x.ttfeMs));
    const rss = median(runs.map((x) => x.rssMb));
    const cpu = median(runs.map((x) => x.cpuUsPerEvent));
    const exits = [...new Set(runs.map((x) => x.exit))].join(',');
    summary[c.name] = { eps, ttfe, rss, cpu };
    out.push(`| ${c.name} | /dev/null | ${fmtInt(eps)} | ${fmt1(ttfe)} | ${fmt1(rss)} | ${fmt1(cpu)} | – | ${exits} |`);
  }
  for (const c of clients) {
    const s = slowRuns.get(c.name);
    const pct = Number.isFinite(s.lines) ? (100 * s.lines) / N : NaN;
    out.push(`| ${c.name} | slow reader | ${fmtInt(s.eventsPerSec)} | ${fmt1(s.ttfeMs)} | ${fmt1(s.rssMb)} | ${fmt1(s.cpuUsPerEvent)} | ${fmtInt(s.lines)} of ${fmtInt(N)} (${fmt1(pct)}%) | ${s.exit} |`);
  }
  out.push('');
  out.push(`| forwarding (${FORWARD_N.toLocaleString('en-US')} events, one request at a time) | requests/s | CPU µs per delivered event | peak RSS (MB) | delivered | exit |`);
  out.push('|---|--:|--:|--:|--:|--:|');
  out.push(`| evtail --format ndjson --forward-to (handler answers 200 at once) | ${fmtInt(delivered / (forward.wallMs / 1000))} | ${fmt1((forward.cpuUsPerEvent * FORWARD_N) / Math.max(1, delivered))} | ${fmt1(forward.rssMb)} | ${fmtInt(delivered)} of ${fmtInt(FORWARD_N)} | ${forward.exit} |`);
  out.push('');
  out.push('| start-up (wall, median) | ms | × node -e 0 |');
  out.push('|---|--:|--:|');
  const base = median(startup.get('node -e 0'));
  for (const c of startupCases) {
    const m = median(startup.get(c.name));
    out.push(`| ${c.name} | ${fmt1(m)} | ${fmt2(m / base)} |`);
  }
  out.push(`(${STARTUP_RUNS} runs each, interleaved, after one warm-up)`);

  const verdict = (ok) => (ok ? 'met' : 'NOT met');
  const ratio = summary['evtail --format ndjson'].eps / summary['reference client'].eps;
  const slowNd = slowRuns.get('evtail --format ndjson');
  const slowPretty = slowRuns.get('evtail --format pretty');
  const helpX = median(startup.get('evtail --help')) / base;
  const versionX = median(startup.get('evtail --version')) / base;
  const slowOk = (s) => s.lines === N && s.rssMb <= 150 && s.exit === 0;
  out.push('');
  out.push('Targets:');
  const cpuRatio = summary['reference client'].cpu / summary['evtail --format ndjson'].cpu;
  out.push(`- NDJSON throughput / reference client: ${fmt2(ratio)} (target >= 0.9): ${verdict(ratio >= 0.9)}`);
  out.push(`  (CPU time per event, reference / NDJSON: ${fmt2(cpuRatio)}; less sensitive to other load on the machine)`);
  if (N < 50_000) out.push(`  (${N} events is a smoke run: start-up and JIT warm-up dominate; the ratio means something from about 100000 events)`);
  out.push(
    `- evtail into the slow reader: ndjson ${fmt1((100 * slowNd.lines) / N)}% delivered, peak RSS ${fmt1(slowNd.rssMb)} MB; pretty ${fmt1((100 * slowPretty.lines) / N)}%, ${fmt1(slowPretty.rssMb)} MB (target 100%, <= 150 MB): ${verdict(slowOk(slowNd) && slowOk(slowPretty))}`,
  );
  const pub = summary['evtail --format ndjson --publish nats'];
  if (pub) {
    const nd = summary['evtail --format ndjson'];
    out.push(`- --publish (JetStream, every PubAck awaited) beside stdout alone: ${fmt2(pub.eps / nd.eps)} × the events/s, ${fmt2(pub.cpu / nd.cpu)} × the CPU µs/event (${fmt1(pub.cpu)} vs ${fmt1(nd.cpu)}); no target`);
  }
  out.push(`- evtail --help: ${fmt2(helpX)} × node -e 0 (target <= 1.5): ${verdict(helpX <= 1.5)}`);
  out.push(`- evtail --version: ${fmt2(versionX)} × node -e 0 (target <= 1.5): ${verdict(versionX <= 1.5)}`);
  process.stdout.write(out.join('\n') + '\n');
}

main().then(
  () => cleanup(),
  async (err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    cleanup();
    await server?.close();
    process.exit(1);
  },
);
