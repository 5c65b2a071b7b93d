/**
 * Why a run (or one stream's session) ended: facts, never exit codes. src/exit.ts is the one place an end becomes
 * the CLI's exit code, its error (message and hint) and its reason text.
 */
import type { EvtailError } from '../errors.js';

export type EndReason =
  // The run did what it was asked.
  /** -n: that many events printed. */
  | { kind: 'max-events'; count: number }
  /** --until matched (the matching event was printed). */
  | { kind: 'until' }
  /** --duration: watched for that long. */
  | { kind: 'duration'; ms: number }
  /** The server ended the stream normally (a driver's `done` verdict). */
  | { kind: 'stream-ended'; reason: string }
  /** Every stream of a run of several ended. */
  | { kind: 'all-ended' }
  /** Stopped from outside, without failure: the library's caller (abort, break) or stdout closed by its reader. */
  | { kind: 'stopped'; by: 'caller' | 'stdout-closed' }
  /** A signal (SIGINT, SIGTERM, SIGHUP). */
  | { kind: 'signal'; signal: string }
  // The run did not.
  /** --timeout passed before -n/--until. */
  | { kind: 'timeout'; ms: number; printed: number; maxEvents?: number }
  /** --idle-timeout: no event for that long (`scope`: " on any stream" when several streams share the limits). */
  | { kind: 'idle'; ms: number; scope: string }
  /**
   * It cannot go on, and its error says why (and so which code): a driver's `fatal` verdict (auth refused, a bad
   * request, the protocol's final word), an EvtailError a driver threw, a sink's credentials refused (--publish).
   */
  | { kind: 'fatal'; error: EvtailError }
  /** --no-reconnect: the connection failed or was lost. */
  | { kind: 'connection-lost'; everReady: boolean; reason: string }
  /** The retry budget (--max-retries, within --retry-window if given) ran out. */
  | { kind: 'gave-up'; attempts: number; windowMs?: number; reason: string }
  /** A bug or an unexpected failure (a driver threw, stdout could not be written). */
  | { kind: 'internal'; message: string }
  /** The run ended otherwise fine, but a sink (--forward-to, --publish) finally did not deliver some events. */
  | { kind: 'undelivered'; message: string; hint?: string }
  /** One stream of several failed (its own end), which ends the run naming it, or is kept with --keep-going. */
  | { kind: 'stream-failed'; source: string; end: EndReason };
