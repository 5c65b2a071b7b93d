/**
 * Values that end up in an HTTP request line or header (credentials, --origin, --header, the URL, a proxy) must not
 * hold a line break, a control character or (in a header) anything outside Latin-1: Node refuses them deep in
 * http.request, which used to surface as "internal error". Checked once, after every source (flag, EVTAIL_*, config
 * file, --token-file, stdin) is resolved, so the message names the option and where its value came from.
 */
import { UsageError } from '../errors.js';
import type { OptionSpec } from '../providers/spec.js';
import { flagName } from './parse-values.js';

/**
 * Options sent as (or in) an HTTP header: only Latin-1 without control characters. Every other string (a token sent
 * in a login frame, a URL) may hold any text but a line break or NUL.
 */
const HEADER_KEYS = new Set(['cookie', 'apiKey', 'origin', 'header', 'subprotocol', 'proxy', 'forwardHeader']);
/** Free text that is sent inside WebSocket frames or read by evtail itself: line breaks are fine there. */
const FREE_TEXT = new Set(['send', 'echo', 'match', 'until', 'type']);

/** Anything Node's http module refuses in a header value. */
// eslint-disable-next-line no-control-regex
const NOT_IN_HEADER = /[^\t\x20-\x7e\x80-\xff]/;
// eslint-disable-next-line no-control-regex
const LINE_BREAK_OR_NUL = /[\r\n\0]/;

function describe(c: string): string {
  if (c === '\r' || c === '\n') return 'a line break (CR/LF)';
  const code = c.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  return `a character outside Latin-1 (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
}

/**
 * Throws a UsageError (exit 2) naming the option when a value cannot be sent safely. `sources`: key → where the
 * value came from ('flag', 'env EVTAIL_X', 'config <file>'...), for the message.
 */
export function checkHeaderSafe(specs: readonly OptionSpec[], values: Record<string, unknown>, sources: Record<string, string> = {}): void {
  for (const spec of specs) {
    if (FREE_TEXT.has(spec.key) || (spec.kind !== 'string' && spec.kind !== 'list')) continue;
    const raw = values[spec.key];
    const items = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
    const headerBound = HEADER_KEYS.has(spec.key);
    for (const item of items) {
      const bad = (headerBound ? NOT_IN_HEADER : LINE_BREAK_OR_NUL).exec(item);
      if (!bad) continue;
      const source = sources[spec.key];
      const from = source && source !== 'flag' ? ` (from ${source.replace(/^env /, '')})` : '';
      const what = headerBound ? 'which an HTTP header cannot carry' : 'which no credential or address holds';
      // No "name: value" shape in the message: it would read as a header line, and be redacted as one.
      const hint = bad[0] === '\r' || bad[0] === '\n' ? 'look for a stray line break: a file saved with CRLF endings, or a pasted value' : undefined;
      throw new UsageError(`${flagName(spec)}${from} holds ${describe(bad[0])}, ${what}`, hint);
    }
  }
}
