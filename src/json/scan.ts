/**
 * A validating JSON scanner: where a JSON value starting at an index ends, without building it. It accepts exactly
 * the texts `JSON.parse` accepts (RFC 8259: no trailing commas, no leading zeros, no control characters in
 * strings; lone surrogates are accepted, as JSON.parse does). Iterative: any nesting depth is safe.
 * For text already known to be valid (JSON.parse took it), `spans.ts` walks faster on long text.
 *
 * scan() validates a whole frame and finds the values of a few known keys in the same pass: on small frames
 * (hundreds of bytes) it costs less than JSON.parse, builds no objects (no garbage to collect) and gives the
 * payload's span for free. Flat containers in lists (a 10 KB post's entities) are read by a native RegExp run.
 */

import { skipSpace } from './spans.js';

const OBJ = 1;
const ARR = 2;
/** The open containers while skipping; grown on demand, shared (the scanner never re-enters itself). */
let stack = new Uint8Array(64);


/** Plain string characters: anything but '"', '\\' and control characters. Sticky: matched at lastIndex. */
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;

/**
 * End (exclusive) of the JSON string at i (text[i] is '"'), or -1. The first characters by a plain loop (a RegExp
 * call costs more than a short key), the rest of a long string by a native RegExp run.
 */
export function stringEnd(text: string, i: number): number {
  i++;
  let budget = 16;
  for (;;) {
    if (--budget === 0) {
      PLAIN_RUN.lastIndex = i;
      PLAIN_RUN.test(text);
      i = PLAIN_RUN.lastIndex;
      budget = 16;
    }
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92) {
      const e = text.charCodeAt(i + 1);
      if (e === 117 /* u */) {
        if (!(isHex(text.charCodeAt(i + 2)) && isHex(text.charCodeAt(i + 3)) && isHex(text.charCodeAt(i + 4)) && isHex(text.charCodeAt(i + 5)))) return -1;
        i += 6;
      } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
        i += 2;
      } else {
        return -1;
      }
    } else if (c >= 32) {
      i++;
    } else {
      return -1; // a control character, or the end of the text (NaN)
    }
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** End of the JSON number at i, or -1: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
function numberEnd(text: string, i: number): number {
  if (text.charCodeAt(i) === 45) i++;
  let c = text.charCodeAt(i);
  if (c === 48) i++;
  else if (c >= 49 && c <= 57) while (isDigit(text.charCodeAt(++i)));
  else return -1;
  if (text.charCodeAt(i) === 46) {
    if (!isDigit(text.charCodeAt(++i))) return -1;
    while (isDigit(text.charCodeAt(++i)));
  }
  c = text.charCodeAt(i);
  if (c === 101 || c === 69) {
    c = text.charCodeAt(++i);
    if (c === 43 || c === 45) i++;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(++i)));
  }
  return i;
}

function literalEnd(text: string, i: number, c: number): number {
  if (c === 116 /* t */) return text.startsWith('true', i) ? i + 4 : -1;
  if (c === 102 /* f */) return text.startsWith('false', i) ? i + 5 : -1;
  if (c === 110 /* n */) return text.startsWith('null', i) ? i + 4 : -1;
  return numberEnd(text, i);
}

/** After '{' and whitespace: a key and its ':' → the index of the value (whitespace skipped), or -1. */
function keyThenColon(text: string, i: number): number {
  if (text.charCodeAt(i) !== 34) return -1;
  const end = stringEnd(text, i);
  if (end < 0) return -1;
  const colon = skipSpace(text, end);
  return text.charCodeAt(colon) === 58 ? skipSpace(text, colon + 1) : -1;
}

/*
 * A container holding only primitives, as one RegExp of JSON's own grammar (RFC 8259): strings with no control
 * characters and only valid escapes, numbers without leading zeros, literals, whitespace between tokens. The RegExp
 * engine reads it natively: on lists of small records (10 KB posts with entity lists) about twice as fast as the
 * character loop, and it builds nothing.
 */
