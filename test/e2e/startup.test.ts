/**
 * Start-up stays lean: `evtail --help` and `evtail --version` load no driver, no ws, ora, chalk or
 * socketcluster-client. Every module loaded is recorded by a module hook (test/helpers/record-loads.mjs); a real
 * run through the same hook shows that the check does see those modules when they load. No timing here: the
 * bench (npm run bench) measures the time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { startTweetCatcherMock, type TweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import { baseEnv, BIN, ROOT } from '../helpers/evtail.js';

const HOOKS = pathToFileURL(path.join(ROOT, 'test/helpers/record-loads.mjs')).href;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'evtail-startup-'));
let runs = 0;
let mock: TweetCatcherMock | undefined;

afterEach(async () => {
  await mock?.close();
  mock = undefined;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What must not load for --help and --version: heavy packages and anything provider-specific beyond the specs. */
const heavy: [string, RegExp][] = [
  ['ws', /\/node_modules\/ws\//],
  ['ora', /\/node_modules\/ora\//],
  ['chalk', /\/node_modules\/chalk\//],
  ['socketcluster-client', /\/node_modules\/socketcluster-client\//],
  ['socketcluster-server', /\/node_modules\/socketcluster-server\//],
  ['a driver', /\/dist\/providers\/[^/]+\/driver\.js$/],
  ['a provider module', /\/dist\/providers\/[^/]+\/(index|mock|messages)\.js$/],
];
const heavyIn = (urls: string[]) => heavy.filter(([, re]) => urls.some((u) => re.test(u))).map(([name]) => name);

/** Run node with the recording hook; resolve with the exit code, stdout and every module URL loaded. */
function runRecorded(args: string[], timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string; loaded: string[] }> {
  const file = path.join(tmp, `loads-${++runs}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', HOOKS, ...args], { cwd: ROOT, env: baseEnv({ EVTAIL_LOADS_FILE: file }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      let loaded: string[] = [];
      try {
        loaded = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      } catch {
        /* nothing recorded: the assertions below say so */
      }
      resolve({ code, stdout, stderr, loaded });
    });
  });
}

describe('start-up', () => {
  test.each([{ args: ['--help'] }, { args: ['--version'] }, { args: ['-V'] }, { args: ['help'] }, { args: [] as string[] }])('evtail $args loads no driver, ws, ora, chalk or socketcluster', async ({ args }) => {
    const r = await runRecorded([BIN, ...args]);
    expect(r.code).toBe(args.length === 0 ? 2 : 0);
    if (args[0] === '--help' || args[0] === 'help') expect(r.stdout).toMatch(/^Usage: evtail/);
    if (args[0] === '--version' || args[0] === '-V') expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
    // The hook did record this run: the launcher itself is there.
    expect(r.loaded).toContain(pathToFileURL(BIN).href);
    expect(heavyIn(r.loaded)).toEqual([]);
  });

  test('a provider --help loads no driver either', async () => {
    const r = await runRecorded([BIN, 'tweetcatcher', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--token <token>/);
    expect(heavyIn(r.loaded)).toEqual([]);
  });

  test('the check sees them when they load: a real run loads ws, chalk and the driver', async () => {
    mock = await startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 50, token: ['t0k'], heartbeatInterval: 45_000 });
    const r = await runRecorded([BIN, 'tweetcatcher', '--url', mock.url, '--token', 't0k', '--format', 'pretty', '--no-color', '-n', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(heavyIn(r.loaded)).toEqual(expect.arrayContaining(['ws', 'chalk', 'a driver', 'a provider module']));
    expect(r.loaded.some((u) => u.endsWith('/dist/providers/tweetcatcher/driver.js'))).toBe(true);
  });

  test('socketcluster-server loads for the Push demo only: the Tweet Catcher demo never loads it', async () => {
    const [other, push] = await Promise.all([
      runRecorded([BIN, 'demo', '-o', 'ndjson', '-n', '1']),
      runRecorded([BIN, 'demo', 'push', '-o', 'ndjson', '-n', '1']),
    ]);
    expect(other.code).toBe(0);
    expect(push.code).toBe(0);
    expect(heavyIn(other.loaded)).not.toContain('socketcluster-server');
    expect(heavyIn(other.loaded)).not.toContain('socketcluster-client');
    expect(heavyIn(push.loaded)).toContain('socketcluster-server');
    // evtail's own SocketCluster link (src/transport/sc-link.ts) speaks the protocol over ws: no client library
    // (socketcluster-client is not installed any more; this stays in case one comes back).
    expect(heavyIn(push.loaded)).not.toContain('socketcluster-client');
  });

  test('the check sees ora and socketcluster-server when they load', async () => {
    // ora does not load in a test run of evtail (only with a terminal on stderr), so load it through the same hook.
    // socketcluster-client is no longer a dependency (evtail speaks SocketCluster itself): the server stands in for it.
    const r = await runRecorded(['--input-type=module', '-e', "await import('ora'); await import('socketcluster-server');"]);
    expect(r.code).toBe(0);
    expect(heavyIn(r.loaded)).toEqual(expect.arrayContaining(['ora', 'chalk', 'socketcluster-server']));
  });
});
