#!/usr/bin/env node
// Prints the fault suite's table (docs/reliability.md): the scenarios per provider and what each asserts, from the
// suite's own catalogue (test/faults/catalogue.mjs), the same definitions the tests are generated from.
//   node scripts/reliability-table.mjs           print the table (markdown)
//   node scripts/reliability-table.mjs --write   put it between the table markers of docs/reliability.md (and of
//                                                README.md, if it carries them too)
// test/faults/table.test.ts fails when a file's table differs from what this prints.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderTables, TABLE_END as END, TABLE_FILES, TABLE_START as START } from '../test/faults/catalogue.mjs';

const table = renderTables();
if (!process.argv.includes('--write')) {
  process.stdout.write(table);
  process.exit(0);
}
for (const name of TABLE_FILES) {
  const file = new URL(`../${name}`, import.meta.url);
  if (!existsSync(file)) continue;
  const doc = readFileSync(file, 'utf8');
  const from = doc.indexOf(START);
  const to = doc.indexOf(END, from);
  if (from < 0 && name !== TABLE_FILES[0]) continue;
  if (from < 0 || to < 0) {
    process.stderr.write(`${name}: the table markers are missing:\n${START}\n${END}\n`);
    process.exit(1);
  }
  const next = `${doc.slice(0, from + START.length)}\n${table}${doc.slice(to)}`;
  if (next !== doc) {
    writeFileSync(file, next);
    process.stderr.write(`${name}: table updated\n`);
  }
}
