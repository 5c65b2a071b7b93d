/** The first step of every JSON protocol's decoder: a frame's text → a JSON object, or why it is not one. */
export type JsonObject = Record<string, unknown>;

export type ParsedObject = { ok: true; value: JsonObject } | { ok: false; reason: 'not JSON' | 'not a JSON object' };

export function parseJsonObject(text: string): ParsedObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
  return { ok: true, value: value as JsonObject };
}
