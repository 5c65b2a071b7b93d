/** Keeps secrets out of every output: --verbose, errors, recordings, stats. */
const SECRET_QUERY = /([?&](?:auth|token|access_token|api_key|apikey|api-key|key|reconnect_token|password|secret|sid)=)[^&\s"'#]+/gi;
const SECRET_HEADER = /((?:authorization|cookie|users-api-key|x-api-key)\s*[:=]\s*"?)[^"\r\n,}]+/gi;

export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string | undefined | null>) {
    const set = new Set<string>();
    for (const s of secrets) {
      if (typeof s !== 'string' || s.length === 0) continue;
      set.add(s);
      // The same secret as it appears inside a URL or inside a JSON string.
      const enc = encodeURIComponent(s);
      if (enc !== s) set.add(enc);
      const json = JSON.stringify(s).slice(1, -1);
      if (json !== s) set.add(json);
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...set].sort((a, b) => b.length - a.length);
  }

  get hasSecrets(): boolean {
    return this.secrets.length > 0;
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('***');
    return out.replace(SECRET_QUERY, '$1***').replace(SECRET_HEADER, '$1***');
  }
}
