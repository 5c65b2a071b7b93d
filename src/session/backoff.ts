/** Exponential backoff with full jitter: delay = random(0, min(cap, base * 2^n)). */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  readonly baseMs: number;
  readonly capMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 500;
    this.capMs = options.capMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** The ceiling of the next delay (before jitter). */
  get ceiling(): number {
    return Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
  }

  next(): number {
    const delay = Math.floor(this.random() * this.ceiling);
    this.attempt += 1;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/**
 * A wait that grows with an outage's age, not with the number of times it is asked for: quick at first (minMs), then
 * half the time the outage has lasted, at most capMs. For a client that asks on every turn of its dial loop, not only
 * after a failed attempt (nats.js's reconnectDelayHandler): a Backoff advanced on each ask reached seconds while the
 * server was already back. An ask after more than twice capMs of quiet starts a new outage.
 */
export class OutagePacer {
  private since: number | undefined;
  private last = 0;

  constructor(
    private readonly minMs = 100,
    private readonly capMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  wait(): number {
    const t = this.now();
    if (this.since === undefined || t - this.last > 2 * this.capMs) this.since = t;
    this.last = t;
    return Math.min(this.capMs, Math.max(this.minMs, Math.floor((t - this.since) / 2)));
  }
}
