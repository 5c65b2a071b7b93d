// Every temporary file of a test run lives under one directory: TMPDIR is set to it before the workers start, so
// os.tmpdir() in the tests, and in every evtail, bash or nats-server they start, is inside it; global-teardown.cjs
// removes it. A test that forgets its own mkdtemp leaves nothing behind in /tmp.
const { mkdtempSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evtail-test-run-'));
  process.env.TEST_RUN_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
