/**
 * The session's status in words: a session observer that turns its typed status (connecting, ready, a dead link,
 * the next reconnect…) into the lines a person reads, through a Reporter (stderr for the CLI, output/status.ts;
 * onStatus for the library API). The session itself writes no text.
 */
import { errorMessage } from '../errors.js';
import { formatDuration } from '../format.js';
import type { SessionObserver, SessionStatus } from '../session/session.js';

/** Where status lines go, by level. */
export interface Reporter {
  status(message: string): void;
  /** Spinner-friendly: the link is up and carrying events. */
  ready(message: string): void;
  warn(message: string): void;
  /** Shown even with --quiet. */
  error(message: string): void;
  debug(message: string): void;
  frame(dir: 'in' | 'out', text: string): void;
  /** A secret learned while running, to redact from now on. */
  secret?(value: string): void;
  /** Redact before shortening: a cut must not leave half a secret behind. */
  redact?(text: string): string;
}

/** The observer a run attaches to each session. `frames` (-v): every frame in and out as a line too. */
export function statusObserver(r: Reporter, o: { frames?: boolean } = {}): SessionObserver {
  const observer: SessionObserver = { status: (e) => sayStatus(r, e) };
  if (o.frames) observer.frame = (dir, text, _at, bytes) => r.frame(dir, bytes ? `(binary, ${bytes.length} bytes) ${bytes.toString('base64')}` : text);
  return observer;
}

export function sayStatus(r: Reporter, e: SessionStatus): void {
  switch (e.kind) {
    case 'connecting':
      return r.status(e.attempt === 1 ? 'connecting' : `connecting (attempt ${e.attempt})`);
    case 'open':
      return r.status(`connected${e.detail ? `: ${e.detail}` : ''}`);
    case 'ready':
      return r.ready(`ready${e.detail ? `: ${e.detail}` : ''}`);
    case 'undecodable':
      return r.warn(`a frame did not decode (${e.reason}): ${preview(r.redact?.(e.frame) ?? e.frame)}`);
    case 'unprintable':
      return r.warn(`an event of type "${preview(e.type)}" could not be printed (${e.error instanceof RangeError ? 'nested too deeply' : errorMessage(e.error)}); skipped it`);
    case 'dead-link':
      return r.warn(`dead link: ${e.reason}; reconnecting`);
    case 'reconnecting':
      return r.status(`reconnecting in ${formatDuration(e.delayMs, 1)}: ${e.reason}`);
    case 'driver':
      return r[e.level](e.message);
  }
}

/** One line, at most 120 characters. */
function preview(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}
