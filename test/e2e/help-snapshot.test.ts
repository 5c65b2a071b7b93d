/**
 * `--help` from the build's snapshot (scripts/help-snapshot.mjs → dist/help/, printed by bin/evtail.js without loading
 * the CLI) is what the CLI itself prints, for every command and subcommand, so it can never go stale; the launcher
 * uses it only where it applies (stdout not a terminal, or a terminal 80 columns wide) and loads nothing else.
 * No timing here: `npm run bench` reports --help against `node -e 0`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { providers } from '../../src/providers/registry.js';
import { baseEnv, BIN, ROOT } from '../helpers/evtail.js';
import { Pty } from '../helpers/pty.js';

const SNAPSHOT = path.join(ROOT, 'dist/help');
const index = JSON.parse(readFileSync(path.join(SNAPSHOT, 'index.json'), 'utf8')) as { width: number; argv: Record<string, number> };
const snapshot = (key: string): string => readFileSync(path.join(SNAPSHOT, `${index.argv[key]}.txt`), 'utf8');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'evtail-help-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * What the CLI (dist/cli.js main(), not the launcher) prints for each invocation, rendered in one child process whose
 * stdout is a pipe, as a user's `evtail … --help | less` would be.
 */
function renderWithCli(keys: string[]): Record<string, { code: number; out: string; err: string }> {
  const script = `
    import { main } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/cli.js')).href)};
    const result = {};
    for (const key of JSON.parse(process.env.KEYS)) {
      let out = '', err = '';
      const sink = (add) => ({ write: (s, ...rest) => (add(String(s)), rest.find((x) => typeof x === 'function')?.(), true) });
      const code = await main(key.split(' '), { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)), env: process.env, cwd: process.cwd() });
      result[key] = { code, out, err };
    }
    process.stdout.write(JSON.stringify(result));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env: baseEnv({ KEYS: JSON.stringify(keys) }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`rendering with the CLI failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, { code: number; out: string; err: string }>;
}

let cli: Record<string, { code: number; out: string; err: string }>;
beforeAll(() => {
  cli = renderWithCli(Object.keys(index.argv));
});

describe('help snapshot', () => {
  test('every command and subcommand has a snapshot of --help, -h and help <command>', () => {
    const mocked = providers.filter((p) => !p.noMock).map((p) => p.name);
    const commands = [[], ...providers.map((p) => [p.name]), ['demo'], ...mocked.map((m) => ['demo', m]), ['mock'], ...mocked.map((m) => ['mock', m]), ['profiles'], ['completion'], ['replay'], ['nats'], ['nats', 'init']];
    const expected = commands.flatMap((c) => [[...c, '--help'], [...c, '-h'], ...(c.length <= 1 ? [['help', ...c]] : [])].map((a) => a.join(' ')));
    expect(Object.keys(index.argv).sort()).toEqual(expected.sort());
  });

  test('each snapshot is exactly what the CLI prints for that invocation into a pipe (exit 0, nothing on stderr)', () => {
    const wrong = Object.keys(index.argv).filter((key) => cli[key]!.code !== 0 || cli[key]!.err !== '' || cli[key]!.out !== snapshot(key));
    expect(wrong).toEqual([]);
    expect(snapshot('--help')).toMatch(/^Usage: evtail \[options\] \[command\]\n/);
    expect(snapshot('mock doshii -h')).toMatch(/^Usage: evtail mock doshii \[options\]\n/);
  });

  test('the launcher prints the snapshot and loads no module but itself (Node builtins aside): no CLI, no commander', async () => {
    for (const args of [['--help'], ['tweetcatcher', '-h'], ['demo', 'push', '--help'], ['help', 'replay'], ['nats', 'init', '--help']]) {
      const file = path.join(tmp, `loads-${args.join('-')}.txt`);
      const hooks = pathToFileURL(path.join(ROOT, 'test/helpers/record-loads.mjs')).href;
      const child = spawn(process.execPath, ['--import', hooks, BIN, ...args], { cwd: ROOT, env: baseEnv({ EVTAIL_LOADS_FILE: file }), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect({ args, code, err, same: out === cli[args.join(' ')]!.out }).toEqual({ args, code: 0, err: '', same: true });
      expect(readFileSync(file, 'utf8').split('\n').filter((u) => u !== '' && !u.startsWith('node:'))).toEqual([pathToFileURL(BIN).href]);
    }
  });

  test('arguments the snapshot does not cover go to the CLI: a demo with no mock, a misplaced --help', async () => {
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: baseEnv(), encoding: 'utf8' });
    const noMock = run(['demo', 'ws', '--help']);
    expect(noMock.status).toBe(2);
    expect(noMock.stderr).toMatch(/demo: ws has no mock/);
    const before = run(['--help', 'tweetcatcher']);
    expect(before.status).toBe(0);
    expect(before.stdout).toBe(cli['--help']!.out);
  });

  test('at a terminal 80 columns wide the snapshot is what shows; at 120 columns the CLI wraps to 120', async () => {
    const at = async (cols: number) => {
      const pty = new Pty(['--help'], { cols });
      expect(await pty.exit()).toBe(0);
      return pty.out.replace(/\r\n/g, '\n');
    };
    const [eighty, wide] = await Promise.all([at(80), at(120)]);
    expect(eighty).toBe(snapshot('--help'));
    expect(wide).not.toBe(snapshot('--help'));
    // The -p description fits on one line at 120 columns; the snapshot wraps it at 80.
    const pLine = (text: string) => text.split('\n').find((l) => l.startsWith('  -p, --profile'))!;
    expect(pLine(snapshot('--help')).length).toBeLessThanOrEqual(80);
    expect(pLine(wide).length).toBeGreaterThan(80);
    expect(pLine(wide).length).toBeLessThanOrEqual(120);
  });
});
