/**
 * Where values are in a JSON text that is already known to be valid (JSON.parse took it): the span of the value at
 * a path, the members of an object. Decoders use it to carry the payload's own text into the envelope (digits,
 * exponents, escapes and key order as the server wrote them) while they read type and id from JSON.parse's values.
 *
 * Valid input lets it skip strings with indexOf (native, fast on long text) instead of checking each character;
 * on invalid input the answers are meaningless but it never throws and never loops. Iterative: any depth is safe.
 */

/** Index of the first character at or after i that is not JSON whitespace. */
export function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** End (exclusive) of the string at i (text[i] is '"'); -1 when it does not close. indexOf: native, fast on long text. */
function stringEnd(text: string, i: number): number {
  let q = i;
  for (;;) {
    q = text.indexOf('"', q + 1);
    if (q < 0) return -1;
    if (text.charCodeAt(q - 1) !== 92) return q + 1;
    // Escaped when an odd number of backslashes precede it.
    let b = q - 1;
    while (text.charCodeAt(b) === 92) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
  }
}

/** End (exclusive) of the valid JSON value starting exactly at i; -1 when the text ends first. */
export function valueEndValid(text: string, i: number): number {
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Inlined stringEnd: this loop is most of the cost of carrying a payload's text.
      let q = i;
      for (;;) {
        q = text.indexOf('"', q + 1);
        if (q < 0) return -1;
        if (text.charCodeAt(q - 1) !== 92) break;
        let b = q - 1;
        while (text.charCodeAt(b) === 92) b--;
        if ((q - 1 - b) % 2 === 0) break;
      }
      i = q + 1;
      if (depth === 0) return i;
      continue;
    }
    if (c === 123 || c === 91) {
      depth++;
    } else if (c === 125 || c === 93) {
      if (depth === 0) return i; // the end of a number or literal inside its container
      if (--depth === 0) return i + 1;
    } else if (depth === 0 && (c === 44 || c === 32 || c === 10 || c === 13 || c === 9)) {
      return i; // the end of a number or literal at the top
    }
    i++;
  }
  return depth === 0 ? i : -1;
}

/** Is the key at [s, e) (quotes included) the given one? Escaped keys are decoded ("\u0064" is "d" to JSON.parse). */
function keyIs(text: string, s: number, e: number, key: string): boolean {
  if (e - s - 2 === key.length && text.startsWith(key, s + 1)) return true;
  for (let j = s + 1; j < e - 1; j++) if (text.charCodeAt(j) === 92) return (JSON.parse(text.slice(s, e)) as string) === key;
  return false;
}

/** One member of an object: the key's span (quotes included) and the value's. */
export interface Member {
  keyStart: number;
  keyEnd: number;
  start: number;
  end: number;
}

/** The members of the object at i, in text order (duplicates included); undefined when no object is there. */
export function members(text: string, i: number): Member[] | undefined {
  i = skipSpace(text, i);
  if (text.charCodeAt(i) !== 123) return undefined;
  const out: Member[] = [];
  i = skipSpace(text, i + 1);
  while (text.charCodeAt(i) === 34) {
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0) return undefined;
    const start = skipSpace(text, skipSpace(text, keyEnd) + 1);
    const end = valueEndValid(text, start);
    if (end < 0) return undefined;
    out.push({ keyStart: i, keyEnd, start, end });
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== 44) break;
    i = skipSpace(text, i + 1);
  }
  return out;
}

/** The member's key, decoded. */
export function keyOf(text: string, m: Member): string {
  const raw = text.slice(m.keyStart + 1, m.keyEnd - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(m.keyStart, m.keyEnd)) as string) : raw;
}

/**
 * The span [start, end) of the value at a path in the valid JSON value that starts at `from`; undefined when there
 * is none. A step is a key of an object or an index of an array (a number, or digits as text, like valueAt's
 * paths). With duplicate keys the last one counts, as in JSON.parse.
 */
