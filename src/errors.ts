/** Exit codes of the command-line contract (DESIGN.md). */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  auth: 3,
  timeout: 4,
  connection: 5,
  /** --idle-timeout: the feed went quiet. */
  idle: 6,
  /** Some events could not be delivered to a sink (--forward-to, --publish). */
  undelivered: 7,
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

/** --idle-timeout reached: the feed went quiet (exit 6, told apart from --timeout's 4). */
export class IdleError extends EvtailError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.idle, hint);
  }
}

/** Outcomes the exit code already states: -q prints nothing for them. */
export function isExpectedOutcome(code: number): boolean {
  return code === ExitCode.timeout || code === ExitCode.idle;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
