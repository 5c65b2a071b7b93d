/** Exit codes of the command-line contract (DESIGN.md). */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  auth: 3,
  timeout: 4,
  connection: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode] | number;

/** An error that knows which exit code it means. Only cli.ts turns one into a process exit. */
export class EvtailError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    /** A hint on what to do, printed on its own line. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends EvtailError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

export class AuthError extends EvtailError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.auth, hint);
  }
}

export class ConnectionError extends EvtailError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.connection, hint);
  }
}

export class TimeoutError extends EvtailError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.timeout, hint);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
