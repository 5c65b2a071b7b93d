/** Frames that do not decode, and a frame over --max-frame-size, for every provider. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { inProcess } from '../helpers/evtail.js';
import { adapters, closeMocks, range, scenario, seqs } from './providers.js';

afterEach(closeMocks);

describe.each(adapters)('$name', (a) => {
  test(scenario('bad-frames').fault, async () => {
    const m = await a.start({ malformedAfter: 1, binaryAfter: 2, emptyAfter: 3 });
    const p = inProcess([...a.args(m.url), '-n', '5']);
    const r = await p.exit();
    expect(r.code).toBe(0);
    const warnings = r.stderr.match(/warning: a frame did not decode \(([^)]*)\)/g) ?? [];
    expect(warnings).toHaveLength(3);
    expect(warnings.filter((w) => w.includes('(binary frame)'))).toHaveLength(1);
    // The malformed and the empty frame are text that is not JSON, and are named so.
    expect(warnings.filter((w) => w.includes('(not JSON)'))).toHaveLength(2);
    expect(seqs(a, p.events)).toEqual(range(1, 5));
    expect(m.stats.connections).toBe(1);
  });

  test(scenario('oversized').fault, async () => {
    // Event 3 is 100 kB. The mock then stops sending on that connection: what it sends after an oversized frame,
    // before it sees the client leave, is lost with the connection (the error says so), and would make the gap racy.
    const m = await a.start({ oversizedAfter: 2, oversizedBytes: 100_000, silentAfter: 2, faulty: 1 });
    const p = inProcess([...a.args(m.url), '--max-frame-size', '64KiB', '-q', '-n', '5']);
    const r = await p.exit();
    expect(r.code).toBe(0);
    // Said even with --quiet: an event was lost, and why.
    expect(r.stderr.match(/error: a frame larger than --max-frame-size \(64KiB\) was refused: the event it carried is lost/g)).toHaveLength(1);
    expect(seqs(a, p.events)).toEqual([1, 2, 4, 5, 6]);
    expect(m.stats.connections).toBe(2);
  });
});
