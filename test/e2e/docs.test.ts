/** The README stays true: every flag any --help shows is documented in README.md or docs/. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { providers } from '../../src/providers/registry.js';
import { ROOT, runInProcess } from '../helpers/evtail.js';

function docsText(): string {
  const files = [path.join(ROOT, 'README.md')];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.md')) files.push(p);
    }
  };
  walk(path.join(ROOT, 'docs'));
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

/** Long flags in the Options section of a help text. */
function flagsOf(help: string): string[] {
  const options = help.split(/\n(?=Options:)/)[1]?.split(/\n\n/)[0] ?? '';
  return [...new Set([...options.matchAll(/(?:^|[\s,])(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]!))].filter((f) => f !== '--help');
}

const commands = [
  ...providers.map((p) => [p.name]),
  ...providers.filter((p) => !p.noMock).map((p) => ['mock', p.name]),
  ...providers.filter((p) => !p.noMock).map((p) => ['demo', p.name]),
  ['replay'],
  ['nats', 'init'],
];

describe('documentation', () => {
  const docs = docsText();
  test.each(commands.map((c) => [c.join(' '), c]))('every flag of `evtail %s --help` is in the README or docs/', async (_name, cmd) => {
    const r = await runInProcess([...(cmd as string[]), '--help']);
    expect(r.code).toBe(0);
    const flags = flagsOf(r.stdout);
    expect(flags.length).toBeGreaterThan(0);
    const missing = flags.filter((f) => !new RegExp(`${f.replace(/-/g, '\\-')}(?![a-z0-9-])`).test(docs));
    expect(missing).toEqual([]);
  });

  test('the README opens with the two quick-start commands: the demo and the tests', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const firstBlock = readme.slice(readme.indexOf('```sh'), readme.indexOf('```', readme.indexOf('```sh') + 5));
    expect(firstBlock).toMatch(/npx evtail demo/);
    expect(firstBlock).toMatch(/npm test/);
  });
});
