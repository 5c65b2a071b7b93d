#!/usr/bin/env node
// The npm registry mirror reachable from our machines serves only some platforms' builds of native optional
// dependencies (e.g. @unrs/resolver-binding-*, used by jest), so `npm install` here writes a lockfile without the
// other platforms' entries and `npm ci` then refuses it ("Missing: … from lock file"). This adds the missing
// entries as optional, platform-restricted packages, which npm ci skips on other platforms without fetching.
// Run after any `npm install` that changes package-lock.json:  node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const cpus = ['arm64', 'arm', 'x64', 'ia32', 'ppc64', 'riscv64', 's390x', 'loong64', 'wasm32'];
const oses = ['android', 'darwin', 'freebsd', 'linux', 'openharmony', 'win32', 'wasi'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => oses.includes(p));
  const cpu = parts.find((p) => cpus.includes(p));
  return { os, cpu };
}

let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const where = `node_modules/${dep}`;
    if (lock.packages[where] || lock.packages[`${path}/${where}`]) continue;
    const { os, cpu } = platformOf(dep);
    if (!os && !cpu) continue; // not a platform build: leave it for npm to report
    const entry = { version, dev: pkg.dev || undefined, license: pkg.license, optional: true };
    if (cpu) entry.cpu = [cpu];
    if (os && os !== 'wasi') entry.os = [os];
    lock.packages[where] = entry;
    added += 1;
  }
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} platform entries`);
