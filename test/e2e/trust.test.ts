/**
 * Trust on the user's machine (issue 14), with real files and processes: a config found by searching is data, never
 * code, and is named at start; hostile config files, header-unsafe values, a symlinked --record and a busy mock port
 * are usage errors (exit 2) that say what to do, never "internal error".
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { startTweetCatcherMock, type TweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import { baseEnv, BIN, runEvtail, runInProcess } from '../helpers/evtail.js';

const mocks: TweetCatcherMock[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

/** A project directory (with its package.json, so the search stops there) holding `files`. */
function project(files: Record<string, string>): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'evtail-trust-')));
  writeFileSync(path.join(dir, 'package.json'), '{"name":"untrusted"}');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** A run that never reaches a server: nothing listens on port 9, and it does not retry. */
const OFFLINE = ['--url', 'ws://127.0.0.1:9/websocket', '--no-reconnect'];

describe('config files found by searching are data, never code', () => {
  test('a searched .tailrc.cjs is not run and draws a warning; --config with the same file runs it', async () => {
    const marker = (dir: string) => path.join(dir, 'ran-as-code');
    const dir = project({ 'sub/keep': '' });
    const file = path.join(dir, '.tailrc.cjs');
    writeFileSync(file, `require('node:fs').writeFileSync(${JSON.stringify(marker(dir))}, 'x');\nmodule.exports = { format: 'raw' };\n`);
    const searched = await runInProcess(['tweetcatcher', '--token', 't', ...OFFLINE], { cwd: path.join(dir, 'sub') });
    expect(searched.code).toBe(5);
    expect(existsSync(marker(dir))).toBe(false);
    expect(searched.stderr).toContain(`evtail: warning: ${file} was not run: a config found by searching is read as data only (YAML, JSON); to use this JavaScript file, pass --config ${file} or set EVTAIL_CONFIG`);
    const named = await runInProcess(['tweetcatcher', '--token', 't', '--config', file, ...OFFLINE], { cwd: path.join(dir, 'sub') });
    expect(named.code).toBe(5);
    expect(existsSync(marker(dir))).toBe(true);
    expect(named.stderr).not.toContain('was not run');
  });

  test('the config in use is named at start with its profile and the endpoint host; -q hides it', async () => {
    const dir = project({ '.tailrc.yaml': 'profiles:\n  mine:\n    provider: tweetcatcher\n    url: ws://127.0.0.1:9/websocket\n' });
    const r = await runInProcess(['-p', 'mine', '--token', 't', '--no-reconnect'], { cwd: dir });
    expect(r.code).toBe(5);
    expect(r.stderr.split('\n')[0]).toBe(`evtail: config ${path.join(dir, '.tailrc.yaml')}, profile mine, endpoint 127.0.0.1:9`);
    const quiet = await runInProcess(['-p', 'mine', '--token', 't', '--no-reconnect', '-q'], { cwd: dir });
    expect(quiet.stderr).not.toContain('evtail: config');
  });
});

describe('hostile config files', () => {
  test('a nine-level YAML alias bomb exits 2 naming the file and the limit, under 200 MB', async () => {
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 8; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]`);
    const dir = project({ '.tailrc.yaml': lines.join('\n') + '\nurl: *a8\n' });
    const rssFile = path.join(dir, 'rss');
    // /usr/bin/time's %M: the peak RSS of evtail itself (the time taken is asserted in-process, in config-load.test.ts).
    let code = 0;
    let stderr = '';
    try {
      execFileSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, BIN, 'tweetcatcher', '--token', 't', ...OFFLINE], { cwd: dir, env: baseEnv(), stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      code = e.status;
      stderr = e.stderr.toString('utf8');
    }
    expect(code).toBe(2);
    expect(stderr).toContain(`${path.join(dir, '.tailrc.yaml')}: more than 100,000 values once YAML aliases are expanded (the limit for a config file)`);
    const peakKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    expect(peakKb).toBeLessThan(200 * 1024);
  });

  test('${constructor} is an unset variable, not a property of Object: exit 2', async () => {
    const dir = project({ '.tailrc.yaml': 'token: ${constructor}\n' });
    const r = await runInProcess(['tweetcatcher', ...OFFLINE], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(dir, '.tailrc.yaml')}: key "token": environment variable constructor is not set`);
    expect(r.stderr).not.toContain('native code');
  });

  test('a profile not found among 10,000 lists ten of them and says how many more', async () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `p${i}:\n    provider: tweetcatcher`);
    const dir = project({ '.tailrc.yaml': `profiles:\n  ${names.join('\n  ')}\n` });
    const r = await runInProcess(['tweetcatcher', '-p', 'nope', '--token', 't', ...OFFLINE], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, … and 9,990 more');
    expect(r.stderr.length).toBeLessThan(2000);
  });
});

describe('usage errors are usage errors', () => {
  test('CRLF in --cookie exits 2 naming the option; nothing is sent', async () => {
    const r = await runInProcess(['webinate', '--cookie', 'SID=a\r\nX-Evil: 1', ...OFFLINE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('evtail: error: --cookie holds a line break (CR/LF), which an HTTP header cannot carry');
    expect(r.stderr).not.toMatch(/internal error|connecting/);
  });

  test('CRLF in EVTAIL_API_KEY and a non-Latin-1 --origin exit 2 naming where the value came from', async () => {
    const env = await runInProcess(['webinate', '--cookie', 'a', ...OFFLINE], { env: baseEnv({ EVTAIL_API_KEY: 'key\r\n' }) });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('--api-key (from EVTAIL_API_KEY) holds a line break (CR/LF)');
    const origin = await runInProcess(['webinate', '--cookie', 'a', '--origin', 'https://exämple€.com', ...OFFLINE]);
    expect(origin.code).toBe(2);
    expect(origin.stderr).toContain('--origin holds a character outside Latin-1 (U+20AC)');
  });

  test('a symlinked --record path exits 2 and leaves the target unchanged', async () => {
    const dir = project({ 'precious.txt': 'keep me\n' });
    symlinkSync(path.join(dir, 'precious.txt'), path.join(dir, 'rec.ndjson'));
    // Spawned: a relative --record path resolves against the process's own directory.
    const r = await runEvtail(['tweetcatcher', '--token', 't', '--record', 'rec.ndjson', ...OFFLINE], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--record: rec.ndjson is a symbolic link; evtail does not write through one');
    expect(readFileSync(path.join(dir, 'precious.txt'), 'utf8')).toBe('keep me\n');
  });

  test('a busy mock port exits 2 with the port and the --port 0 hint', async () => {
    const m = await startTweetCatcherMock({ port: 0 });
    mocks.push(m);
    const r = await runInProcess(['mock', 'tweetcatcher', '--port', String(m.port)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--port ${m.port}: 127.0.0.1:${m.port} is already in use`);
    expect(r.stderr).toContain('--port 0');
    const tooBig = await runInProcess(['mock', 'tweetcatcher', '--port', '99999']);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toContain('--port: expected a port from 0 to 65535, got 99999');
  });

  test('a proxy URL that does not parse exits 2 naming where it came from', async () => {
    const r = await runInProcess(['tweetcatcher', '--token', 't', ...OFFLINE], { env: baseEnv({ HTTP_PROXY: 'http://[bad' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('HTTP_PROXY: expected an http:// or https:// proxy URL');
  });
});
