/**
 * The command line itself: help, version, demo, config files and profiles. The CLI's main() runs in-process; the
 * tests whose point is the process (bin/evtail.js's --version, the exit status, a closed stderr) spawn it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startTweetCatcherMock, type TweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import { baseEnv, runEvtail, runInProcess } from '../helpers/evtail.js';

let mock: TweetCatcherMock;
beforeAll(async () => {
  mock = await startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 100, token: ['good-token'] });
});
afterAll(() => mock.close());

function dirWith(files: Record<string, string>, mode = 0o600): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'evtail-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text, { mode });
  return dir;
}

describe('help and version', () => {
  test('--version prints the package version', async () => {
    // Spawned: bin/evtail.js answers --version itself, without loading the CLI.
    const r = await runEvtail(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test('--help lists the providers, examples and exit codes', async () => {
    const r = await runInProcess(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['tweetcatcher', 'demo', 'mock', 'Examples:', 'Exit codes:', 'jq']) expect(r.stdout).toContain(word);
  });

  test('a provider --help lists every common option', async () => {
    const r = await runInProcess(['tweetcatcher', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--url', '--format', '--max-events', '--timeout', '--profile', '--config', '--no-reconnect', '--max-retries', '--color', '--no-color', '--quiet', '--verbose', '--token', '--token-file']) {
      expect(r.stdout).toContain(flag);
    }
  });

  test('no arguments: help on stderr, exit 2', async () => {
    // Spawned: the exit status as the shell sees it.
    const r = await runEvtail([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: evtail');
  });

  test('an unknown command: exit 2, one line', async () => {
    const r = await runInProcess(['tweetcatchr']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'tweetcatchr'/);
  });

  test('demo or mock of a provider without a mock, or of an unknown one: exit 2 listing the ones there are', async () => {
    const a = await runInProcess(['demo', 'ws']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/demo: ws has no mock.*one of: tweetcatcher, doshii/);
    const b = await runInProcess(['mock', 'nope']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/mock: unknown provider "nope"/);
  });

  test('a --url that is no WebSocket URL: exit 2, and a token in it is not echoed', async () => {
    const a = await runInProcess(['tweetcatcher', '--token', 't', '--url', 'foo?token=SECRETVALUE']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--url: expected a ws:\/\/ or wss:\/\/ URL/);
    expect(a.stderr).not.toContain('SECRETVALUE');
    const b = await runInProcess(['ws', 'wss://?token=SECRETVALUE']);
    expect(b.code).toBe(2);
    expect(b.stderr).not.toContain('SECRETVALUE');
  });

  test('a closed stderr (2>&1 | head -1) is no crash', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN, ROOT } = await import('../helpers/evtail.js');
    const child = spawn('bash', ['-c', `node "${BIN}" demo -o ndjson -v -n 200 --rate 200 2>&1 | head -1 >/dev/null; echo "status=\${PIPESTATUS[0]}"`], { cwd: ROOT, env: baseEnv() });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise((r) => child.on('close', r));
    expect(out.trim()).toBe('status=0');
  });

  test('a bad value: exit 2 naming the flag and what was expected', async () => {
    const r = await runInProcess(['tweetcatcher', '--token', 't', '--max-events', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-events: expected a whole number/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });
});

describe('evtail demo', () => {
  test('--format ndjson --max-events 5: five envelopes, exit 0', async () => {
    const r = await runInProcess(['demo', '--format', 'ndjson', '--max-events', '5', '--rate', '50']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(5);
    for (const l of r.lines) expect(JSON.parse(l)).toMatchObject({ provider: 'tweetcatcher', type: expect.any(String) });
  });

  test('pretty output: one readable line per event, no colour in a pipe', async () => {
    const r = await runInProcess(['demo', '--format', 'pretty', '-n', '2', '--rate', '50']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(2);
    expect(r.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} tweetcatcher twitter\.post\.new @\w+: /);
    expect(r.stdout).not.toContain('\u001b[');
  });

  test('--color forces colour even in a pipe; NO_COLOR does not beat --color', async () => {
    const r = await runInProcess(['demo', '-o', 'pretty', '-n', '1', '--color', '--rate', '50'], { env: baseEnv({ NO_COLOR: '1' }) });
    expect(r.stdout).toContain('\u001b[');
  });

  test('raw output: the frames as received', async () => {
    const r = await runInProcess(['demo', '-o', 'raw', '-n', '2', '--rate', '50']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ op: 0, d: { event: 'twitter.post.new' } });
  });
});

describe('config files and profiles', () => {
  test('a profile that names its provider: `evtail -p name` alone works', async () => {
    const cwd = dirWith({ '.tailrc.yaml': `format: ndjson\nprofiles:\n  mytweets:\n    provider: tweetcatcher\n    url: ${mock.url}\n    token: \${TC_TOKEN}\n    maxEvents: 2\n` });
    const r = await runInProcess(['-p', 'mytweets'], { cwd, env: baseEnv({ TC_TOKEN: 'good-token' }) });
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(2);
  });

  test('precedence: flag > EVTAIL_* > profile > file defaults', async () => {
    const cwd = dirWith({ '.tailrc.json': JSON.stringify({ maxEvents: 1, format: 'pretty', profiles: { p: { provider: 'tweetcatcher', url: mock.url, token: 'good-token', maxEvents: 2 } } }) });
    const fromProfile = await runInProcess(['tweetcatcher', '-p', 'p', '-o', 'ndjson'], { cwd });
    expect(fromProfile.lines).toHaveLength(2);
    const fromEnv = await runInProcess(['tweetcatcher', '-p', 'p', '-o', 'ndjson'], { cwd, env: baseEnv({ EVTAIL_MAX_EVENTS: '3' }) });
    expect(fromEnv.lines).toHaveLength(3);
    const fromFlag = await runInProcess(['tweetcatcher', '-p', 'p', '-o', 'ndjson', '-n', '4'], { cwd, env: baseEnv({ EVTAIL_MAX_EVENTS: '3' }) });
    expect(fromFlag.lines).toHaveLength(4);
    const defaults = await runInProcess(['tweetcatcher', '--url', mock.url, '--token', 'good-token', '-o', 'ndjson'], { cwd });
    expect(defaults.lines).toHaveLength(1);
  });

  test('--config picks a file; package.json "evtail" key is found', async () => {
    const cwd = dirWith({ 'custom.yml': `url: ${mock.url}\ntoken: good-token\nmaxEvents: 1\n`, 'package.json': JSON.stringify({ name: 'x', evtail: { url: mock.url, token: 'good-token', maxEvents: 2 } }) });
    const a = await runInProcess(['tweetcatcher', '--config', 'custom.yml', '-o', 'ndjson'], { cwd });
    expect(a.lines).toHaveLength(1);
    const b = await runInProcess(['tweetcatcher', '-o', 'ndjson'], { cwd });
    expect(b.lines).toHaveLength(2);
  });

  test('a broken file: exit 2 naming the file', async () => {
    const cwd = dirWith({ '.tailrc.json': '{"format": "ndjson",,}' });
    const r = await runInProcess(['tweetcatcher', '--token', 't'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.tailrc.json');
  });

  test('an unknown key: exit 2 naming the key and suggesting the right one', async () => {
    const cwd = dirWith({ '.tailrc.yaml': 'maxEvent: 3\n' });
    const r = await runInProcess(['tweetcatcher', '--token', 't'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.tailrc\.yaml.*maxEvent.*maxEvents/);
  });

  test('a bad value: exit 2 naming the file, the key and what was expected', async () => {
    const cwd = dirWith({ '.tailrc.yaml': 'profiles:\n  a:\n    format: xml\n' });
    const r = await runInProcess(['tweetcatcher', '--token', 't', '-p', 'a'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.tailrc\.yaml.*profiles\.a\.format.*pretty, ndjson, raw.*xml/);
  });

  test('a missing profile lists the ones there are', async () => {
    const cwd = dirWith({ '.tailrc.yaml': 'profiles:\n  one: {}\n  two: {}\n' });
    const r = await runInProcess(['tweetcatcher', '--token', 't', '-p', 'three'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/three/);
    expect(r.stderr).toMatch(/one, two/);
  });

  test('.tailrc.example is valid: every profile resolves (exit 5 against a closed port, never 2)', async () => {
    const { readFileSync } = await import('node:fs');
    const { ROOT } = await import('../helpers/evtail.js');
    const example = readFileSync(path.join(ROOT, '.tailrc.example'), 'utf8');
    const cwd = dirWith({ '.tailrc.yaml': example });
    const names = [...example.matchAll(/^  ([\w-]+):\s*$/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThanOrEqual(5);
    const env = baseEnv({ TWEETCATCHER_TOKEN: 't', DOSHII_CLIENT_ID: 'c', PUSH_CHANNEL_UUID: 'u', PUSH_HOST_API: 'https://api.example', SE_JWT: 'j', WEBINATE_SID: 's' });
    for (const name of names) {
      const r = await runInProcess(['-p', name, '--url', 'ws://127.0.0.1:9', '--no-reconnect', '-q'], { cwd, env });
      expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 5, stderr: expect.stringMatching(/could not connect/) });
    }
  });

  test('a config file holding a secret readable by others gets a warning', async () => {
    const cwd = dirWith({ '.tailrc.yaml': `url: ${mock.url}\ntoken: good-token\nmaxEvents: 1\n` }, 0o644);
    const r = await runInProcess(['tweetcatcher', '-o', 'ndjson'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/holds a secret \(token\).*chmod 600/);
    expect(r.stderr).not.toContain('good-token');
  });
});
