/**
 * Keeps a link honest. In beat mode we send a heartbeat every interval and a beat with the previous one
 * still unanswered means a dead link; in silence mode the server beats and too long without one is dead.
 * While stdout is full we stop reading, so missing answers are our fault: the watchdog is suspended then,
 * and given one full interval of grace after.
 */
import type { Clock, HeartbeatSpec } from '../types.js';

export class Watchdog {
  private spec: HeartbeatSpec | undefined;
  private timer: unknown;
  private awaiting = false;
  private suspended = false;
  private grace = false;
  /** Silence mode: the last sign of life. feed() only records it (it runs per frame); the timer re-arms itself. */
  private lastAlive = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onDead: (reason: string) => void,
  ) {}

  /** Arm for a new connection. The suspended state is the session's (stdout full) and carries over. */
  arm(spec: HeartbeatSpec): void {
    this.disarm();
    this.spec = spec;
    this.awaiting = false;
    this.lastAlive = this.clock.now();
    if (spec.mode === 'beat') {
      if (spec.sendNow) this.beat();
      this.schedule(spec.intervalMs);
    } else if (!this.suspended) {
      this.schedule(spec.timeoutMs);
    }
  }

  /** An ACK, a pong, a server ping: the link is alive. */
  feed(): void {
    this.awaiting = false;
    this.lastAlive = this.clock.now();
  }

  suspend(): void {
    this.suspended = true;
    if (this.spec?.mode === 'silence') this.clear();
  }

  resume(): void {
    if (!this.suspended) return;
    this.suspended = false;
    this.grace = true;
    if (this.spec?.mode === 'silence') {
      this.lastAlive = this.clock.now();
      this.schedule(this.spec.timeoutMs);
    }
  }

  disarm(): void {
    this.clear();
    this.spec = undefined;
    this.awaiting = false;
    this.grace = false;
  }

  private beat(): void {
    const spec = this.spec;
    if (spec?.mode !== 'beat') return;
    this.awaiting = true;
    spec.send();
  }

  private tick(): void {
    const spec = this.spec;
    if (!spec) return;
    if (spec.mode === 'silence') {
      const quiet = this.clock.now() - this.lastAlive;
      if (quiet < spec.timeoutMs) {
        this.schedule(spec.timeoutMs - quiet);
        return;
      }
      this.spec = undefined;
      this.onDead(`no sign of life from the server for ${spec.timeoutMs} ms`);
      return;
    }
    if (this.awaiting && !this.suspended && !this.grace) {
      this.spec = undefined;
      this.onDead(`no heartbeat answer within ${spec.intervalMs} ms`);
      return;
    }
    this.grace = false;
    this.beat();
    if (this.spec) this.schedule(spec.intervalMs);
  }

  private schedule(ms: number): void {
    this.clear();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, ms);
  }

  private clear(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
