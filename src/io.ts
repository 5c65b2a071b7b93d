/** The process's streams and surroundings, injected so commands and runs are tested in-process. Defined once. */
export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Read on first use only (creating process.stdin loads stream modules most runs never need). */
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** What one tail needs of it: output streams and the environment (colour, CI, proxies). */
export type TailIo = Pick<Io, 'stdout' | 'stderr' | 'env'>;
