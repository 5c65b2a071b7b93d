/**
 * `${VAR}` interpolation of config-file strings, so secrets can stay in the environment:
 * `${VAR}` → its value, `${VAR:-fallback}` → fallback when VAR is unset or empty, `$${` → a literal `${`.
 */

export type InterpolationResult =
  | { ok: true; value: string; missing: string[]; usedVariables: boolean }
  | { ok: false; problem: string };

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([^]*))?$/;

/** Interpolate one string. Unset variables without a fallback are listed in `missing` (and left empty). */
export function interpolateString(text: string, env: NodeJS.ProcessEnv): InterpolationResult {
  if (!text.includes('${')) return { ok: true, value: text, missing: [], usedVariables: false };
  let out = '';
  const missing: string[] = [];
  let usedVariables = false;
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const end = text.indexOf('}', i + 2);
    if (end < 0) return { ok: false, problem: 'unterminated "${" (write "$${" for a literal "${")' };
    const inner = text.slice(i + 2, end);
    const m = REFERENCE.exec(inner);
    if (!m) return { ok: false, problem: `invalid reference "\${${inner}}" (expected \${NAME} or \${NAME:-fallback})` };
    const [, name, fallback] = m;
    // Only the environment's own variables: `${constructor}` or `${toString}` must not reach Object.prototype.
    const own = Object.prototype.hasOwnProperty.call(env, name!) ? env[name!] : undefined;
    const value = typeof own === 'string' ? own : undefined;
    usedVariables = true;
    if ((value === undefined || value === '') && fallback !== undefined) out += fallback;
    else if (value === undefined) missing.push(name!);
    else out += value;
    i = end + 1;
  }
  return { ok: true, value: out, missing, usedVariables };
}
