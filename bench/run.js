#!/usr/bin/env node
/**
 * evtail's benchmark: `npm run bench` (builds first), or `node bench/run.js [--quick]` after a build.
 *
 * Loopback Tweet Catcher servers (bench/server.js) send N op 0 post events of one size (100 B, 600 B, 10 KB,
 * 1 MB), then close with 1000: a pre-framed server (the stream written in 256 KiB slices) and a frame-by-frame one
 * (one write per frame, as real servers do). Each client runs into /dev/null, REPEATS times, clients alternating
 * within each round, medians reported. The reference client (bench/reference-client.js) is the yardstick: ws,
 * JSON.parse, JSON.stringify of the envelope, one write per event.
 *
 * Printed: CPU µs per event first (user + system CPU of the whole process, start-up included, / N: the primary
 * figure, the least disturbed by other work on the machine), its ratio to the reference client's in the same run,
 * wall events/s on both servers, time to first event (and on its own, BENCH_STARTUP_RUNS times), peak RSS; rows for
 * filters and --stats/--meta at 600 B; a
 * slow reader (100% delivered, memory flat); a fidelity row; start-up (--help, --version against node -e 0).
 *
 * Environment: BENCH_EVENTS (events at 100 B and 600 B; default 100000, 5000 with --quick; 10 KB gets a tenth,
 * 1 MB a thousandth, at least 20), BENCH_REPEATS (default 3; 1 with --quick), BENCH_STARTUP_RUNS (default 31; 5
 * with --quick), BENCH_SIZES (e.g. "600,10240": only those sizes).
 *
 * Definitions (per run):
 *   events/s            N / (client exit − server's first event write); the exit is stamped by the shell that runs
 *                       the client ($EPOCHREALTIME right after it returns).
 *   time to first event the shell's $EPOCHREALTIME just before exec'ing the client → the server writing the first
 *                       event (node start-up, module loading, config search, connect, upgrade).
 *   peak RSS            /usr/bin/time -f %M of the client process.
 *
 * Forwarding (--forward-to): FORWARD_EVENTS (default 10000; 1000 with --quick) events tailed with
 * `--format ndjson --forward-to` to a handler on loopback that answers 200 at once (in this process, so its CPU is
 * not the client's). requests/s = events delivered / the client's wall time; CPU µs per delivered event = the
 * client's user + system CPU / events delivered. One request at a time (the default), so this is per-request cost
 * and latency, not bandwidth.
 *
 * With nats-server on the PATH (Debian: apt-get install nats-server), one more client at 600 B: evtail --format
 * ndjson --publish to a JetStream stream of a nats-server -js started here (file store in the temp folder; the
 * stream purged before each run). Its events/s is the publish throughput with every PubAck awaited: evtail exits
 * only when the last event is acknowledged.
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
const STARTUP_RUNS = intEnv('BENCH_STARTUP_RUNS', quick ? 5 : 31);
const FORWARD_N = intEnv('FORWARD_EVENTS', quick ? 1000 : 10_000);
const SIZES = [
  { label: '100 B', bytes: 100, n: N },
  { label: '600 B', bytes: 600, n: N },
  { label: '10 KB', bytes: 10 * 1024, n: Math.max(20, Math.round(N / 10)) },
  { label: '1 MB', bytes: 1024 * 1024, n: Math.max(20, Math.round(N / 1000)) },
].filter((s) => !process.env.BENCH_SIZES || process.env.BENCH_SIZES.split(',').map(Number).includes(s.bytes));
const SLOW_READER_WAIT_S = 2;
/** A run that takes longer than this is killed and reported as a timeout. */
const RUN_TIMEOUT_MS = 60_000 + N;

