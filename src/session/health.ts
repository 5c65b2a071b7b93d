/**
 * One connection's health, on the connection's own timers (cleared when it closes):
 * - a total deadline to get ready (TCP, TLS, upgrade and the protocol's login), not an idle one: a handshake
 *   trickled a byte at a time is cut all the same, and the miss counts against the retry budget;
 * - "healthy" (a fresh backoff and retry budget) only when it has been ready for `healthyAfterMs` AND shown the
 *   protocol's proof of life (an ACK, a pong, a server ping, an event). Open and logged in is not enough: a server
 *   that never answers would otherwise be "healthy" just before each dead-link verdict, and retried forever.
 */
import { formatDuration } from '../format.js';
import type { TimerHandle } from '../types.js';

type SetTimer = (ms: number, fn: () => void) => TimerHandle;

export class ConnectionHealth {
  private proven = false;
  /** Ready long enough; waiting for the proof. */
  private due = false;
  private deadline: TimerHandle | undefined;
  private healthyTimer: TimerHandle | undefined;

  constructor(private readonly o: { connectTimeoutMs?: number; healthyAfterMs?: number; onHealthy: () => void }) {}

  /** A new attempt: nothing proven; `cut` ends it if it is not ready by the deadline. */
  start(timer: SetTimer, cut: (reason: string) => void): void {
    this.proven = this.due = false;
    this.healthyTimer = undefined;
    const ms = this.o.connectTimeoutMs ?? 10_000;
    this.deadline = timer(ms, () => cut(`not ready within ${formatDuration(ms)} of connecting (--connect-timeout)`));
  }

  /** The protocol says the link carries events: the deadline is met; the healthy clock starts (again). */
  ready(timer: SetTimer): void {
    this.deadline?.cancel();
    this.healthyTimer?.cancel();
    this.healthyTimer = timer(this.o.healthyAfterMs ?? 10_000, () => {
      if (this.proven) this.healthy();
      else this.due = true;
    });
  }

  /** Proof of life seen (cheap: called per event). */
  proof(): void {
    if (this.proven) return;
    this.proven = true;
    if (this.due) this.healthy();
  }

  private healthy(): void {
    this.due = false;
    this.o.onHealthy();
  }
}
