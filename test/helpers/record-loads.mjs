/**
 * `node --import <this file> …`: record the URL of every module the program loads, one per line, in the file
 * named by EVTAIL_LOADS_FILE. Used by test/e2e/startup.test.ts to prove what `--help` does not load.
 * The hooks run on a thread of their own (Node 20), so they append to the file rather than share memory.
 */
import { register } from 'node:module';

if (process.env.EVTAIL_LOADS_FILE) {
  register('./record-loads-hooks.mjs', import.meta.url, { data: { file: process.env.EVTAIL_LOADS_FILE } });
}
