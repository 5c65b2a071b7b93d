/**
 * The --match / --until language: `<path><op><value>`, no code evaluation.
 *   path   dotted path into the envelope: type, id, topic, data.amount, data.items.0.name
 *   op     =  !=  ~ (regex)  >  <  >=  <=
 *   value  the rest of the text; compared as a number when both sides are numbers, else as text;
 *          true/false/null match JSON booleans and null.
 * A `~` regular expression examines at most the first MATCH_LIMIT characters of the value: a server cannot make
 * one event cost more than that, whatever it sends (the cost of the expression itself is the user's choice).
 * Numbers compare exactly, by their text as the server sent it (data's own JSON text): --match
 * data.id=1729384756123456789 does not match 1729384756123456800, although both are the same double. A value that
 * JSON reads as a safe integer (below 2^53), compared with a safe integer, is compared as that integer (fast path).
 */
import { valueAt } from '../value-at.js';
import { textAt } from '../json/spans.js';
import { compareDecimal, isNumericText } from './decimal.js';
import { UsageError } from '../errors.js';
import type { TailEvent } from '../types.js';

export type Op = '=' | '!=' | '~' | '>' | '<' | '>=' | '<=';

export interface Expression {
  source: string;
  path: string[];
  op: Op;
  value: string;
  test(ev: TailEvent): boolean;
}

/** Characters of a value a `~` regular expression examines (the start of the value). */
export const MATCH_LIMIT = 4096;

const PATH = /^[A-Za-z_$][\w$-]*(\.[\w$-]+)*/;

function fault(flag: string, source: string, at: number, why: string): UsageError {
  const caret = `${' '.repeat(`evtail: error: ${flag} `.length + 1 + at)}^`;
  return new UsageError(`${flag} "${source}": ${why}\n${caret}`, 'syntax: <path><op><value>, op one of = != ~ > < >= <=, e.g. data.amount>10 or type~^order_');
}

export function parseExpression(source: string, flag = '--match'): Expression {
  const m = PATH.exec(source);
  if (!m) throw fault(flag, source, 0, 'expected a field path (like type or data.amount) at the start');
  const pathText = m[0];
  const rest = source.slice(pathText.length);
  const opMatch = /^(!=|>=|<=|=|~|>|<)/.exec(rest);
  if (!opMatch) {
    const why = rest.length === 0 ? 'expected an operator (= != ~ > < >= <=) and a value after the path' : `expected an operator (= != ~ > < >= <=), found "${rest[0]}"`;
    throw fault(flag, source, pathText.length, why);
  }
  const op = opMatch[1] as Op;
  const value = rest.slice(op.length);
  const valueCol = pathText.length + op.length;
  if (value.length === 0 && op !== '=' && op !== '!=') throw fault(flag, source, valueCol, `expected a value after "${op}"`);
  if (/^(=|~|>|<|!)/.test(value) && op !== '~') throw fault(flag, source, valueCol, `unexpected "${value[0]}" after "${op}"`);
  const path = pathText.split('.');
  let test: (ev: TailEvent) => boolean;
  if (op === '~') {
    let re: RegExp;
    try {
      re = new RegExp(value);
    } catch (err) {
      throw fault(flag, source, valueCol, `not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: /, '')})`);
    }
    test = (ev) => {
      const v = valueAt(ev, path);
      if (v === undefined) return false;
      const text = typeof v === 'string' ? v : sourceText(ev, path, v);
      return re.test(text.length > MATCH_LIMIT ? text.slice(0, MATCH_LIMIT) : text);
    };
  } else if (op === '>' || op === '<' || op === '>=' || op === '<=') {
    if (!isNumericText(value)) {
      // Text ordering (ISO dates compare correctly as text).
      test = (ev) => {
        const v = valueAt(ev, path);
        return typeof v === 'string' && compare(op, v < value ? -1 : v > value ? 1 : 0);
      };
    } else {
      const target = Number(value);
      const safe = Number.isSafeInteger(target);
      test = (ev) => {
        const v = valueAt(ev, path);
        if (safe && typeof v === 'number' && Number.isSafeInteger(v)) return compare(op, v - target);
        const text = numberText(ev, path, v);
        return text !== undefined && compare(op, compareDecimal(text, value));
      };
    }
  } else {
    const eq = (ev: TailEvent) => equals(ev, path, valueAt(ev, path), value);
    test = op === '=' ? eq : (ev) => !eq(ev);
  }
  return { source, path, op, value, test };
}

function compare(op: Op, diff: number): boolean {
  switch (op) {
    case '>':
      return diff > 0;
    case '<':
      return diff < 0;
    case '>=':
      return diff >= 0;
    default:
      return diff <= 0;
  }
}

/**
 * The JSON text of a non-string value as the server sent it: looked up in the payload's own text for data.*
 * paths (JSON.parse has rounded big numbers and dropped 1.10's zero), else serialised.
 */
function sourceText(ev: TailEvent, path: readonly string[], v: unknown): string {
  if (path[0] === 'data' && ev.json !== undefined) {
    const text = textAt(ev.json, path.slice(1));
    if (text !== undefined) return text;
  }
  return JSON.stringify(v) ?? String(v);
}

/** A value as decimal text to compare with a number: a JSON number's own text, or a string that reads as a number. */
function numberText(ev: TailEvent, path: readonly string[], v: unknown): string | undefined {
  if (typeof v === 'number') {
    const text = sourceText(ev, path, v);
    return isNumericText(text) ? text : undefined;
  }
  if (typeof v === 'string' && isNumericText(v.trim())) return v.trim();
  return undefined;
}

function equals(ev: TailEvent, path: readonly string[], actual: unknown, text: string): boolean {
  if (actual === undefined) return false;
  if (actual === null) return text === 'null';
  if (typeof actual === 'boolean') return String(actual) === text;
  if (typeof actual === 'number') {
    if (!isNumericText(text)) return false;
    if (Number.isSafeInteger(actual) && Number.isSafeInteger(Number(text))) return actual === Number(text);
    const own = numberText(ev, path, actual);
    return own !== undefined && compareDecimal(own, text) === 0;
  }
  if (typeof actual === 'string') return actual === text;
  return sourceText(ev, path, actual) === text;
}
