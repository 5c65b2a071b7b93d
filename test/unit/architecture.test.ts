/**
 * The shape DESIGN.md asks for, checked on the sources: no import cycles (type-only imports count: they tie the
 * modules' meaning together), no file in src/ over 400 lines, one formatter module for durations and sizes.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = sources(root);
const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));

/** Imports and re-exports, type-only and lazy (import()) ones included. */
function importsOf(file: string): string[] {
  const src = text.get(file)!;
  const specifiers = [
    ...[...src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms)].map((m) => m[1]!),
    ...[...src.matchAll(/import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)].map((m) => m[1]!),
  ];
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

function findCycle(): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | undefined => {
    if (state.get(f) === 'done') return undefined;
    if (state.get(f) === 'open') return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, 'open');
    stack.push(f);
    for (const dep of importsOf(f)) {
      if (!text.has(dep)) continue;
      const c = visit(dep);
      if (c) return c;
    }
    stack.pop();
    state.set(f, 'done');
    return undefined;
  };
  for (const f of files) {
    const c = visit(f);
    if (c) return c.map((x) => relative(root, x));
  }
  return undefined;
}

describe('architecture', () => {
  test('no import cycles in src/ (type-only and lazy imports included)', () => {
    expect(findCycle()).toBeUndefined();
  });

  test('no file in src/ is over 400 lines', () => {
    const long = files.map((f) => [relative(root, f), text.get(f)!.split('\n').length - 1] as const).filter(([, n]) => n > 400);
    expect(long).toEqual([]);
  });

  test('durations and sizes become text in one module (src/format.ts)', () => {
    const own = files.filter((f) => !f.endsWith('format.ts') && /function (format(Ms|Duration|Delay|Size|Bytes)|humanSize)\b/.test(text.get(f)!));
    expect(own.map((f) => relative(root, f))).toEqual([]);
  });

  test('the session reports facts: no exit codes in src/session/ (src/exit.ts maps its end reason), no status words in the session or the limits (output/session-status.ts says them)', () => {
    const session = files.filter((f) => relative(root, f).startsWith('session/'));
    expect(session.length).toBeGreaterThan(0);
    expect(session.filter((f) => /\bExitCode|\bexitCode\b/.test(text.get(f)!)).map((f) => relative(root, f))).toEqual([]);
    const wordless = ['session/session.ts', 'session/limits.ts'].map((f) => join(root, f));
    expect(wordless.filter((f) => /from '\.\.\/(format|output\/[^']*)\.js'|reporter/.test(text.get(f)!)).map((f) => relative(root, f))).toEqual([]);
  });

  test('nothing in src/ replaces a method of a stream or socket it does not own (`x.write = …`, `.send = …`)', () => {
    const bad = files.filter((f) => /\.(write|send|emit|on|once)\s*=(?!=)/.test(text.get(f)!));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });

  test("no dependency's private fields (`x._socket`, or a cast to an inline type to reach one), no patched socket methods, no socketcluster-client in src/", () => {
    const bad = files.filter((f) => {
      const t = text.get(f)!;
      return /\)\._[a-zA-Z]|as unknown as \{/.test(t) || /\.(send|emit|on)\s*=\s*[(a-z]/.test(t) || /from 'socketcluster-client'/.test(t);
    });
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });
});
