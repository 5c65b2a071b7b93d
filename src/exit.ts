/**
 * How a run ended → the CLI's contract: the exit code (DESIGN.md, src/errors.ts), the error said on stderr (message
 * and hint) and the reason text (--stats, -v). The one place this is decided: the session and the limits report an
 * EndReason and know no exit codes; run.ts, streams.ts and the library API map it here.
 */
import { constants } from 'node:os';
import { ConnectionError, EvtailError, ExitCode, IdleError, TimeoutError, isExpectedOutcome } from './errors.js';
import { formatDuration } from './format.js';
import type { EndReason } from './session/end.js';

export type { EndReason };

/** 128 + the signal's number, as a shell reports a process a signal ended. */
export function signalExitCode(signal: string): number {
  return 128 + (constants.signals[signal as NodeJS.Signals] ?? 0);
}

/** The exit code of an end: 0 done, 1 internal, 3 auth, 4 --timeout, 5 connection, 6 --idle-timeout, 7 undelivered, 128+n signal. */
export function exitCode(end: EndReason): number {
  switch (end.kind) {
    case 'max-events':
    case 'until':
    case 'duration':
    case 'stream-ended':
    case 'all-ended':
    case 'stopped':
      return ExitCode.ok;
    case 'signal':
      return signalExitCode(end.signal);
    case 'timeout':
      return ExitCode.timeout;
    case 'idle':
      return ExitCode.idle;
    case 'fatal':
      // A driver's verdict carries its own meaning: AuthError 3, ConnectionError 5, UsageError 2…
      return end.error.exitCode;
    case 'connection-lost':
    case 'gave-up':
      return ExitCode.connection;
    case 'internal':
      return ExitCode.internal;
    case 'undelivered':
      return ExitCode.undelivered;
    case 'stream-failed':
      return exitCode(end.end);
  }
}

/** The error an end is reported with (message and hint on stderr; what the library API throws); none for a success or a signal. */
export function endError(end: EndReason): EvtailError | undefined {
  switch (end.kind) {
    case 'timeout':
      return new TimeoutError(`timed out after ${formatDuration(end.ms)}${end.maxEvents ? ` with ${end.printed} of ${end.maxEvents} events` : ''}`);
    case 'idle':
      return new IdleError(`no event arrived${end.scope} for ${formatDuration(end.ms)} (--idle-timeout)`);
    case 'fatal':
      return end.error;
    case 'connection-lost':
      return new ConnectionError(endText(end), 'evtail reconnects by itself unless --no-reconnect is given');
    case 'gave-up':
      return new ConnectionError(endText(end), 'raise --max-retries (or inf), or check that the server is reachable');
    case 'internal':
      return new EvtailError(end.message, ExitCode.internal);
    case 'undelivered':
      return new EvtailError(end.message, ExitCode.undelivered, end.hint);
    case 'stream-failed':
      return new EvtailError(endText(end), exitCode(end.end), endError(end.end)?.hint);
    default:
      return undefined;
  }
}

/** Why it ended, in words (--stats' exitReason, `-v`'s "done: …", the library's TailResult.reason). */
export function endText(end: EndReason): string {
  switch (end.kind) {
    case 'max-events':
      return `${end.count} events received`;
    case 'until':
      return 'the --until condition matched';
    case 'duration':
      return `--duration: watched for ${formatDuration(end.ms)}`;
    case 'stream-ended':
      return `the stream ended: ${end.reason}`;
    case 'all-ended':
      return 'every stream ended';
    case 'stopped':
      return end.by === 'caller' ? 'stopped by the caller' : 'stdout was closed';
    case 'signal':
      return `stopped by ${end.signal}`;
    case 'timeout':
      return `timeout: ${end.ms} ms passed`;
    case 'idle':
      return `idle: no event for ${end.ms} ms`;
    case 'fatal':
      return end.error.message;
    case 'connection-lost':
      return `${end.everReady ? 'connection lost' : 'could not connect'}: ${end.reason}`;
    case 'gave-up': {
      const window = end.windowMs !== undefined ? ` within ${formatDuration(end.windowMs)}` : '';
      return `gave up after ${end.attempts} reconnect attempt${end.attempts === 1 ? '' : 's'}${window}: ${end.reason}`;
    }
    case 'internal':
    case 'undelivered':
      return end.message;
    case 'stream-failed':
      return `[${end.source}] ${endError(end.end)?.message ?? endText(end.end)}`;
  }
}

/** An end as the CLI reports it: code, reason, error. */
export interface Outcome {
  code: number;
  reason: string;
  error?: EvtailError;
}

export function outcome(end: EndReason): Outcome {
  const error = endError(end);
  return { code: exitCode(end), reason: endText(end), ...(error ? { error } : {}) };
}

/** -q: outcomes the exit code already states (--timeout, --idle-timeout) print nothing. */
export function stated(end: EndReason): boolean {
  return isExpectedOutcome(exitCode(end));
}
