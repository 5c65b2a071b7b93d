/**
 * The one terminal sanitiser: nothing that came from the network may act on a terminal. Every string from outside
 * that reaches a terminal (pretty output, raw output at a TTY, every line on stderr) passes here; evtail adds its
 * own colours after.
 *
 * Escaped, visibly: C0 controls (line breaks and tabs included), DEL, C1 (U+0080–U+009F, e.g. U+009B, the one-byte
 * CSI), the bidi embedding/override/isolate controls (U+202A–U+202E, U+2066–U+2069) and the bidi marks (U+200E,
 * U+200F, U+061C), and the Unicode line/paragraph separators (U+2028, U+2029). So an escape sequence cannot change
 * the title, the clipboard or the screen, `\r` cannot overwrite a line, and a reversed text cannot hide what it says.
 */

/** Everything escaped by sanitize(). Kept as one character class: one pass, and a fast `test` for clean text. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');

const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

function escapeOne(ch: string): string {
  const n = named[ch];
  if (n) return n;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

/** Text for a terminal: every control character written as a visible escape (`\x1b`, `\n`, `\u202e`). */
export function sanitize(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROL_ALL, escapeOne) : text;
}

/** Text for a terminal that keeps evtail's own line breaks (a message evtail wrote over several lines). */
export function sanitizeLines(text: string): string {
  return text.includes('\n') ? text.split('\n').map(sanitize).join('\n') : sanitize(text);
}

/**
 * JSON text, at a terminal: JSON already escapes C0, but writes DEL, C1 and the bidi controls as they are. Written
 * as `\u` escapes instead, the line is the same JSON value and no longer acts on the terminal. Only for JSON text
 * (outside a string these characters cannot appear, so every one of them is inside a string).
 */
const JSON_CONTROL = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const JSON_CONTROL_ALL = new RegExp(JSON_CONTROL.source, 'g');

export function sanitizeJson(json: string): string {
  return JSON_CONTROL.test(json) ? json.replace(JSON_CONTROL_ALL, (ch) => `\\u${hex(ch.charCodeAt(0), 4)}`) : json;
}

/** Whether the text holds anything sanitize() would escape. */
export function hasControls(text: string): boolean {
  return CONTROL.test(text);
}
