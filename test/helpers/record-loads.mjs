/**
 * `node --import <this file> …`: record the URL of every module the program loads, one per line, in the file
 * named by EVTAIL_LOADS_FILE. Used by test/e2e/startup.test.ts to prove what `--help` does not load.
 * The hooks run on a thread of their own (Node 20), so they append to the file rather than share memory. They see
 * what is imported; what is require()d (evtail loads ws and commander that way) is read from require's cache when the
 * process exits.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const file = process.env.EVTAIL_LOADS_FILE;
if (file) {
  register('./record-loads-hooks.mjs', import.meta.url, { data: { file } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const required = Object.keys(cache).map((p) => `${pathToFileURL(p).href}\n`);
    if (required.length > 0) appendFileSync(file, required.join(''));
  });
}
