/** Faults of the link itself, for every provider: an abrupt drop, a half-open link, a server restart. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from '@jest/globals';
import { inProcess, ROOT, runInProcess } from '../helpers/evtail.js';
import { adapters, closeMock, closeMocks, range, scenario, seqs } from './providers.js';

afterEach(closeMocks);

const CA = `${ROOT}/fixtures/tls/server.crt`;
const tls = { key: readFileSync(`${ROOT}/fixtures/tls/server.key`), cert: readFileSync(CA) };

describe.each(adapters)('$name', (a) => {
  test(scenario('drop').fault, async () => {
    // The first retry comes within 0.5 s of the drop (backoff), so it meets a 503 for sure.
    const m = await a.start({ dropAfter: 3, faulty: 1, downFor: 1000 });
    const p = inProcess([...a.args(m.url), '-n', '7']);
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/reconnecting in \d+(ms|\.\d+s|s): the server refused the upgrade: HTTP 503/);
    expect(seqs(a, p.events)).toEqual(range(1, 7));
    expect(m.stats.connections).toBe(2);
  });

  test(scenario('half-open').fault, async () => {
    const m = await a.start({ ...a.watchdog.knobs, silentAfter: 3, faulty: 1 });
    const p = inProcess([...a.args(m.url), ...a.watchdog.args, '-n', '7']);
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(a.watchdog.warning);
    expect(r.stderr.match(/warning: dead link/g)).toHaveLength(1);
    expect(seqs(a, p.events)).toEqual(range(1, 7));
    expect(m.stats.connections).toBe(2);
  });

  test(scenario('restart').fault, async () => {
    // The old server sends 3 events and then nothing (so "what it sent" is exact), and dies with the link up.
    const old = await a.start({ silentAfter: 3 });
    const p = inProcess([...a.args(old.url), '-n', '6']);
    await p.waitForLines(3);
    await closeMock(old);
    await p.waitForStderr(/reconnecting in/);
    const fresh = await a.restart(old);
    const r = await p.exit();
    expect(r.code).toBe(0);
    // A new server numbers from 1 again: its events follow the old server's, each once.
    expect(seqs(a, p.events)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(old.stats.connections).toBe(1);
    expect(fresh.stats.connections).toBe(1);
  });

  test(scenario('tls').fault, async () => {
    const m = await a.start({ tls });
    expect(m.url).toMatch(/^wss:/);
    const refused = await runInProcess([...a.args(m.url), '-n', '2']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/error: TLS: the server's certificate was not accepted \(DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect(refused.stderr).not.toMatch(/reconnecting/);
    const trusted = inProcess([...a.args(m.url), '-n', '2', '--ca', CA]);
    expect((await trusted.exit()).code).toBe(0);
    expect(seqs(a, trusted.events)).toEqual([1, 2]);
  });
});
