#!/usr/bin/env node
// Writes test/durations.json, the seconds each test file took, from a jest --json report. The test sequencer
// (test/helpers/sequencer.cjs) starts the longest files first with it when jest has no timings of its own (a clean
// clone, CI). Refresh after adding or reshaping a slow test file:
//   npm run build && node --experimental-vm-modules node_modules/jest/bin/jest.js --json --outputFile=/tmp/jest.json
//   node scripts/test-durations.mjs /tmp/jest.json
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const report = JSON.parse(readFileSync(process.argv[2] ?? '/tmp/jest.json', 'utf8'));
const seconds = {};
for (const r of report.testResults.sort((a, b) => (b.endTime - b.startTime) - (a.endTime - a.startTime))) {
  seconds[path.relative(root, r.name)] = Math.round((r.endTime - r.startTime) / 100) / 10;
}
writeFileSync(path.join(root, 'test/durations.json'), JSON.stringify(seconds, null, 1) + '\n');
console.log(`test/durations.json: ${Object.keys(seconds).length} files`);