export function spanAt(text: string, path: readonly (string | number)[], from = 0, to = text.length): [number, number] | undefined {
  let i = skipSpace(text, from);
  /** The end of the value at i, when a step has walked over it already. */
  let known = -1;
  for (const step of path) {
    known = -1;
    const c = text.charCodeAt(i);
    if (c === 123) {
      const key = String(step);
      i = skipSpace(text, i + 1);
      let found = -1;
      while (text.charCodeAt(i) === 34) {
        const keyEnd = stringEnd(text, i);
        if (keyEnd < 0) return undefined;
        const match = keyIs(text, i, keyEnd, key);
        i = skipSpace(text, skipSpace(text, keyEnd) + 1);
        const end = valueEndValid(text, i);
        if (end < 0) return undefined;
        if (match) {
          found = i;
          known = end;
        }
        i = skipSpace(text, end);
        if (text.charCodeAt(i) !== 44) break;
        i = skipSpace(text, i + 1);
      }
      if (found < 0) return undefined;
      i = found;
    } else if (c === 91 && (typeof step === 'number' || /^\d+$/.test(step))) {
      const index = Number(step);
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === 93) return undefined;
      for (let k = 0; k < index; k++) {
        const end = valueEndValid(text, i);
        if (end < 0) return undefined;
        i = skipSpace(text, end);
        if (text.charCodeAt(i) !== 44) return undefined;
        i = skipSpace(text, i + 1);
      }
    } else {
      return undefined;
    }
  }
  if (i >= to) return undefined;
  const end = known >= 0 ? known : valueEndValid(text, i);
  return end < 0 || end > to ? undefined : [i, end];
}

/** The text of the value at a path, or undefined. */
export function textAt(text: string, path: readonly (string | number)[], from = 0): string | undefined {
  const span = spanAt(text, path, from);
  return span ? text.slice(span[0], span[1]) : undefined;
}

/**
 * The envelope's `id` from the parsed value at `path` of the payload: a non-empty string as it is; a number as its
 * own text in the payload, every digit kept (beyond 2^53 too; JSON.parse has rounded the value); undefined
 * otherwise. `json` is the payload's text.
 */
export function idFrom(value: unknown, json: string | undefined, path: readonly (string | number)[]): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value !== 'number') return undefined;
  // Even a safe integer may be written 1e3 or -0: the text is what the server sent.
  if (json !== undefined) {
    const text = textAt(json, path);
    if (text !== undefined) return text;
  }
  return Number.isFinite(value) ? String(value) : undefined;
}

/**
 * The payload's text at [start, end) of a valid JSON text, as printed in the envelope: exactly as sent, except
 * that a payload holding line breaks between tokens (pretty-printed JSON) loses all whitespace outside its
 * strings, so the envelope stays one line. (Inside strings a line break is always escaped.)
 */
export function payloadSlice(text: string, start: number, end: number): string {
  const s = text.slice(start, end);
  return s.includes('\n') || s.includes('\r') ? compact(s) : s;
}

/** Valid JSON without whitespace outside its strings. */
export function compact(text: string): string {
  let out = '';
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const e = stringEnd(text, i);
      if (e < 0) break;
      i = e;
    } else if (c === 32 || c === 10 || c === 13 || c === 9) {
      out += text.slice(from, i);
      i = skipSpace(text, i);
      from = i;
    } else {
      i++;
    }
  }
  return out + text.slice(from);
}

/** The payload text of a whole valid JSON frame: its value without the whitespace around it. */
export function wholeValue(text: string): string | undefined {
  const start = skipSpace(text, 0);
  const end = valueEndValid(text, start);
  return end < 0 ? undefined : payloadSlice(text, start, end);
}

/** The spans of the elements of the array at i, in order; [] when no array is there. */
export function arrayItems(text: string, i: number): [number, number][] {
  i = skipSpace(text, i);
  if (text.charCodeAt(i) !== 91) return [];
  const out: [number, number][] = [];
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === 93) return out;
  for (;;) {
    const end = valueEndValid(text, i);
    if (end < 0) return out;
    out.push([i, end]);
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== 44) return out;
    i = skipSpace(text, i + 1);
  }
}
