/** Build the session's filter and --until predicate from the options, once. */
import type { TailEvent } from '../types.js';
import { parseExpression } from './expression.js';
import { typeMatcher } from './glob.js';

export interface FilterOptions {
  type?: readonly string[];
  match?: readonly string[];
  until?: readonly string[];
}

/**
 * A test that throws (a payload nested too deeply for JSON.stringify under `~`) is a non-match, never a crash
 * of the tail.
 */
function safe(test: (ev: TailEvent) => boolean): (ev: TailEvent) => boolean {
  return (ev) => {
    try {
      return test(ev);
    } catch {
      return false;
    }
  };
}

export function buildFilter(o: FilterOptions): ((ev: TailEvent) => boolean) | undefined {
  const tests: ((ev: TailEvent) => boolean)[] = [];
  if (o.type?.length) {
    const m = typeMatcher(o.type);
    tests.push((ev) => m(ev.type));
  }
  for (const text of o.match ?? []) tests.push(safe(parseExpression(text, '--match').test));
  if (tests.length === 0) return undefined;
  if (tests.length === 1) return tests[0];
  return (ev) => tests.every((t) => t(ev));
}

export function buildUntil(o: FilterOptions): ((ev: TailEvent) => boolean) | undefined {
  if (!o.until?.length) return undefined;
  const tests = o.until.map((t) => safe(parseExpression(t, '--until').test));
  return (ev) => tests.every((t) => t(ev));
}
