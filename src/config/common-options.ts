/** The options every provider takes (DESIGN.md, "Common options"). Each may come from flags, EVTAIL_* or config. */
import type { OptionSpec, ProviderSpec } from '../providers/spec.js';
import { publishOptions } from '../publish/options.js';
import { forwardOptions } from '../forward/options.js';

export const commonOptions: OptionSpec[] = [
  { key: 'url', flags: '--url <ws-url>', kind: 'string', description: "endpoint override (ws:// or wss://); default: the provider's public endpoint" },
  { key: 'format', flags: '-o, --format <format>', kind: 'enum', choices: ['pretty', 'ndjson', 'raw'], aliases: { json: 'ndjson', jsonl: 'ndjson' }, description: 'pretty | ndjson (alias json) | raw (default: pretty at a terminal, ndjson in a pipe)' },
  { key: 'maxEvents', flags: '-n, --max-events <n>', kind: 'int', min: 1, description: 'exit 0 after n events (after filtering)' },
  { key: 'timeout', flags: '--timeout <duration>', kind: 'duration', min: 1, description: 'deadline for the whole run (500ms, 30s, 5m); exit 4 when reached before --max-events or --until' },
  { key: 'duration', flags: '--duration <duration>', kind: 'duration', min: 1, description: 'watch for this long, then exit 0 (e.g. --duration 10m)' },
  { key: 'profile', flags: '-p, --profile <name>', kind: 'string', cliOnly: true, description: 'use a named profile from the config file' },
  { key: 'config', flags: '--config <file>', kind: 'string', cliOnly: true, description: 'read this config file instead of searching for .tailrc*' },
  { key: 'reconnect', flags: '--no-reconnect', kind: 'boolean', default: true, description: 'exit 5 when the connection drops instead of reconnecting' },
  { key: 'maxRetries', flags: '--max-retries <n>', kind: 'retries', default: 10, description: "reconnect attempts without a healthy connection before exit 5 ('inf' for no limit; default 10)" },
  { key: 'connectTimeout', flags: '--connect-timeout <duration>', kind: 'duration', default: 10_000, min: 1, description: "deadline for each connection attempt: TCP, TLS, upgrade and the provider's login (default 10s); a miss counts as a failed attempt" },
  { key: 'retryWindow', flags: '--retry-window <duration>', kind: 'duration', min: 1, description: 'count --max-retries within this sliding window only (e.g. 5m)' },
  { key: 'color', flags: '--color', negatable: true, kind: 'boolean', description: 'force colour on (--color) or off (--no-color) in pretty output; NO_COLOR and FORCE_COLOR are honoured' },
  { key: 'quiet', flags: '-q, --quiet', kind: 'boolean', default: false, description: 'only errors that need action on stderr; outcomes the exit code states (4 timeout, 6 idle) print nothing' },
  { key: 'verbose', flags: '-v, --verbose', kind: 'boolean', default: false, description: 'show every frame on stderr (secrets shown as ***)' },
  { key: 'type', flags: '--type <glob...>', kind: 'list', description: 'keep events whose type matches a glob (repeatable; any may match; examples below)' },
  { key: 'match', flags: '--match <expr...>', kind: 'list', description: 'keep events where every expression holds: <path><op><value>, op = != ~ > < >= <= (examples below)' },
  { key: 'until', flags: '--until <expr...>', kind: 'list', description: 'exit 0 at the first event that matches; it and every event before it are printed (same syntax as --match)' },
  { key: 'idleTimeout', flags: '--idle-timeout <duration>', kind: 'duration', min: 1, description: 'exit 6 when no event has arrived for this long (the feed went quiet), e.g. --idle-timeout 5m' },
  { key: 'stats', flags: '--stats', kind: 'boolean', default: false, description: 'at exit, a summary on stderr (events, bytes, reconnects, time connected, gaps, exit reason); JSON with --format ndjson' },
  { key: 'meta', flags: '--meta', kind: 'boolean', default: false, description: 'add evtail.connected, evtail.reconnecting and evtail.gap records to the stream, so a consumer sees where events may be missing' },
  { key: 'record', flags: '--record <file>', kind: 'string', description: 'append every frame received and sent to this file as NDJSON {t, provider, dir, frame}, secrets redacted; replay it with `evtail replay <file>`' },
  { key: 'drainTimeout', flags: '--drain-timeout <duration>', kind: 'duration', min: 0, default: 2000, description: 'after Ctrl-C or SIGTERM, how long stdout, --record and other sinks may take to deliver what they accepted (default 2s; a second signal exits at once)' },
  { key: 'ca', flags: '--ca <file>', kind: 'string', description: 'trust the CA certificate(s) in this PEM file for wss:// (a private or self-signed server)' },
  { key: 'insecure', flags: '--insecure', kind: 'boolean', default: false, description: 'do not verify TLS certificates (warned every run; for testing only)' },
  { key: 'proxy', flags: '--proxy <url>', kind: 'string', description: 'HTTP proxy to tunnel through (CONNECT); default from HTTPS_PROXY / HTTP_PROXY, minus NO_PROXY' },
  { key: 'metrics', flags: '--metrics <host:port>', kind: 'string', description: 'serve Prometheus metrics at http://<host:port>/metrics and a health check at /healthz (host: loopback unless given)' },
  { key: 'source', flags: '--source', kind: 'boolean', default: false, description: 'add "source":"<profile>" to every event (always on when several streams run)' },
  { key: 'keepGoing', flags: '--keep-going', kind: 'boolean', default: false, description: 'with several streams: when one fails for good, report it and keep the others running (the exit code still says it failed)' },
  { key: 'maxFrameSize', flags: '--max-frame-size <size>', kind: 'size', default: 16 * 1024 * 1024, min: 1, description: 'largest frame accepted (e.g. 16MiB, 512KiB)' },
  ...publishOptions,
  ...forwardOptions,
];

/** Common options that mean nothing for `evtail replay` (no connection is made): replay does not offer them. */
export const replayIgnoredOptions: ReadonlySet<string> = new Set(['url', 'reconnect', 'maxRetries', 'retryWindow', 'connectTimeout', 'record', 'ca', 'insecure', 'proxy', 'maxFrameSize']);

/** Options a demo takes: the common ones but where to connect, and the provider's own but credentials. */
export const demoCommonOptions = (): OptionSpec[] => commonOptions.filter((o) => !['url', 'profile', 'config'].includes(o.key));
export const demoProviderOptions = (spec: ProviderSpec): OptionSpec[] => spec.options.filter((o) => !o.secret && !o.key.endsWith('File'));

/** Demo events per second: readable at a terminal, and an --echo/--send answer comes within the first few. */
export const DEMO_RATE = 2;
