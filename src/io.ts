/** The process's streams and surroundings, injected so commands and runs are tested in-process. Defined once. */
export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Read on first use only (creating process.stdin loads stream modules most runs never need). */
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
  /** The working directory: the config search starts here, and every relative file path the user gives. */
  cwd: string;
  /** Where the stop signals (SIGINT, SIGTERM, SIGHUP) come from; default the process. An embedder or a test gives its own. */
  signals?: SignalSource;
}

/**
 * An output stream as a run writes to it (stdout, stderr): what the sink and the status reporter use of a Writable,
 * and whether it is a terminal. A process stream, or one seen through a --stdin prompt (output/prompt-line.ts).
 */
export interface OutStream {
  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean;
  on(event: string, listener: (err: Error) => void): unknown;
  once(event: string, listener: (err: Error) => void): unknown;
  off(event: string, listener: (err: Error) => void): unknown;
  readonly writableNeedDrain?: boolean;
  readonly writableLength?: number;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** What a run needs of `process` to hear the stop signals: a listener gets the signal's name, as process's do. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/**
 * What one tail needs of it: output streams, the environment (colour, CI, proxies), the stop signals (default the
 * process's) and stdin, for --stdin (read then only: creating process.stdin costs).
 */
export interface TailIo {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  readonly stdin?: NodeJS.ReadStream;
  signals?: SignalSource;
  /** Where a relative file path in the options starts (--record, --ca, --forward-dead-letter…); default the process's. */
  cwd?: string;
}
