/**
 * Pretty summaries that show a payload's JSON: built from the payload's own text (ev.json), so big integers keep
 * their digits, with the members already shown elsewhere on the line left out.
 */
import type { TailEvent } from '../types.js';
import { keyOf, members } from './spans.js';

/** A member's value: a string decoded, anything else its JSON text as sent. */
export type MemberValue = { text: string; string?: string };

/**
 * The payload object without the members `skip` says are shown already; a lone remaining member holding an
 * object or array shows just that value. '' when nothing is left. Uses the payload's own text when it has one.
 */
export function objectRest(ev: TailEvent, skip: (key: string, value: MemberValue) => boolean): string {
  const json = ev.json;
  const list = json === undefined ? undefined : members(json, 0);
  if (json !== undefined && list) {
    const kept = list.filter((m) => {
      const text = json.slice(m.start, m.end);
      return !skip(keyOf(json, m), { text, string: text.charCodeAt(0) === 34 ? (JSON.parse(text) as string) : undefined });
    });
    if (kept.length === 1 && /^[[{]/.test(json[kept[0]!.start]!)) return json.slice(kept[0]!.start, kept[0]!.end);
    return kept.length ? `{${kept.map((m) => json.slice(m.keyStart, m.end)).join(',')}}` : '';
  }
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ev.data as Record<string, unknown>)) {
    if (!skip(k, { text: JSON.stringify(v) ?? '', string: typeof v === 'string' ? v : undefined })) rest[k] = v;
  }
  const keys = Object.keys(rest);
  const shown = keys.length === 1 && rest[keys[0]!] !== null && typeof rest[keys[0]!] === 'object' ? rest[keys[0]!] : rest;
  const text = JSON.stringify(shown) ?? '';
  return text === '{}' ? '' : text;
}
