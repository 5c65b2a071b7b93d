// Removes the run's temporary directory (global-setup.cjs).
const { rmSync } = require('node:fs');

module.exports = async () => {
  const dir = process.env.TEST_RUN_TMPDIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
};
