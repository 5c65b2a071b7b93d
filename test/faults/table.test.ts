/** docs/reliability.md's table is what scripts/reliability-table.mjs prints, and the suite implements every row. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ROOT } from '../helpers/evtail.js';
import { PROVIDERS, SCENARIOS, TABLE_END as END, TABLE_FILES, TABLE_START as START } from './catalogue.mjs';
import { adapters } from './providers.js';

describe('the reliability table', () => {
  const printed = execFileSync(process.execPath, [path.join(ROOT, 'scripts/reliability-table.mjs')], { cwd: ROOT, encoding: 'utf8' });

  test.each(TABLE_FILES.map((f) => [f]))("%s: the table is what scripts/reliability-table.mjs prints", (file) => {
    const full = path.join(ROOT, file);
    const doc = existsSync(full) ? readFileSync(full, 'utf8') : '';
    const from = doc.indexOf(START);
    // docs/reliability.md must carry the table; another file only if it has the markers.
    if (file !== TABLE_FILES[0] && from < 0) return;
    const to = doc.indexOf(END, from);
    expect(from).toBeGreaterThanOrEqual(0);
    expect(to).toBeGreaterThan(from);
    // If this fails: node scripts/reliability-table.mjs --write
    expect(doc.slice(from + START.length + 1, to)).toBe(printed);
  });

  test('the catalogue and the adapters name the same providers, in the same order', () => {
    expect(adapters.map((a) => a.name)).toEqual([...PROVIDERS]);
  });

  test.each(SCENARIOS.map((s) => [s.id, s.file] as const))('scenario %s is played by test/faults/%s', (id, file) => {
    const source = readFileSync(path.join(ROOT, 'test/faults', file), 'utf8');
    expect(source).toContain(`describe.each(adapters)`);
    expect(source).toMatch(new RegExp(`scenario\\('${id}'\\)|id: '${id}'`));
  });
});
