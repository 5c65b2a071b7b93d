/**
 * Keeps secrets out of every output: --verbose, errors, recordings, stats. Three nets:
 * - the secrets evtail knows (tokens, credential headers, URL and proxy passwords), in every form they take in a
 *   URL or a JSON string, including a server's own JSON escaping of them (`\/`, `\u0041`);
 * - credentials by their shape: URL userinfo (`wss://user:pass@host`), credential query parameters (`token`,
 *   `jwt`, `access_token`, `api_key`, `client_secret`, `password`, `signature`...), credential headers;
 * - short secrets only as whole words, so `--token x` does not mangle every "x".
 */

/** Query parameter names that carry credentials: anything with token/secret/password/signature/... in it. */
const SECRET_PARAM = String.raw`(?:[\w.-]*?(?:token|secret|passw(?:or)?d|pwd|signature|jwt|api[_-]?key|apikey|credential|session[_-]?id)[\w.-]*|auth|key|sig|sid)`;
/** Its value: up to the next separator (`&`, or `\u0026` inside JSON text), quote, space or `#`. */
const PARAM_VALUE = String.raw`(?:\\(?!u0026)|[^&\s"'#\\])+`;
const SECRET_QUERY = new RegExp(String.raw`((?:[?&;]|\\u0026)${SECRET_PARAM}=)${PARAM_VALUE}`, 'gi');
const SECRET_HEADER = /((?:proxy-authorization|authorization|set-cookie|cookie|users-api-key|x-api-key|x-auth-token|x-access-token)\s*[:=]\s*"?)[^"\r\n,}]+/gi;
/** scheme://user:pass@ (also JSON-escaped, `wss:\/\/user:pass@`): the userinfo goes. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:(?:\\?\/){2})[^\s/@"'<>\\]+(?:\\.[^\s/@"'<>\\]*)*@/gi;

/** Secrets shorter than this are replaced only as whole words, so `--token x` does not mangle every "x". */
const SHORT = 4;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern for `secret` as a JSON string may spell it: each character as itself or as `\uXXXX`, `/` as `\/`. */
function jsonEscapedPattern(secret: string): string {
  let out = '';
  for (const ch of secret) {
    const code = ch.codePointAt(0)!;
    if (code > 0xffff) {
      out += escapeRe(ch);
      continue;
    }
    const hex = code.toString(16).padStart(4, '0');
    const alts = [escapeRe(ch), `\\\\u${hex.replace(/[a-f]/g, (c) => `[${c}${c.toUpperCase()}]`)}`];
    if (ch === '/') alts.push('\\\\/');
    out += `(?:${alts.join('|')})`;
  }
  return out;
}

export class Redactor {
  private secrets: string[] = [];
  private short: RegExp | undefined;
  private escaped: RegExp | undefined;
  private readonly all = new Set<string>();

  constructor(secrets: Iterable<string | undefined | null>) {
    for (const s of secrets) this.add(s);
  }

  /** Add a secret (and the forms it takes inside a URL or a JSON string). */
  add(secret: string | undefined | null): void {
    if (typeof secret !== 'string' || secret.length === 0) return;
    const forms = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
    for (const f of forms) this.all.add(f);
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...this.all].filter((s) => s.length >= SHORT).sort((a, b) => b.length - a.length);
    const short = [...this.all].filter((s) => s.length < SHORT).map(escapeRe);
    this.short = short.length ? new RegExp(`(?<![\\w-])(?:${short.join('|')})(?![\\w-])`, 'g') : undefined;
    this.escaped = this.secrets.length ? new RegExp(this.secrets.map(jsonEscapedPattern).join('|'), 'g') : undefined;
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('***');
    // A server may echo a secret with its own JSON escaping (`\/`, `\u0041`): only worth a look when escapes are there.
    if (this.escaped && out.includes('\\')) out = out.replace(this.escaped, '***');
    if (this.short) out = out.replace(this.short, '***');
    return out.replace(USERINFO, '$1***@').replace(SECRET_QUERY, '$1***').replace(SECRET_HEADER, '$1***');
  }
}

/** The secrets a URL carries in its userinfo (a proxy's or an endpoint's): the password, and the Basic credential. */
export function urlCredentials(url: string | undefined): string[] {
  if (!url) return [];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  if (!u.username && !u.password) return [];
  const out: string[] = [];
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (u.password) out.push(u.password, dec(u.password));
  out.push(Buffer.from(`${dec(u.username)}:${dec(u.password)}`).toString('base64'));
  return out;
}

/** A URL fit to show: no userinfo, no credential parameters. */
export function redactUrl(url: string): string {
  return new Redactor([]).redact(url);
}