const WS = '[ \\t\\n\\r]*';
const STRING = '"[^"\\\\\\u0000-\\u001f]*(?:\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\\\\u0000-\\u001f]*)*"';
const NUMBER = '-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?';
const PRIMITIVE = `(?:${STRING}|${NUMBER}|true|false|null)`;
const MEMBER = `${STRING}${WS}:${WS}${PRIMITIVE}`;
const FLAT_OBJECT = new RegExp(`\\{${WS}(?:\\}|${MEMBER}(?:${WS},${WS}${MEMBER})*${WS}\\})`, 'y');
const FLAT_ARRAY = new RegExp(`\\[${WS}(?:\\]|${PRIMITIVE}(?:${WS},${WS}${PRIMITIVE})*${WS}\\])`, 'y');

function isPrimitiveStart(c: number): boolean {
  return c === 34 || c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110;
}

/**
 * End of the flat container at i read by `re`, or -1 (not flat, or not valid: the loop decides). A container of
 * about a million members overflows the RegExp engine's backtracking stack (RangeError): the loop reads it then.
 */
function flatEnd(re: RegExp, text: string, i: number): number {
  re.lastIndex = i;
  try {
    return re.test(text) ? re.lastIndex : -1;
  } catch {
    return -1;
  }
}

/**
 * End (exclusive) of the JSON value starting exactly at i, or -1 when no valid JSON value starts there.
 * Nested containers are validated all the way down.
 */
export function valueEnd(text: string, i: number): number {
  let depth = 0;
  for (;;) {
    // A value starts at i.
    const c = text.charCodeAt(i);
    // An object in an array (a list of records), or an array whose first element is a primitive: most often flat,
    // and then read whole by one native RegExp run; anything else (or a failed run) by the loop below.
    const flat =
      c === 123
        ? depth > 0 && stack[depth - 1] === ARR
          ? flatEnd(FLAT_OBJECT, text, i)
          : -1
        : c === 91 && isPrimitiveStart(text.charCodeAt(skipSpace(text, i + 1)))
          ? flatEnd(FLAT_ARRAY, text, i)
          : -1;
    if (flat >= 0) {
      i = flat;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      const close = c === 123 ? 125 : 93;
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === close) {
        i++;
      } else {
        if (depth === stack.length) {
          const grown = new Uint8Array(stack.length * 2);
          grown.set(stack);
          stack = grown;
        }
        stack[depth++] = c === 123 ? OBJ : ARR;
        if (c === 123) {
          i = keyThenColon(text, i);
          if (i < 0) return -1;
        }
        continue;
      }
    } else if (c === 34 /* " */) {
      i = stringEnd(text, i);
      if (i < 0) return -1;
    } else {
      i = literalEnd(text, i, c);
      if (i < 0) return -1;
    }
    // After a value: close containers, or go on to the next member.
    for (;;) {
      if (depth === 0) return i;
      i = skipSpace(text, i);
      const d = text.charCodeAt(i);
      const kind = stack[depth - 1];
      if (d === 44 /* , */) {
        i = skipSpace(text, i + 1);
        if (kind === OBJ) {
          i = keyThenColon(text, i);
          if (i < 0) return -1;
        }
        break;
      }
      if ((d === 125 && kind === OBJ) || (d === 93 && kind === ARR)) {
        depth--;
        i++;
        continue;
      }
      return -1;
    }
  }
}

/** Is the whole text exactly one JSON value (whitespace around it allowed)? */
export function isJson(text: string): boolean {
  const start = skipSpace(text, 0);
  const end = valueEnd(text, start);
  return end >= 0 && skipSpace(text, end) === text.length;
}


/**
 * What to find: a tree of keys. Each node gets a slot; scan() fills spans[2n], spans[2n+1] with the start and
 * end of the value found at node n (-1 when absent). A node with children is looked into when its value is an
 * object. Slot 0 is the whole value.
 */
export interface QueryShape {
  [key: string]: QueryShape | true;
}

interface QueryNode {
  slot: number;
  /** The last slot of the subtree: a duplicate key clears its children's spans. */
  lastSlot: number;
  keys: string[];
  children: QueryNode[] | undefined;
}

