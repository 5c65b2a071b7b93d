/** The --publish options (common to every command that tails). Kept here so the spec list stays one line in common-options. */
import type { OptionSpec } from '../providers/spec.js';

export const publishOptions: OptionSpec[] = [
  {
    key: 'publish',
    flags: '--publish <nats-url>',
    kind: 'string',
    description: "publish each event to NATS JetStream, acknowledged: nats://[user:pass@]host:port/<subject>, placeholders {provider} {source} {type}, e.g. 'nats://127.0.0.1:4222/events.{provider}.{type}' (tls:// for TLS); create a stream with `evtail nats init`",
  },
  { key: 'publishBuffer', flags: '--publish-buffer <size>', kind: 'size', min: 1024, default: 8 * 1024 * 1024, description: 'unacknowledged events held for --publish before the stream is paused (default 8MiB)' },
  { key: 'publishTimeout', flags: '--publish-timeout <duration>', kind: 'duration', min: 1, default: 30_000, description: 'when the run ends while the NATS server is failing, how long to keep retrying the events still held before giving them up (exit 7; default 30s)' },
  { key: 'publishToken', flags: '--publish-token <token>', kind: 'string', secret: true, description: 'token for the NATS server of --publish (or in the URL: nats://TOKEN@host)' },
  { key: 'publishTokenFile', flags: '--publish-token-file <path>', kind: 'string', description: 'read the --publish token from this file' },
  { key: 'publishCreds', flags: '--publish-creds <file>', kind: 'string', description: 'NATS credentials file (JWT and nkey seed) for --publish' },
];
