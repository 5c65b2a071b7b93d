/**
 * StreamElements' subscription pacing as a pure scheduler: which topic to send next and when, how a
 * rate_limit_exceeded slows it down, and how long a failed request waits before it is tried again. It owns no
 * timer: the connection asks `next(now)` and, when told to wait, asks the session for a timer.
 */

/** One command per 100 ms is the documented limit; 10 ms of margin for jitter. */
export const SUBSCRIBE_INTERVAL_MS = 110;
/** After a rate_limit_exceeded the pace doubles, up to this. */
export const MAX_INTERVAL_MS = 1000;
export const RATE_LIMIT_PAUSE_MS = 1000;
export const RETRY_PAUSE_MS = 500;
export const RETRY_PAUSE_CAP_MS = 8000;
export const MAX_TRIES = 5;

/** The last send, kept across connections: the limit is the server's, not the socket's. */
export interface SendClock {
  lastSendAt: number;
}

export type Step = { send: string } | { waitMs: number } | undefined;

export class SubscribePacer {
  /** Topics waiting to be sent, earliest first. */
  private queue: { topic: string; notBefore: number }[] = [];
  private pace = SUBSCRIBE_INTERVAL_MS;
  private pausedUntil = 0;

  constructor(private readonly shared: SendClock) {}

  get length(): number {
    return this.queue.length;
  }

  get interval(): number {
    return this.pace;
  }

  /** Queue a topic, not before `notBefore` (−Infinity: ahead of the rest). */
  enqueue(topic: string, notBefore = 0): void {
    this.remove(topic);
    const at = this.queue.findIndex((q) => q.notBefore > notBefore);
    if (at < 0) this.queue.push({ topic, notBefore });
    else this.queue.splice(at, 0, { topic, notBefore });
  }

  remove(topic: string): void {
    this.queue = this.queue.filter((q) => q.topic !== topic);
  }

  /** The next topic to send now (noted as sent), or how long to wait for it, or nothing queued. */
  next(now: number): Step {
    const head = this.queue[0];
    if (!head) return undefined;
    const due = Math.max(this.shared.lastSendAt + this.pace, this.pausedUntil, head.notBefore);
    if (due > now) return { waitMs: due - now };
    this.queue.shift();
    this.shared.lastSendAt = now;
    return { send: head.topic };
  }

  /** rate_limit_exceeded: the pace doubles (at least twice the base, at most MAX_INTERVAL_MS) and sending pauses. */
  rateLimited(now: number): number {
    this.pace = Math.min(MAX_INTERVAL_MS, Math.max(2 * SUBSCRIBE_INTERVAL_MS, this.pace * 2));
    this.pausedUntil = now + RATE_LIMIT_PAUSE_MS;
    return this.pausedUntil;
  }
}

/** The wait before try n+1 of a request that failed n times (0.5 s, 1 s, 2 s ... up to 8 s); undefined: give up. */
export function retryDelay(tries: number): number | undefined {
  if (tries >= MAX_TRIES) return undefined;
  return Math.min(RETRY_PAUSE_CAP_MS, RETRY_PAUSE_MS * 2 ** (tries - 1));
}
