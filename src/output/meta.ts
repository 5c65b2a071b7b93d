/**
 * --meta: evtail.* records in the stream where events may be missing (evtail.connected, evtail.reconnecting,
 * evtail.gap). They bypass filters and do not count towards --max-events.
 */
import type { EventOutput, SessionObserver } from '../session/session.js';

export function metaObserver(provider: string, output: EventOutput, redact: (text: string) => string = (t) => t): SessionObserver {
  let gapStart: number | undefined;
  const emit = (type: string, data: Record<string, unknown>, at: number) =>
    output.write({ time: new Date(at).toISOString(), provider, type, data });
  return {
    connected: ({ attempt, at }) => {
      if (gapStart !== undefined) {
        emit('evtail.gap', { start: new Date(gapStart).toISOString(), end: new Date(at).toISOString(), ms: at - gapStart }, at);
        gapStart = undefined;
      }
      emit('evtail.connected', { attempt }, at);
    },
    disconnected: ({ reason, at }) => {
      if (gapStart === undefined) gapStart = at;
      void reason;
    },
    reconnecting: ({ reason, delayMs, attempt, at }) => {
      // The reason may quote a server (a close reason) or a URL: no secret goes to stdout with it.
      emit('evtail.reconnecting', { reason: redact(reason), delayMs, attempt }, at);
    },
  };
}