export interface Query {
  readonly root: QueryNode;
  readonly slots: number;
  /** The slot of a dotted path ("d.event_id"). */
  slot(path: string): number;
}

export function compileQuery(shape: QueryShape): Query {
  let next = 0;
  const paths = new Map<string, number>();
  const build = (s: QueryShape | true, path: string): QueryNode => {
    const slot = next++;
    paths.set(path, slot);
    if (s === true) return { slot, lastSlot: slot, keys: [], children: undefined };
    const keys = Object.keys(s);
    const children = keys.map((k) => build(s[k]!, path ? `${path}.${k}` : k));
    return { slot, lastSlot: next - 1, keys, children };
  };
  const root = build(shape, '');
  return {
    root,
    slots: next,
    slot(path: string): number {
      const n = paths.get(path);
      if (n === undefined) throw new Error(`the query has no ${path}`);
      return n;
    },
  };
}

export type Spans = Int32Array;

export function newSpans(q: Query): Spans {
  return new Int32Array(q.slots * 2);
}

/**
 * Is `text` exactly one JSON object (whitespace around it allowed)? Fills `spans` with where the query's keys
 * are; with duplicate keys the last one wins, as in JSON.parse. false: not a JSON object (or not JSON).
 */
export function scan(text: string, q: Query, spans: Spans): boolean {
  spans.fill(-1);
  const start = skipSpace(text, 0);
  if (text.charCodeAt(start) !== 123) return false;
  const end = scanObject(text, start, q.root, spans);
  if (end < 0 || skipSpace(text, end) !== text.length) return false;
  spans[0] = start;
  spans[1] = end;
  return true;
}

/** Which of keys the key at [s, e) (quotes included) is, or -1. Escaped keys are decoded ("\u0064" is "d"). */
function keyIndex(text: string, s: number, e: number, keys: string[]): number {
  const len = e - s - 2;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    if (key.length === len && text.startsWith(key, s + 1)) return k;
  }
  for (let j = s + 1; j < e - 1; j++) if (text.charCodeAt(j) === 92) return keys.indexOf(JSON.parse(text.slice(s, e)) as string);
  return -1;
}

/** The object at i (text[i] is '{'), validated, its query keys' spans filled; → its end, or -1. */
function scanObject(text: string, i: number, node: QueryNode, spans: Spans): number {
  const children = node.children!;
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === 125) return i + 1;
  for (;;) {
    if (text.charCodeAt(i) !== 34) return -1;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return -1;
    const k = keyIndex(text, i, keyEnd, node.keys);
    i = skipSpace(text, keyEnd);
    if (text.charCodeAt(i) !== 58) return -1;
    i = skipSpace(text, i + 1);
    const child = k >= 0 ? children[k]! : undefined;
    let end: number;
    if (child?.children) {
      spans.fill(-1, child.slot * 2, child.lastSlot * 2 + 2);
      end = text.charCodeAt(i) === 123 ? scanObject(text, i, child, spans) : valueEnd(text, i);
    } else {
      end = valueEnd(text, i);
    }
    if (end < 0) return -1;
    if (child) {
      spans[child.slot * 2] = i;
      spans[child.slot * 2 + 1] = end;
    }
    i = skipSpace(text, end);
    const c = text.charCodeAt(i);
    if (c === 125) return i + 1;
    if (c !== 44) return -1;
    i = skipSpace(text, i + 1);
  }
}

/** The first character code of the value in a slot, or -1 when absent. */
export function kindAt(text: string, spans: Spans, slot: number): number {
  const s = spans[slot * 2]!;
  return s < 0 ? -1 : text.charCodeAt(s);
}

/** The string in a slot, decoded; undefined when the slot holds no string. */
export function stringAt(text: string, spans: Spans, slot: number): string | undefined {
  const s = spans[slot * 2]!;
  if (s < 0 || text.charCodeAt(s) !== 34) return undefined;
  const e = spans[slot * 2 + 1]!;
  const inner = text.slice(s + 1, e - 1);
  return inner.includes('\\') ? (JSON.parse(text.slice(s, e)) as string) : inner;
}
