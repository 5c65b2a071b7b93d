/**
 * What the CLI and the config loader know about a provider without loading it:
 * its options (flags, config keys, environment variables) and how to load the rest.
 * Spec files must stay tiny and import nothing heavy: `--help` reads them all.
 */
import type { Clock, Driver, LineInput, MockServer, TailEvent } from '../types.js';
import type { TransportOptions } from '../transport/ws-transport.js';

export type OptionKind = 'string' | 'int' | 'number' | 'duration' | 'size' | 'boolean' | 'list' | 'enum' | 'retries';

export interface OptionSpec {
  /** camelCase key: the config-file key and the resolved option name. */
  key: string;
  /** commander flags, e.g. '--client-id <id>'. */
  flags: string;
  description: string;
  kind: OptionKind;
  choices?: readonly string[];
  /** Other names accepted for a choice of an enum (e.g. json → ndjson). */
  aliases?: Readonly<Record<string, string>>;
  /** Lower bound for int/number/duration. */
  min?: number;
  /** A secret: redacted from --verbose, errors, recordings and stats. */
  secret?: boolean;
  /** Environment variable; default EVTAIL_<KEY_IN_UPPER_SNAKE>. false: none. */
  env?: string | false;
  /** Built-in default (lowest precedence). */
  default?: unknown;
  /** Not allowed in config files (e.g. --config itself). */
  cliOnly?: boolean;
  /** Also define --no-<flag> (value false). */
  negatable?: boolean;
  /** Shown in --help under this heading group (commander help groups are not used; this is for docs). */
  hidden?: boolean;
}

/** Options as resolved from flags, environment and config files: not yet this provider's types. */
export type RawOptions = Readonly<Record<string, unknown>>;

/** What a provider's parseOptions makes of the raw options: the endpoint and its own typed options. */
export interface ParsedOptions<O> {
  /** The endpoint to connect to (the provider's default, --url, or built from its options). */
  url: string;
  options: O;
}

/** All a driver gets: typed options, the transport settings and the clock. */
export interface DriverContext<O> extends ParsedOptions<O> {
  transport: TransportOptions;
  clock: Clock;
  /** --stdin's lines when the run reads them itself (a prompt at a terminal); else a chat reads its stdin plainly. */
  lines?: LineInput;
  /** Where --stdin's lines come from, opened on first use (the CLI's io.stdin); default process.stdin. */
  stdin?: () => NodeJS.ReadableStream;
}

/** What one recorded frame means, for `evtail replay`. */
export type DecodeResult =
  | { kind: 'events'; events: TailEvent[] }
  /** Protocol traffic that is not an event (hello, ack, pong, subscribe response). */
  | { kind: 'control' }
  | { kind: 'invalid'; reason: string };

/**
 * Decodes a recording frame by frame, in order, both directions (some protocols need to see what was sent, e.g.
 * the urn a registration returned). `time` is when the frame was recorded: it becomes the event's time.
 */
export type FrameDecoder = (dir: 'in' | 'out', frame: string, time: string, bytes?: Buffer) => DecodeResult;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface ProviderModule<O = any> {
  /**
   * The one place a provider's options are checked and typed (UsageError, exit 2, for what is wrong): the raw
   * options (required ones already checked by the config layer) and the common options → url and typed options.
   */
  parseOptions(raw: RawOptions, common: CommonOptions): ParsedOptions<O>;
  createDriver(ctx: DriverContext<O>): Driver;
  /** A fresh decoder for `evtail replay`: the same decoding the driver does live. */
  createDecoder?(options: RawOptions): FrameDecoder;
  /** Start the provider's mock on host:port (port 0 = any). */
  startMock(options: RawOptions): Promise<MockServer>;
  /** One-line pretty summary of an event (without time/provider/type). */
  summarize(ev: TailEvent): string;
  /** Values to redact beyond the secret options (e.g. base64 of a client id). */
  extraSecrets?(options: RawOptions): string[];
}

export interface ProviderSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Default endpoint, shown in help. */
  defaultUrl?: string;
  options: OptionSpec[];
  /** Port `evtail mock <name>` listens on when --port is not given. */
  mockDefaultPort?: number;
  /** Options of `evtail mock <name>` (fault knobs). */
  mockOptions: OptionSpec[];
  /** Example command lines for --help. */
  examples: string[];
  /** Pretty output leaves out the [channel]/[topic] (Push: it is always your own urn). */
  prettyHidesWhere?: boolean;
  /** Filter examples for --help that mean something for this provider's events (types, paths). */
  filterExamples?: { type: string[]; match: string[]; until: string };
  /** The provider's own defaults for common options (typed values), below every user setting. */
  commonDefaults?: Partial<Record<string, unknown>>;
  /** Options that shape how frames decode (e.g. ws's typePath): a recording keeps them for replay. Never secrets. */
  decodingOptions?: string[];
  /** Takes the endpoint as a positional argument (`evtail ws <url>`), which sets --url. */
  urlArgument?: boolean;
  /** Not a demo/mock-able provider (generic clients have no mock of their own). */
  noMock?: boolean;
  /** Options that must be present (after all sources), with the hint for each. */
  required?: { key: string; hint: string }[];
  load(): Promise<ProviderModule>;
}

export interface CommonOptions {
  url?: string;
  format?: 'pretty' | 'ndjson' | 'raw';
  maxEvents?: number;
  timeout?: number;
  duration?: number;
  reconnect: boolean;
  maxRetries: number;
  retryWindow?: number;
  /** Deadline for one connection attempt, up to the protocol's ready (ms). */
  connectTimeout?: number;
  color?: boolean;
  quiet: boolean;
  verbose: boolean;
  maxFrameSize: number;
  type?: string[];
  match?: string[];
  until?: string[];
  idleTimeout?: number;
  stats?: boolean;
  meta?: boolean;
  ca?: string;
  insecure?: boolean;
  proxy?: string;
  record?: string;
  /** How long sinks may take to deliver what they accepted after a signal (ms). */
  drainTimeout?: number;
  metrics?: string;
  source?: boolean;
  keepGoing?: boolean;
  [key: string]: unknown;
}

/** `--flag-name` → `EVTAIL_FLAG_NAME` */
export function envNameFor(opt: OptionSpec): string | undefined {
  if (opt.env === false) return undefined;
  if (opt.env) return opt.env;
  return 'EVTAIL_' + opt.key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
