// jest's own order (the longest test files first, so that no worker is left with a long file at the end) needs the
// timings of an earlier run, kept in jest's cache. A clean clone (CI) has none, and jest falls back to file size,
// which starts the long, waiting fault and recipe files late. This sequencer takes the timings jest has, and for a
// file it has none of, the seconds in test/durations.json (scripts/test-durations.mjs writes it), or 1 s.
const { readFileSync } = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const root = path.resolve(__dirname, '../..');
const seconds = JSON.parse(readFileSync(path.join(root, 'test/durations.json'), 'utf8'));

class LongestFirst extends Sequencer {
  time(test) {
    return super.time(test) ?? (seconds[path.relative(root, test.path)] ?? 1) * 1000;
  }
}

module.exports = LongestFirst;
