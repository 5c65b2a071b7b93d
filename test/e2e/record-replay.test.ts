/** --record and `evtail replay`: a live run and the replay of its recording print the same NDJSON (but time). */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import type { MockServer } from '../../src/types.js';
import { ROOT, runEvtail } from '../helpers/evtail.js';

interface Case {
  provider: string;
  start(): Promise<MockServer>;
  args(mock: MockServer): string[];
  secret: string;
}

const cases: Case[] = [
  {
    provider: 'tweetcatcher',
    secret: 'record-secret-token',
    start: async () => (await import('../../src/providers/tweetcatcher/mock.js')).startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 100, token: ['record-secret-token'], eventFormat: 'mixed', malformedAfter: 3 }),
    args: (m) => ['tweetcatcher', '--url', m.url, '--token', 'record-secret-token'],
  },
];

let mock: MockServer | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

const withoutTime = (line: string) => {
  const { time: _t, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return rest;
};

describe.each(cases)('record and replay: $provider', (c) => {
  test('the replay prints what the live run printed; secrets are not in the recording', async () => {
    mock = await c.start();
    const dir = mkdtempSync(path.join(tmpdir(), 'evtail-rec-'));
    const file = path.join(dir, 'rec.ndjson');
    const live = await runEvtail([...c.args(mock), '-o', 'ndjson', '-n', '6', '--record', file]);
    expect(live.code).toBe(0);
    expect(live.lines).toHaveLength(6);
    const recording = readFileSync(file, 'utf8');
    expect(recording).not.toContain(c.secret);
    expect(statSync(file).mode & 0o077).toBe(0);
    const recs = recording.trim().split('\n').map((l) => JSON.parse(l));
    expect(recs[0]).toMatchObject({ provider: c.provider, dir: 'meta' });
    expect(recs.some((r) => r.dir === 'out')).toBe(true);
    expect(recs.filter((r) => r.dir === 'in').length).toBeGreaterThanOrEqual(6);

    const replay = await runEvtail(['replay', file, '--as-fast-as-possible', '-o', 'ndjson']);
    expect(replay.code).toBe(0);
    expect(replay.lines.map(withoutTime)).toEqual(live.lines.map(withoutTime));
    // Events keep the time they were recorded.
    const inTimes = new Set(recs.filter((r) => r.dir === 'in').map((r) => r.t));
    for (const l of replay.lines) expect(inTimes.has(JSON.parse(l).time)).toBe(true);
    // The same filters and formats apply.
    const filtered = await runEvtail(['replay', file, '--as-fast-as-possible', '-o', 'ndjson', '-n', '2']);
    expect(filtered.lines.map(withoutTime)).toEqual(live.lines.slice(0, 2).map(withoutTime));
  });
});

describe('replay of the recordings kept in fixtures/', () => {
  const dirs = ['tweetcatcher', 'doshii', 'push', 'streamelements', 'webinate'].filter((p) => {
    try {
      statSync(path.join(ROOT, 'fixtures', p, 'recording.ndjson'));
      return true;
    } catch {
      return false;
    }
  });
  test.each(dirs)('%s: the same NDJSON as the live run that recorded it', async (p) => {
    const expected = readFileSync(path.join(ROOT, 'fixtures', p, 'recording.expected.ndjson'), 'utf8').trim().split('\n');
    const r = await runEvtail(['replay', path.join(ROOT, 'fixtures', p, 'recording.ndjson'), '--as-fast-as-possible', '-o', 'ndjson', '-q']);
    expect(r.code).toBe(0);
    expect(r.lines.map(withoutTime)).toEqual(expected.map(withoutTime));
  });
});

describe('replay options', () => {
  test('a file that is not a recording: exit 2 naming the line', async () => {
    const r = await runEvtail(['replay', path.join(ROOT, 'package.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/package\.json:1: not a --record line/);
  });
  test('a missing file: exit 2', async () => {
    const r = await runEvtail(['replay', '/nonexistent.ndjson']);
    expect(r.code).toBe(2);
  });
  test('--speed must be positive', async () => {
    const r = await runEvtail(['replay', path.join(ROOT, 'fixtures/tweetcatcher/recording.ndjson'), '--speed', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--speed: expected a factor > 0/);
  });
  test('--speed follows the recorded timing (scaled); pretty works too', async () => {
    const r = await runEvtail(['replay', path.join(ROOT, 'fixtures/tweetcatcher/recording.ndjson'), '--speed', '50', '-o', 'pretty', '-n', '3']);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(3);
    expect(r.lines[0]).toMatch(/tweetcatcher/);
  });
});
