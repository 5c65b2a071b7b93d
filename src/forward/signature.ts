/**
 * Evtail-Signature: the scheme Stripe's webhook handlers already verify. t = unix seconds,
 * v1 = hex HMAC-SHA256 of "<t>.<body>" with the shared secret. A handler recomputes it and rejects old t.
 */
import { createHmac } from 'node:crypto';

export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
