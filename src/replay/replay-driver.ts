/**
 * `evtail replay`: a driver whose "connection" is a recording. Frames go through the provider's own decoder,
 * then through the same session, filters and printers as a live run. Timing follows the recording's `t`
 * divided by --speed, or none with --as-fast-as-possible; backpressure pauses it like a socket.
 */
import type { FrameDecoder } from '../providers/spec.js';
import type { RecordLine } from '../output/recorder.js';
import type { Clock, Connection, Driver, DriverHooks } from '../types.js';

export class ReplayDriver implements Driver {
  constructor(
    readonly provider: string,
    private readonly lines: RecordLine[],
    private readonly decoder: FrameDecoder,
    private readonly clock: Clock,
    /** Infinity: as fast as possible. */
    private readonly speed: number,
  ) {}

  connect(hooks: DriverHooks): Connection {
    const { lines, decoder, clock, speed } = this;
    let i = 0;
    let paused = false;
    let stopped = false;
    let timer: unknown;
    let lastT: number | undefined;
    let scheduled = false;

    const finish = (reason: string) => {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      hooks.closed({ recovery: 'done', reason });
    };

    const step = () => {
      scheduled = false;
      let budget = 2000; // yield now and then so signals and drain are heard
      while (!paused && !stopped && i < lines.length) {
        const rec = lines[i]!;
        const t = Date.parse(rec.t);
        if (Number.isFinite(speed) && lastT !== undefined && Number.isFinite(t)) {
          const wait = (t - lastT) / speed;
          if (wait >= 1 && !scheduled) {
            lastT = t;
            scheduled = true;
            timer = clock.setTimeout(step, wait);
            return;
          }
        }
        if (Number.isFinite(t)) lastT = t;
        i += 1;
        if (rec.dir !== 'in' && rec.dir !== 'out') continue;
        const bytes = rec.encoding === 'base64' ? Buffer.from(rec.frame ?? '', 'base64') : undefined;
        const frame = bytes ? bytes.toString('utf8') : rec.frame ?? '';
        hooks.frame(rec.dir, frame, bytes);
        const result = decoder(rec.dir, frame, rec.t, bytes);
        if (rec.dir === 'out') continue;
        if (result.kind === 'events') for (const ev of result.events) hooks.event(ev);
        // Decoders of text protocols see a binary frame as text: say what it was, as the live driver does.
        else if (result.kind === 'invalid') hooks.undecodable(frame, bytes ? 'binary frame' : result.reason);
        if (--budget === 0) {
          scheduled = true;
          setImmediate(step);
          return;
        }
      }
      if (i >= lines.length) finish('end of the recording');
    };

    hooks.open('replaying a recording');
    hooks.ready(`${lines.length} recorded lines${Number.isFinite(speed) ? ` at ${speed}x` : ', as fast as possible'}`);
    setImmediate(step);
    return {
      close: () => finish('stopped'),
      terminate: () => finish('stopped'),
      pause: () => {
        paused = true;
      },
      resume: () => {
        if (!paused) return;
        paused = false;
        if (!scheduled) setImmediate(step);
      },
    };
  }
}
