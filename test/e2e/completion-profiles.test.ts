/** `evtail completion bash|zsh|fish`, loaded into a real bash; `evtail profiles` against a real config file. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { baseEnv, BIN, runInProcess } from '../helpers/evtail.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'evtail-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// `evtail` on PATH, as an installed one would be: the completion asks it for profile names.
const binDir = path.join(dir, 'bin');
execFileSync('mkdir', ['-p', binDir]);
writeFileSync(path.join(binDir, 'evtail'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
chmodSync(path.join(binDir, 'evtail'), 0o755);
const SECRET = 'supersecret-token-42';
writeFileSync(
  path.join(dir, '.tailrc.yaml'),
  `profiles:\n  mytweets:\n    provider: tweetcatcher\n    token: ${SECRET}\n  se:\n    provider: streamelements\n    url: wss://astro.example.com/?token=${SECRET}\n    token: ${SECRET}\n  shared:\n    format: raw\ngroups:\n  both: [mytweets, se]\n`,
  { mode: 0o600 },
);

/** What bash completes for these words (the last is the one being typed), with the script loaded from evtail itself. */
function complete(...words: string[]): string[] {
  const script = `source <(evtail completion bash) || exit 9
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_evtail; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync('bash', ['-c', script], { cwd: dir, env: baseEnv({ PATH: `${binDir}:${process.env.PATH}` }), encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

describe('evtail completion bash, loaded in a real bash', () => {
  test('subcommands at the first word', () => {
    expect(complete('evtail', '')).toEqual(expect.arrayContaining(['tweetcatcher', 'doshii', 'push', 'streamelements', 'webinate', 'ws', 'socketcluster', 'demo', 'mock', 'replay', 'profiles', 'completion']));
    expect(complete('evtail', 'st')).toEqual(['streamelements']);
  });
  test('provider names after demo and mock', () => {
    expect(complete('evtail', 'demo', '')).toEqual(['tweetcatcher', 'doshii', 'push', 'streamelements', 'webinate']);
    expect(complete('evtail', 'mock', 'we')).toEqual(['webinate']);
  });
  test("each command's own flags", () => {
    expect(complete('evtail', 'tweetcatcher', '--tok')).toEqual(['--token', '--token-file']);
    expect(complete('evtail', 'mock', 'push', '--ping')).toEqual(['--ping-interval', '--ping-timeout']);
    expect(complete('evtail', 'demo', 'webinate', '--ec')).toEqual(['--echo']);
    expect(complete('evtail', 'doshii', '--idle')).toEqual(['--idle-timeout']);
  });
  test('profile names of the config in use, and format values', () => {
    expect(complete('evtail', '-p', '')).toEqual(['mytweets', 'se', 'shared', 'both']);
    expect(complete('evtail', 'tweetcatcher', '-p', 'my')).toEqual(['mytweets']);
    expect(complete('evtail', 'demo', '-o', 'nd')).toEqual(['ndjson']);
  });
  test('zsh and fish scripts are printed; an unknown shell is a usage error', async () => {
    const zsh = await runInProcess(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef evtail\n[\s\S]*bashcompinit[\s\S]*complete -F _evtail evtail/);
    const fish = await runInProcess(['completion', 'fish']);
    expect(fish.stdout).toMatch(/complete -c evtail -s p -l profile -x -a '\(evtail profiles --names 2>\/dev\/null\)'/);
    expect(fish.stdout).toMatch(/__fish_seen_subcommand_from tweetcatcher' -l token -x/);
    const bad = await runInProcess(['completion', 'powershell']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/completion: unknown shell "powershell" \(one of: bash, zsh, fish\)/);
  });
});

describe('evtail profiles', () => {
  test('lists each profile with its provider and endpoint, secrets redacted', async () => {
    const r = await runInProcess(['profiles'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(SECRET);
    expect(r.lines[0]).toMatch(/^PROFILE\s+PROVIDER\s+ENDPOINT$/);
    expect(r.lines[1]).toMatch(/^mytweets\s+tweetcatcher\s+wss:\/\/monitor-api\.tweet-catcher\.com\/websocket$/);
    expect(r.lines[2]).toMatch(/^se\s+streamelements\s+wss:\/\/astro\.example\.com\/\?token=\*\*\*$/);
    expect(r.lines[3]).toMatch(/^shared\s+\(any: evtail <provider> -p shared\)/);
    expect(r.stderr).toMatch(/3 profiles in .*\.tailrc\.yaml/);
    expect(r.stdout).toMatch(/\nGROUP  PROFILES\nboth  mytweets, se\n$/);
  });
  test('--names: only the names; no config: nothing, and a note on stderr', async () => {
    expect((await runInProcess(['profiles', '--names'], { cwd: dir })).lines).toEqual(['mytweets', 'se', 'shared', 'both']);
    const empty = mkdtempSync(path.join(os.tmpdir(), 'evtail-noconfig-'));
    const none = await runInProcess(['profiles'], { cwd: empty, env: baseEnv({ HOME: empty }) });
    rmSync(empty, { recursive: true, force: true });
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/no config file found/);
  });
});