if (!existsSync(path.join(ROOT, 'dist/cli.js'))) {
  process.stderr.write('bench: dist/ is missing: run `npm run bench` (it builds first) or `npm run build`\n');
  process.exit(1);
}
if (!existsSync(TIME)) {
  process.stderr.write(`bench: ${TIME} is needed for CPU time and peak RSS (apt-get install time)\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------------------------
// Children: each run is a bash process group of its own, killed by its own id on timeout and at exit.

const live = new Set();

let tmp;
let servers = [];
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
  for (const s of servers) void s.close();
  servers = [];
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
 * One client run. sink: 'null' (stdout to /dev/null), 'file' (stdout kept, for the fidelity row) or 'slow' (a
 * reader that sleeps 2 s, then counts lines).
 */
async function runClient(client, sink, server, n) {
  const dir = path.join(tmp, `run-${++runIndex}`);
  const f = (name) => path.join(dir, name);
  mkdirSync(dir, { recursive: true });
  const cmd = client.argv(server.url).map(q).join(' ');
  const timed = `${TIME} -f '%M %U %S' -o ${q(f('rss'))} ${cmd} 2> ${q(f('stderr'))}`;
  const stamp = `echo "$? $EPOCHREALTIME" > ${q(f('end'))}`;
  const script =
    sink === 'null'
      ? `echo $EPOCHREALTIME > ${q(f('start'))}; ${timed} > /dev/null; ${stamp}`
      : sink === 'file'
      ? `echo $EPOCHREALTIME > ${q(f('start'))}; ${timed} > ${q(f('out'))}; ${stamp}`
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
    output: sink === 'file' ? readMaybe(f('out')) : undefined,
    stderr,
  };
  if (result.exit !== 0) {
    process.stderr.write(`bench: ${client.name} → ${sink} exited ${result.exit}${stderr ? `:\n${stderr.slice(-1500)}` : ''}\n`);
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

const node = process.execPath;
const evtail = (...extra) => (url) => [node, BIN, 'tweetcatcher', '--url', url, '--token', 'bench-token', '-q', ...extra];
const reference = { name: 'reference client', argv: (url) => [node, REFERENCE, url], count: 'wc -l' };
const ndjson = { name: 'evtail -o ndjson', argv: evtail('-o', 'ndjson'), count: 'wc -l' };
/** Five filters that every event passes, so every event is still printed. */
const FILTERS = ['--type', 'twitter.*', '--match', 'type~^twitter', '--match', 'data.event_id!=none', '--match', 'data.data.lang=en', '--match', 'data.data.seq>=0'];
const extras = [
  { name: 'evtail -o pretty', argv: evtail('-o', 'pretty'), count: 'wc -l' },
  { name: 'evtail -o ndjson, 1 filter', argv: evtail('-o', 'ndjson', '--match', 'data.data.lang=en'), count: 'wc -l' },
  { name: 'evtail -o ndjson, 5 filters', argv: evtail('-o', 'ndjson', ...FILTERS), count: 'wc -l' },
  { name: 'evtail -o ndjson --stats --meta', argv: evtail('-o', 'ndjson', '--stats', '--meta'), count: 'wc -l' },
];

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

/** One size: both servers, every client REPEATS times (alternating), medians. */
async function measureSize(size) {
  const { frames, avgBytes } = await makeFrames(size.n, size.bytes);
  const pre = await startBenchServer({ frames });
  const fbf = await startBenchServer({ frames, frameByFrame: true });
  servers = [pre, fbf];
  frames.length = 0;
  const clients = [ndjson, reference, ...(size.bytes === 600 ? extras : [])];
  const js = size.bytes === 600 ? await startNats() : undefined;
  if (js) clients.push({ name: 'evtail -o ndjson --publish nats', argv: evtail('-o', 'ndjson', '--publish', js.url), count: 'wc -l', before: js.purge });
  else if (size.bytes === 600) process.stderr.write('bench: nats-server not found: no --publish row (apt-get install nats-server)\n');
  const runs = new Map(clients.map((c) => [c.name, { pre: [], fbf: [] }]));
  for (let r = 0; r < REPEATS; r++) {
    for (const c of clients) {
      for (const [key, srv] of [['pre', pre], ['fbf', fbf]]) {
        const res = await runClient(c, 'null', srv, size.n);
        runs.get(c.name)[key].push(res);
        process.stderr.write(`bench: ${size.label} round ${r + 1}: ${c.name} (${key === 'pre' ? 'pre-framed' : 'frame by frame'}): ${fmt2(res.cpuUsPerEvent)} CPU µs/event, ${fmtInt(res.eventsPerSec)} events/s, exit ${res.exit}\n`);
      }
    }
  }
  let slow;
  if (size.bytes === 600) {
    slow = await runClient(ndjson, 'slow', pre, size.n);
    process.stderr.write(`bench: ${ndjson.name} → slow reader: ${slow.lines} of ${size.n} lines, exit ${slow.exit}\n`);
  }
  await Promise.all([pre.close(), fbf.close()]);
  servers = [];
  await js?.close();
  if (nats) nats.kill('SIGKILL');
  nats = undefined;
  const rows = clients.map((c) => {
    const { pre: p, fbf: f } = runs.get(c.name);
    return {
      name: c.name,
      cpu: median(p.map((x) => x.cpuUsPerEvent)),
      cpuFbf: median(f.map((x) => x.cpuUsPerEvent)),
      eps: median(p.map((x) => x.eventsPerSec)),
      epsFbf: median(f.map((x) => x.eventsPerSec)),
      ttfe: median(p.map((x) => x.ttfeMs)),
      rss: median([...p, ...f].map((x) => x.rssMb)),
      exits: [...new Set([...p, ...f].map((x) => x.exit))].join(','),
    };
  });
  return { size, avgBytes, rows, slow };
}

/**
 * Fidelity: frames whose payloads hold what re-serialising changes (digits beyond 2^53, exponents, -0, 1.10, escaped
 * unicode, keys out of order), through each format that prints data, and through --record then replay.
 */
const FIDELITY_PAYLOADS = [
  '{"event_id":1729384756123456789,"event":"twitter.post.new","data":{"id":1729384756123456789,"z":1,"a":2}}',
  '{"event":"twitter.post.new","event_id":"tc-2","data":{"big":1e400,"neg":-0,"price":1.10,"exp":1E3}}',
  '{"event":"twitter.post.new","event_id":"tc-3","data":{"text":"caf\\u00e9 \\ud83d\\ude00 \\"q\\" \\/","n":9007199254740993}}',
];
async function fidelity() {
  const frames = FIDELITY_PAYLOADS.map((p) => `{"op":0,"d":${p}}`);
  const srv = await startBenchServer({ frames });
  servers = [srv];
  const dataOf = (line) => {
    const at = line.indexOf(',"data":');
    return at < 0 ? undefined : line.slice(at + 8, -1);
  };
  const exact = (lines, pick) => FIDELITY_PAYLOADS.filter((p, i) => pick(lines[i] ?? '') === p).length;
  const out = [];
  const record = path.join(tmp, 'fidelity.rec');
  for (const [name, argv, pick] of [
    ['evtail -o ndjson', evtail('-o', 'ndjson', '--record', record), dataOf],
    ['evtail -o raw', evtail('-o', 'raw'), (l) => (l.startsWith('{"op":0,"d":') ? l.slice(12, -1) : undefined)],
    ['reference client', reference.argv, dataOf],
  ]) {
    const r = await runClient({ name, argv, count: 'wc -l' }, 'file', srv, frames.length);
    out.push({ name, exact: exact(r.output.split('\n').filter(Boolean), pick) });
  }
  const replay = spawnSync(node, [BIN, 'replay', record, '--as-fast-as-possible', '-o', 'ndjson', '-q'], { cwd: ROOT, env: ENV, encoding: 'utf8' });
  out.push({ name: 'evtail replay of its --record', exact: exact(replay.stdout.split('\n').filter(Boolean), dataOf) });
  await srv.close();
  servers = [];
  return out;
}

/**
 * Time to first event on its own, as many times as the start-up rows (the size rows have 3 runs each, too few for a
 * wall-time ratio on a busy machine): a server of 50 events of 600 B, evtail -o ndjson and the reference client
 * alternating, medians.
 */
async function timeToFirstEvent() {
  const { frames } = await makeFrames(50, 600);
  const srv = await startBenchServer({ frames });
  servers = [srv];
  const runs = { evtail: [], reference: [] };
  for (let i = 0; i < STARTUP_RUNS; i++) {
    runs.evtail.push((await runClient(ndjson, 'null', srv, 50)).ttfeMs);
    runs.reference.push((await runClient(reference, 'null', srv, 50)).ttfeMs);
  }
  await srv.close();
  servers = [];
  return { evtail: median(runs.evtail), reference: median(runs.reference) };
}

async function main() {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'evtail-bench-'));
  const cpus = os.cpus();
  const loadBefore = os.loadavg()[0];
  process.stderr.write(`bench: sizes ${SIZES.map((s) => `${s.label} × ${s.n}`).join(', ')}; ${REPEATS} round(s)\n`);
  const results = [];
  for (const size of SIZES) results.push(await measureSize(size));
  const fid = await fidelity();
  const ttfe = await timeToFirstEvent();

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
  const fwdServer = await startBenchServer({ frames: forwardFrames.frames });
  servers = [fwdServer];
  const forwardClient = { name: 'evtail --forward-to', argv: (url) => [...evtail('-o', 'ndjson')(url), '--forward-to', hookUrl] };
  const forward = await runClient(forwardClient, 'null', fwdServer, FORWARD_N);
  process.stderr.write(`bench: evtail --forward-to: ${delivered} of ${FORWARD_N} delivered, exit ${forward.exit}\n`);
  await fwdServer.close();
  servers = [];
  hook.closeAllConnections();
  hook.close();

  const startupCases = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'evtail --help', args: [BIN, '--help'] },
    { name: 'evtail tweetcatcher --help', args: [BIN, 'tweetcatcher', '--help'] },
    { name: 'evtail --version', args: [BIN, '--version'] },
  ];
  const startup = new Map(startupCases.map((c) => [c.name, []]));
  for (const c of startupCases) wallMs(c.args);
  for (let i = 0; i < STARTUP_RUNS; i++) for (const c of startupCases) startup.get(c.name).push(wallMs(c.args));

  // ---- report -------------------------------------------------------------------------------------------------
  const out = [];
  out.push(`evtail benchmark: Tweet Catcher op 0 events over loopback, ${SIZES.map((s) => `${s.label} × ${s.n.toLocaleString('en-US')}`).join(', ')}`);
  out.push(`machine: ${cpus.length} cores (${cpus[0]?.model ?? 'unknown cpu'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; Node ${process.versions.node}`);
  out.push(`load average (1 min) before / after: ${loadBefore.toFixed(2)} / ${os.loadavg()[0].toFixed(2)} (compare rows of the same run)`);
  out.push(`command: ${process.env.BENCH_COMMAND ?? `node bench/run.js${quick ? ' --quick' : ''}`}; medians of ${REPEATS} run(s), clients alternating`);
  out.push('');
  out.push('| event size | client | CPU µs/event | × reference | CPU µs/event, frame by frame | events/s pre-framed | events/s frame by frame | first event (ms) | peak RSS (MB) | exit |');
  out.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  const ratios = {};
  for (const r of results) {
    const ref = r.rows.find((x) => x.name === reference.name);
    for (const row of r.rows) {
      const x = row.cpu / ref.cpu;
      ratios[`${r.size.label}|${row.name}`] = { x, xFbf: row.cpuFbf / ref.cpuFbf, ttfe: row.ttfe / ref.ttfe, cpu: row.cpu };
      out.push(`| ${r.size.label} (${fmtInt(r.avgBytes)} B) | ${row.name} | ${fmt2(row.cpu)} | ${fmt2(x)} | ${fmt2(row.cpuFbf)} | ${fmtInt(row.eps)} | ${fmtInt(row.epsFbf)} | ${fmt1(row.ttfe)} | ${fmt1(row.rss)} | ${row.exits} |`);
    }
  }
  const slow = results.find((r) => r.slow)?.slow;
  if (slow) {
    out.push('');
    out.push(`Slow reader (600 B, \`| (sleep ${SLOW_READER_WAIT_S}; wc -l)\`): evtail -o ndjson delivered ${fmtInt(slow.lines)} of ${fmtInt(N)} lines, peak RSS ${fmt1(slow.rssMb)} MB, exit ${slow.exit}.`);
  }
  out.push('');
  out.push('| fidelity: payloads with 1729384756123456789, 9007199254740993, 1e400, -0, 1.10, 1E3, escapes, keys out of order | data printed byte for byte |');
  out.push('|---|--:|');
  for (const f of fid) out.push(`| ${f.name} | ${f.exact} of ${FIDELITY_PAYLOADS.length} |`);
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
  const get = (size, name) => ratios[`${size}|${name}`];
  const helpX = median(startup.get('evtail --help')) / base;
  out.push('');
  out.push('Targets:');
  for (const [size, target] of [['600 B', 0.8], ['10 KB', 0.7]]) {
    const g = get(size, ndjson.name);
    if (g) out.push(`- CPU per event at ${size}, evtail -o ndjson / reference client: ${fmt2(g.x)} (frame by frame: ${fmt2(g.xFbf)}; target <= ${target}): ${verdict(g.x <= target)}`);
  }
  const plain = get('600 B', ndjson.name);
  const one = get('600 B', extras[1].name);
  const five = get('600 B', extras[2].name);
  const meta = get('600 B', extras[3].name);
  if (one && five) out.push(`- 5 filters / 1 filter, CPU per event: ${fmt2(five.cpu / one.cpu)} (target: does not grow with the number of filters, <= 1.10): ${verdict(five.cpu / one.cpu <= 1.1)}`);
  if (one && plain) out.push(`  (the first filter on data.* costs one parse of the payload per event: ${fmt2(one.cpu / plain.cpu)} × plain ndjson; filters on type, id, topic need none)`);
  if (meta && plain) out.push(`- --stats --meta / plain ndjson, CPU per event: ${fmt2(meta.cpu / plain.cpu)} (target: does not grow, <= 1.10): ${verdict(meta.cpu / plain.cpu <= 1.1)}`);
  const pub = get('600 B', 'evtail -o ndjson --publish nats');
  if (pub && plain) out.push(`- --publish (JetStream, every PubAck awaited) beside stdout alone: ${fmt2(pub.cpu / plain.cpu)} × the CPU µs/event (${fmt1(pub.cpu)} vs ${fmt1(plain.cpu)}); no target`);
  const ttfeX = ttfe.evtail / ttfe.reference;
  out.push(`- time to first event, evtail / reference client: ${fmt2(ttfeX)} (${fmt1(ttfe.evtail)} vs ${fmt1(ttfe.reference)} ms, medians of ${STARTUP_RUNS} alternating runs; target <= 1.2): ${verdict(ttfeX <= 1.2)}`);
  if (plain) out.push(`  (in the 600 B rows above, medians of ${REPEATS}: ${fmt2(plain.ttfe)})`);
  out.push(`- evtail --help: ${fmt2(helpX)} × node -e 0 (target <= 1.3): ${verdict(helpX <= 1.3)}`);
  const helpTcX = median(startup.get('evtail tweetcatcher --help')) / base;
  out.push(`- evtail tweetcatcher --help: ${fmt2(helpTcX)} × node -e 0 (target <= 1.3): ${verdict(helpTcX <= 1.3)}`);
  const allExact = fid.filter((f) => f.name.startsWith('evtail')).every((f) => f.exact === FIDELITY_PAYLOADS.length);
  out.push(`- fidelity: every evtail format and replay byte for byte: ${verdict(allExact)}`);
  if (N < 50_000) out.push(`  (${N} events is a smoke run: start-up dominates the CPU per event; the ratios mean something from about 100000 events)`);
  process.stdout.write(out.join('\n') + '\n');
}

main().then(
  () => cleanup(),
  async (err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    cleanup();
    process.exit(1);
  },
);
