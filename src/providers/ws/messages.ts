/**
 * Generic WebSocket frames → TailEvents. Nothing is ever undecodable here: JSON objects become envelopes,
 * everything else (text that is not JSON, JSON that is not an object, binary) is kept as it came.
 */
import { valueAt } from '../../value-at.js';
import { UsageError } from '../../errors.js';
import type { TailEvent } from '../../types.js';
import type { FrameDecoder } from '../spec.js';
import { receivedAt } from '../../transport/received-at.js';
import { idFrom, wholeValue } from '../../json/spans.js';
import { objectRest } from '../../json/summary.js';

export const PROVIDER = 'ws';
/** Where the event type is looked for when --type-path is not given, in this order. */
export const DEFAULT_TYPE_PATHS: readonly string[] = ['type', 'event', 'op'];
/** The type of a JSON object with no type at the type path(s). */
export const UNTYPED = 'message';

export interface DecodeOptions {
  /** Dotted paths tried in order; the first that holds a usable value gives the type. */
  typePaths: readonly (readonly string[])[];
}

export function typePathsFrom(typePath: unknown): (readonly string[])[] {
  if (typeof typePath === 'string' && typePath.trim() !== '') return [splitPath(typePath.trim())];
  return DEFAULT_TYPE_PATHS.map((p) => [p]);
}

/** `data.kind` → ['data', 'kind']; `items.0.type` indexes arrays too. */
export function splitPath(path: string): string[] {
  const parts = path.split('.');
  if (parts.some((p) => p === '')) throw new UsageError(`--type-path: "${path}" is not a dotted path`, 'write it like type or data.kind');
  return parts;
}

/** A type value as text: strings as they are, numbers and booleans written out, objects as compact JSON. */
function typeText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** A text frame as an event. Never fails. A JSON object's data is printed as its own text; other text as a JSON string. */
export function decodeText(frame: string, options: DecodeOptions, time = receivedAt()): TailEvent {
  const parsed = parseObject(frame);
  if (parsed === undefined) return { time, provider: PROVIDER, type: 'text', data: frame, raw: frame };
  let type: string | undefined;
  for (const path of options.typePaths) {
    type = typeText(valueAt(parsed, path));
    if (type !== undefined) break;
  }
  const json = wholeValue(frame);
  const id = idFrom(parsed.id, json, ['id']);
  const ev: TailEvent = { time, provider: PROVIDER, type: type ?? UNTYPED, data: parsed, json, raw: frame };
  if (id !== undefined) ev.id = id;
  return ev;
}

/** A binary frame as an event: data is the bytes in base64. */
export function decodeBinary(bytes: Buffer, time = receivedAt()): TailEvent {
  const data = bytes.toString('base64');
  return { time, provider: PROVIDER, type: 'binary', data, raw: data };
}

/**
 * One recorded frame as an event (for replay). Binary frames cannot be told apart in a text recording,
 * so every frame decodes as text here.
 */
export function decode(frame: string, typePath?: string): TailEvent {
  return decodeText(frame, { typePaths: typePathsFrom(typePath) });
}

/**
 * For `evtail replay`: every received frame is an event, decoded by the driver's own decodeText with the same
 * --type-path (from `options`: a replay takes it from EVTAIL_TYPE_PATH or a config file). Sent frames (--send)
 * are control. Stateless. A binary frame was recorded as its bytes read as UTF-8 and replays as text (see decode).
 */
export function createDecoder(options: Record<string, unknown> = {}): FrameDecoder {
  const decodeOptions: DecodeOptions = { typePaths: typePathsFrom(options.typePath) };
  return (dir, frame, time, bytes) => {
    if (dir !== 'in') return { kind: 'control' };
    return { kind: 'events', events: [bytes ? decodeBinary(bytes, time) : decodeText(frame, decodeOptions, time)] };
  };
}

/** JSON that is an object (not an array, not a primitive), or undefined. Cheap rejection before JSON.parse. */
function parseObject(frame: string): Record<string, unknown> | undefined {
  let i = 0;
  while (i < frame.length && (frame.charCodeAt(i) === 32 || frame.charCodeAt(i) === 9 || frame.charCodeAt(i) === 10 || frame.charCodeAt(i) === 13)) i++;
  if (frame[i] !== '{') return undefined;
  try {
    const v: unknown = JSON.parse(frame);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `Name: value` (or `Name:value`) → [name, value]; a UsageError naming the bad one otherwise. */
export function parseHeader(text: string): [string, string] {
  const at = text.indexOf(':');
  const name = at > 0 ? text.slice(0, at).trim() : '';
  const value = at > 0 ? text.slice(at + 1).trim() : '';
  if (!name || !TOKEN.test(name)) {
    throw new UsageError(`--header: expected 'Name: value', got ${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)}`, "e.g. --header 'Accept-Language: en' (a credential header's value is shown as ***)");
  }
  if (/[\r\n\0]/.test(value)) throw new UsageError(`--header ${name}: the value must be on one line`);
  return [name, value];
}

export function parseHeaders(list: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    const [name, value] = parseHeader(String(item));
    // Repeated names are joined, as HTTP allows for most headers.
    const existing = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase());
    if (existing) out[existing] = `${out[existing]}, ${value}`;
    else out[name] = value;
  }
  return out;
}

/** Header names whose values are credentials: Authorization, Cookie, anything *-key or *token*, and the like. */
export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return /^(proxy-)?authorization$/.test(n) || n === 'cookie' || /(^|[-_])key$/.test(n) || n.includes('token') || n.includes('secret') || n.includes('password') || n.includes('apikey') || n.includes('api-key') || n.includes('session');
}

/** The values to redact: each secret header's whole value, and the credential after a scheme ("Bearer abc" → "abc"). */
export function headerSecrets(list: unknown): string[] {
  const out: string[] = [];
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    let parsed: [string, string];
    try {
      parsed = parseHeader(String(item));
    } catch {
      continue;
    }
    const [name, value] = parsed;
    if (!isSecretHeader(name) || value === '') continue;
    out.push(value);
    const scheme = /^[A-Za-z][\w.-]*\s+(\S.*)$/.exec(value);
    if (scheme && scheme[1]!.length >= 4) out.push(scheme[1]!);
    if (name.toLowerCase() === 'cookie') {
      for (const part of value.split(';')) {
        const v = part.slice(part.indexOf('=') + 1).trim();
        if (v.length >= 4) out.push(v);
      }
    }
  }
  return out;
}

/** The pretty one-liner: the text itself, the size of binary, or the JSON object without the keys already shown. */
export function summarize(ev: TailEvent): string {
  // Only binary frames carry a string under the type 'binary' (a JSON frame's data is an object).
  if (ev.type === 'binary' && typeof ev.data === 'string') {
    const bytes = Math.floor((ev.data.length * 3) / 4) - (ev.data.endsWith('==') ? 2 : ev.data.endsWith('=') ? 1 : 0);
    return `${bytes} bytes: ${ev.data.length > 60 ? `${ev.data.slice(0, 57)}...` : ev.data}`;
  }
  if (typeof ev.data === 'string') return ev.data;
  if (ev.data && typeof ev.data === 'object' && !Array.isArray(ev.data)) {
    // A lone payload key ({type, data: {...}}) shows just the payload.
    const rest = objectRest(ev, (k, v) => (k === 'id' && ev.id !== undefined) || v.string === ev.type);
    return `${ev.id !== undefined ? `#${ev.id} ` : ''}${rest}`;
  }
  return ev.json ?? JSON.stringify(ev.data) ?? '';
}
