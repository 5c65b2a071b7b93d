/**
 * A validating JSON scanner: where a JSON value starting at an index ends, without building it. It accepts exactly
 * the texts `JSON.parse` accepts (RFC 8259: no trailing commas, no leading zeros, no control characters in
 * strings; lone surrogates are accepted, as JSON.parse does). Iterative: any nesting depth is safe.
 * For text already known to be valid (JSON.parse took it), `spans.ts` walks faster.
 */

const OBJ = 1;
const ARR = 2;
/** The open containers while skipping; grown on demand, shared (the scanner never re-enters itself). */
let stack = new Uint8Array(64);

/** Index of the first character at or after i that is not JSON whitespace. */
export function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** End (exclusive) of the JSON string at i (text[i] is '"'), or -1. A plain loop: a RegExp call per string costs more. */
export function stringEnd(text: string, i: number): number {
  i++;
  for (;;) {
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

/**
 * End (exclusive) of the JSON value starting exactly at i, or -1 when no valid JSON value starts there.
 * Nested containers are validated all the way down.
 */
export function valueEnd(text: string, i: number): number {
  let depth = 0;
  for (;;) {
    // A value starts at i.
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
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

