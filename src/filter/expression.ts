/**
 * The --match / --until language: `<path><op><value>`, no code evaluation.
 *   path   dotted path into the envelope: type, id, topic, data.amount, data.items.0.name
 *   op     =  !=  ~ (regex)  >  <  >=  <=
 *   value  the rest of the text; compared as a number when both sides are numbers, else as text;
 *          true/false/null match JSON booleans and null.
 */
import { valueAt } from '../value-at.js';
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
      return v !== undefined && re.test(typeof v === 'string' ? v : JSON.stringify(v));
    };
  } else if (op === '>' || op === '<' || op === '>=' || op === '<=') {
    const target = toNumber(value);
    if (target === undefined) {
      // Text ordering (ISO dates compare correctly as text).
      test = (ev) => {
        const v = valueAt(ev, path);
        return typeof v === 'string' && compare(op, v < value ? -1 : v > value ? 1 : 0);
      };
    } else {
      test = (ev) => {
        const n = toNumber(valueAt(ev, path));
        return n !== undefined && compare(op, n - target);
      };
    }
  } else {
    const eq = (ev: TailEvent) => equals(valueAt(ev, path), value);
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

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v.trim())) return Number(v);
  return undefined;
}

function equals(actual: unknown, text: string): boolean {
  if (actual === undefined) return text === '' ? false : false;
  if (actual === null) return text === 'null';
  if (typeof actual === 'boolean') return String(actual) === text;
  if (typeof actual === 'number') {
    const n = toNumber(text);
    return n !== undefined && n === actual;
  }
  if (typeof actual === 'string') return actual === text;
  return JSON.stringify(actual) === text;
}
