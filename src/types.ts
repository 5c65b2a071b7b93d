/**
 * The contracts between the parts: driver → session → printer.
 * A driver speaks one protocol; the session owns time; the printer sees only TailEvents.
 */
import type { EvtailError } from './errors.js';

/** One event, as printed. NDJSON prints exactly these fields (raw is never printed in NDJSON). */
export interface TailEvent {
  /** When evtail received it (ISO 8601). */
  time: string;
  provider: string;
  /** The stream it came from (the profile's name), when several streams run at once or with --source. */
  source?: string;
  /** The provider's own event name. */
  type: string;
  id?: string;
  topic?: string;
  channel?: string;
  room?: string;
  /** The provider's payload, as JSON.parse read it (for filters and pretty summaries). */
  data: unknown;
  /**
   * The payload's own JSON text, sliced from the frame: what the envelope prints as `data`, byte for byte (big
   * integers, exponents, escapes and key order as sent). Absent when the payload has no JSON text of its own
   * (evtail built it: --meta records, a binary frame as base64, a text frame that is not JSON): then `data` is
   * serialised. See src/output/envelope.ts.
   */
  json?: string;
  /** `json` as the UTF-8 bytes it arrived as, when the decoder read the event from the frame's bytes (stdout copies them). */
  readonly jsonBytes?: Buffer;
  /** The frame text it came from (for --format raw); not part of the envelope. */
  raw?: string;
}

/** Injected time, so heartbeats and backoff are tested without waiting. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** How the session should keep the link honest. */
export type HeartbeatSpec =
  /** Client beats: send() every interval; no alive() between two beats = dead link. */
  | { mode: 'beat'; intervalMs: number; send: () => void; sendNow?: boolean }
  /** Server beats: no alive() for timeoutMs = dead link. */
  | { mode: 'silence'; timeoutMs: number };

export type CloseOutcome =
  /** Reconnect (after backoff, or after at least delayMs, or at once). */
  | { recovery: 'retry'; reason: string; delayMs?: number; immediate?: boolean; code?: number }
  /** Stop with this error (auth refused, bad request...). Never retried. */
  | { recovery: 'fatal'; error: EvtailError }
  /** The stream ended normally: exit 0. */
  | { recovery: 'done'; reason: string };

/**
 * What ended a connection, as the link saw it: a fact, never a verdict. A link notes every fact; the decisive one
 * (transport/cause.ts) goes to the driver's one classify(cause, state) → CloseOutcome, once, at close.
 */
export type LinkCause =
  /** The server answered the upgrade with HTTP. */
  | { kind: 'http'; status: number; headers: Record<string, string | string[] | undefined>; proxy?: string }
  /**
   * A socket error (ECONNREFUSED, a TLS code, ws's own codes); `url` is where we were connecting, `proxy` the proxy
   * the link goes through (a TCP error is then the proxy's).
   */
  | { kind: 'socket'; code: string; message: string; url: string; maxPayload?: number; proxy?: string }
  /** A close frame (or 1006 when there was none). */
  | { kind: 'close'; code: number; reason: string }
  /** The protocol said how this ends (a login refused, a server asking us to reconnect, a deadline missed). */
  | { kind: 'protocol'; outcome: CloseOutcome }
  /** We ended it: stop (the run is over) or dead (the session's watchdog found the link dead). */
  | { kind: 'local'; action: 'stop' | 'dead'; reason: string };

/** A timer the session owns for a driver: suspended while stdout is full, cleared when the connection closes. */
export type TimerHandle = { cancel(): void };

export interface DriverHooks {
  /** The WebSocket is open (upgrade done). */
  open(detail?: string): void;
  /** Logged in / subscribed: the link carries events. */
  ready(detail?: string): void;
  event(ev: TailEvent): void;
  /** A frame that did not decode: warned on stderr, kept in --format raw. Never a crash. */
  undecodable(frame: string, reason: string): void;
  /** Arm (or re-arm) the watchdog for this connection. */
  heartbeat(spec: HeartbeatSpec): void;
  /** Liveness seen: heartbeat ACK, pong, server ping. */
  alive(): void;
  /** Every frame in or out, for --verbose and --record. Secrets are redacted by the receiver. `bytes`: a binary frame's. */
  frame(dir: 'in' | 'out', text: string, bytes?: Buffer): void;
  /**
   * false: nothing reads frames' text (no --record, -v, raw), so a link may skip decoding a frame it hands over as
   * bytes, and then reports it as frame('in', '', bytes), for the byte count only. Absent: assume something does.
   */
  readonly observesFrames?: boolean;
  /** A status line (shown unless --quiet). */
  status(message: string): void;
  /** A warning (shown unless --quiet). */
  warn(message: string): void;
  /** Detail for --verbose. */
  debug(message: string): void;
  /** An error that is not the end of the run (shown even with --quiet). */
  error(message: string): void;
  /** A secret learned while running (a session token): redacted from every output from now on. */
  secret(value: string): void;
  /**
   * A protocol deadline or pacing delay, owned by the session: it does not run while stdout is full (the socket is
   * paused then, so answers cannot arrive) and never fires after the connection closed.
   */
  timer(ms: number, fn: () => void): TimerHandle;
  /** The connection is over. Call exactly once per connection. */
  closed(outcome: CloseOutcome): void;
}

/** One connection attempt, as the session sees it. */
export interface Connection {
  /** Close on purpose (we are stopping). closed() still follows. */
  close(): void;
  /** Kill the link now (dead link). closed() still follows. */
  terminate(reason: string): void;
  /** Stop reading from the socket (stdout is full). */
  pause(): void;
  resume(): void;
}

export interface Driver {
  readonly provider: string;
  /** Start one connection attempt; state that must survive reconnects (urn, tokens) lives in the driver. */
  connect(hooks: DriverHooks): Connection;
  /** The run is over (also between connections): let go of whatever the driver holds beyond a connection (stdin). */
  dispose?(): void;
}

/** A provider's mock server: a real WebSocket server speaking the protocol. */
export interface MockServer {
  readonly url: string;
  readonly port: number;
  /** Credentials and flags that make evtail log in to this mock (used by `evtail demo`). */
  readonly demoOptions: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * --stdin's lines (a chat), as a run gives them to a driver: at a terminal, typed at a prompt (output/prompt-line.ts);
 * each line read, then the end of input. `close()`: no more lines wanted.
 */
export interface LineInput {
  read(onLine: (line: string) => void, onEnd: () => void): { close(): void };
}
