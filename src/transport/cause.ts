/**
 * Facts in, one cause out. A connection may see several facts before it closes (a socket error and then a 1006
 * close; a refusal message and then the server's close; the watchdog's kill and then the socket error it
 * causes). Which one decides is written once, here:
 *
 * 1. a fatal protocol outcome (a refusal is never retried, whatever else happened);
 * 2. what we did (stop: the run is over; dead: the watchdog killed the link);
 * 3. the protocol's own word (the last one said);
 * 4. the HTTP answer to the upgrade;
 * 5. a socket error (the first);
 * 6. the close frame.
 */
import type { LinkCause } from '../types.js';

function rank(f: LinkCause): number {
  switch (f.kind) {
    case 'protocol':
      return f.outcome.recovery === 'fatal' ? 0 : 2;
    case 'local':
      return 1;
    case 'http':
      return 3;
    case 'socket':
      return 4;
    default:
      return 5;
  }
}

export class Facts {
  private readonly seen: LinkCause[] = [];

  note(fact: LinkCause): void {
    this.seen.push(fact);
  }

  has(kind: LinkCause['kind']): boolean {
    return this.seen.some((f) => f.kind === kind);
  }

  /** The decisive fact; a close without any fact at all is an abnormal closure. */
  cause(): LinkCause {
    let best: LinkCause | undefined;
    for (const f of this.seen) {
      if (!best || rank(f) < rank(best) || (f.kind === 'protocol' && rank(f) === rank(best))) best = f;
    }
    return best ?? { kind: 'close', code: 1006, reason: '' };
  }
}
