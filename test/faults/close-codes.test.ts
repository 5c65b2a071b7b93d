/** The server closes with each code of the provider's close-code table: the documented exit or reconnection. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { inProcess } from '../helpers/evtail.js';
import { OUTCOMES } from './catalogue.mjs';
import { adapters, closeMocks, range, scenario, seqs } from './providers.js';

afterEach(closeMocks);

const BEFORE = 3;

describe.each(adapters)('$name: ' + scenario('close').fault, (a) => {
  test.each(a.closeCodes.map((c) => ({ ...c, words: OUTCOMES[c.outcome] })))('close $code: $words', async ({ code, outcome }) => {
    const m = await a.start({ closeAfter: BEFORE, closeCode: code, closeReason: 'fault suite', faulty: 1 });
    const closed = new RegExp(`closed with code ${code}\\b`);
    if (outcome === 'done' || outcome === 'auth' || outcome === 'final') {
      const p = inProcess(a.args(m.url));
      const r = await p.exit();
      expect(r.code).toBe(outcome === 'done' ? 0 : outcome === 'auth' ? 3 : 5);
      if (outcome !== 'done') expect(r.stderr).toMatch(new RegExp(`error: .*${closed.source}`));
      if (outcome === 'final') expect(r.stderr).toMatch(/fault suite/);
      expect(r.stderr).not.toMatch(/reconnecting in/);
      expect(seqs(a, p.events)).toEqual(range(1, BEFORE));
      expect(m.stats.connections).toBe(1);
      return;
    }
    if (outcome === 'retry-later') {
      // The wait is the decision under test, not something to sit through: see it announced, then stop.
      const p = inProcess(a.args(m.url));
      await p.waitFor(() => new RegExp(`reconnecting in 5s: ${closed.source}`).test(p.stderr), 'a reconnection announced in 5s');
      p.kill('SIGTERM');
      const r = await p.exit();
      expect(r.code).toBe(143);
      expect(seqs(a, p.events)).toEqual(range(1, BEFORE));
      expect(m.stats.connections).toBe(1);
      return;
    }
    const p = inProcess([...a.args(m.url), '-n', String(BEFORE + 3)]);
    const r = await p.exit();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`reconnecting in ${outcome === 'retry-now' ? '0ms' : '\\S+'}: ${closed.source}`));
    expect(seqs(a, p.events)).toEqual(range(1, BEFORE + 3));
    expect(m.stats.connections).toBe(2);
  });
});
