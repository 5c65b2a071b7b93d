/** The --forward-* options (part of the common options: every one may come from a flag, EVTAIL_* or the config). */
import type { OptionSpec } from '../providers/spec.js';

export const forwardOptions: OptionSpec[] = [
  { key: 'forwardTo', flags: '--forward-to <url...>', kind: 'list', description: 'POST each event (its NDJSON line) to this http(s) URL, in order; repeatable (e.g. --forward-to localhost:3000/webhook)' },
  { key: 'forwardHeader', flags: '--forward-header <name:value...>', kind: 'list', secret: true, description: "extra request header for --forward-to (repeatable), e.g. --forward-header 'Authorization: Bearer xyz' (values redacted)" },
  { key: 'forwardSecret', flags: '--forward-secret <secret>', kind: 'string', secret: true, description: "sign each request: Evtail-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of \"t.body\"> ('-' reads it from stdin)" },
  { key: 'forwardSecretFile', flags: '--forward-secret-file <path>', kind: 'string', description: 'read the --forward-secret from this file' },
  { key: 'forwardConcurrency', flags: '--forward-concurrency <n>', kind: 'int', min: 1, default: 1, description: 'requests in flight per target (default 1: events arrive in stream order; above 1 the order is not guaranteed)' },
  { key: 'forwardTimeout', flags: '--forward-timeout <duration>', kind: 'duration', min: 1, default: 10_000, description: 'give up on one request after this long and retry (default 10s)' },
  { key: 'forwardRetries', flags: '--forward-retries <n>', kind: 'int', min: 0, default: 5, description: 'retries of a failed request (connection error, timeout, 408, 429, 5xx) with exponential backoff (default 5)' },
  { key: 'forwardDeadLetter', flags: '--forward-dead-letter <file>', kind: 'string', description: 'append events that could not be delivered to this file (NDJSON, mode 600); send them again with `evtail replay <file> --forward-to …`' },
  { key: 'forwardCa', flags: '--forward-ca <file>', kind: 'string', description: 'trust the CA certificate(s) in this PEM file for an https:// --forward-to target (default: --ca)' },
  { key: 'forwardInsecure', flags: '--forward-insecure', kind: 'boolean', default: false, description: 'do not verify the --forward-to target\'s TLS certificate (warned every run; for testing only)' },
];
