/** The options every provider takes (DESIGN.md, "Common options"). Each may come from flags, EVTAIL_* or config. */
import type { OptionSpec } from '../providers/spec.js';

export const commonOptions: OptionSpec[] = [
  { key: 'url', flags: '--url <ws-url>', kind: 'string', description: "endpoint override (ws:// or wss://); default: the provider's public endpoint" },
  { key: 'format', flags: '-o, --format <format>', kind: 'enum', choices: ['pretty', 'ndjson', 'raw'], description: 'pretty | ndjson | raw (default: pretty at a terminal, ndjson in a pipe)' },
  { key: 'maxEvents', flags: '-n, --max-events <n>', kind: 'int', min: 1, description: 'exit 0 after n events (after filtering)' },
  { key: 'timeout', flags: '--timeout <duration>', kind: 'duration', min: 1, description: 'deadline for the whole run (500ms, 30s, 5m); exit 4 when reached' },
  { key: 'profile', flags: '-p, --profile <name>', kind: 'string', cliOnly: true, description: 'use a named profile from the config file' },
  { key: 'config', flags: '--config <file>', kind: 'string', cliOnly: true, description: 'read this config file instead of searching for .tailrc*' },
  { key: 'reconnect', flags: '--no-reconnect', kind: 'boolean', default: true, description: 'exit 5 when the connection drops instead of reconnecting' },
  { key: 'maxRetries', flags: '--max-retries <n>', kind: 'retries', default: 10, description: "reconnect attempts without a healthy connection before exit 5 ('inf' for no limit; default 10)" },
  { key: 'retryWindow', flags: '--retry-window <duration>', kind: 'duration', min: 1, description: 'count --max-retries within this sliding window only (e.g. 5m)' },
  { key: 'color', flags: '--color', negatable: true, kind: 'boolean', description: 'force colour on (--color) or off (--no-color) in pretty output; NO_COLOR and FORCE_COLOR are honoured' },
  { key: 'quiet', flags: '-q, --quiet', kind: 'boolean', default: false, description: 'only errors on stderr' },
  { key: 'verbose', flags: '-v, --verbose', kind: 'boolean', default: false, description: 'show every frame on stderr (secrets shown as ***)' },
  { key: 'type', flags: '--type <glob...>', kind: 'list', description: "keep events whose type matches a glob (repeatable): --type 'twitter.post.*' --type 'order_*'" },
  { key: 'match', flags: '--match <expr...>', kind: 'list', description: 'keep events where every expression holds: <path><op><value>, op = != ~ > < >= <=; e.g. --match data.amount>10 --match topic~tips' },
  { key: 'until', flags: '--until <expr...>', kind: 'list', description: 'exit 0 at the first event that matches (it is printed); same syntax as --match, e.g. --until type=order_created' },
  { key: 'idleTimeout', flags: '--idle-timeout <duration>', kind: 'duration', min: 1, description: 'exit 4 when no event has arrived for this long, e.g. --idle-timeout 5m' },
  { key: 'stats', flags: '--stats', kind: 'boolean', default: false, description: 'at exit, a summary on stderr (events, bytes, reconnects, time connected, gaps, exit reason); JSON with --format ndjson' },
  { key: 'meta', flags: '--meta', kind: 'boolean', default: false, description: 'add evtail.connected, evtail.reconnecting and evtail.gap records to the stream, so a consumer sees where events may be missing' },
  { key: 'record', flags: '--record <file>', kind: 'string', description: 'append every frame received and sent to this file as NDJSON {t, provider, dir, frame}, secrets redacted; replay it with `evtail replay <file>`' },
  { key: 'ca', flags: '--ca <file>', kind: 'string', description: 'trust the CA certificate(s) in this PEM file for wss:// (a private or self-signed server)' },
  { key: 'insecure', flags: '--insecure', kind: 'boolean', default: false, description: 'do not verify TLS certificates (warned every run; for testing only)' },
  { key: 'proxy', flags: '--proxy <url>', kind: 'string', description: 'HTTP proxy to tunnel through (CONNECT); default from HTTPS_PROXY / HTTP_PROXY, minus NO_PROXY' },
  { key: 'maxFrameSize', flags: '--max-frame-size <size>', kind: 'size', default: 16 * 1024 * 1024, min: 1, description: 'largest frame accepted (e.g. 16MiB, 512KiB)' },
];

/** Common options that mean nothing for `evtail replay` (no connection is made): replay does not offer them. */
export const replayIgnoredOptions: ReadonlySet<string> = new Set(['url', 'reconnect', 'maxRetries', 'retryWindow', 'record', 'ca', 'insecure', 'proxy', 'maxFrameSize']);
