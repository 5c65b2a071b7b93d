/**
 * What `npm pack` ships: what a user needs (bin, dist, docs, the example config, the README) and nothing else
 * (no fixtures/, no TLS key, no tests, no sources); the README's links open files that are in the package; the
 * build runs in prepack, not in an install-time prepare.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ROOT } from '../helpers/evtail.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
// --ignore-scripts: the list, without running prepack's build (npm test has built dist/ already).
const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { files: { path: string }[] }[];
const files = packed[0]!.files.map((f) => f.path);

describe('npm pack', () => {
  test('ships the launcher, the build, the docs, the example config and the README', () => {
    for (const f of ['bin/evtail.js', 'dist/cli.js', 'dist/run.js', 'README.md', '.tailrc.example', 'docs/providers/tweetcatcher.md', 'package.json']) expect(files).toContain(f);
  });

  test('ships no fixtures, key, tests, sources, benchmarks or scripts (declarations of the library API are not sources)', () => {
    const unwanted = files.filter((f) => /^(fixtures|test|src|bench|scripts|\.ci)\//.test(f) || /\.(key|pem)$/.test(f) || (/\.ts$/.test(f) && !/^dist\/.*\.d\.ts$/.test(f)));
    expect(unwanted).toEqual([]);
  });

  test('ships the declarations the library exports point at (issue 16: the library API)', () => {
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/library.d.ts', 'dist/types.d.ts']));
  });

  test('builds in prepack, not in an install-time prepare', () => {
    expect(pkg.scripts.prepack).toMatch(/npm run build/);
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(Object.keys(pkg.scripts).filter((s) => /^(pre|post)?install$/.test(s))).toEqual([]);
  });

  test("the README's links to files open files the package ships, from the registry page too", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !l.startsWith('#'));
    const relative = links.filter((l) => !/^https?:\/\//.test(l));
    expect(relative).toEqual([]); // a relative link breaks on the registry page
    const own = links.filter((l) => l.startsWith('https://unpkg.com/browse/evtail/')).map((l) => l.slice('https://unpkg.com/browse/evtail/'.length));
    expect(own.length).toBeGreaterThan(5);
    const missing = own.filter((p) => (p.endsWith('/') ? !files.some((f) => f.startsWith(p)) : !files.includes(p)));
    expect(missing).toEqual([]);
  });
});
