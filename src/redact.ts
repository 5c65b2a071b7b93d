/** Keeps secrets out of every output: --verbose, errors, recordings, stats. */
const SECRET_QUERY = /([?&](?:auth|token|access_token|api_key|apikey|api-key|key|reconnect_token|password|secret|sid)=)[^&\s"'#]+/gi;
const SECRET_HEADER = /((?:authorization|cookie|users-api-key|x-api-key)\s*[:=]\s*"?)[^"\r\n,}]+/gi;

/** Secrets shorter than this are replaced only as whole words, so `--token x` does not mangle every "x". */
const SHORT = 4;

export class Redactor {
  private secrets: string[] = [];
  private short: RegExp | undefined;
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
    const short = [...this.all].filter((s) => s.length < SHORT).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.short = short.length ? new RegExp(`(?<![\\w-])(?:${short.join('|')})(?![\\w-])`, 'g') : undefined;
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('***');
    if (this.short) out = out.replace(this.short, '***');
    return out.replace(SECRET_QUERY, '$1***').replace(SECRET_HEADER, '$1***');
  }
}
