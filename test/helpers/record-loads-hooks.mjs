/** Module hooks for record-loads.mjs: every URL that is loaded (ESM, CommonJS entered through import, builtins). */
import { appendFileSync } from 'node:fs';

let file;

export async function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
