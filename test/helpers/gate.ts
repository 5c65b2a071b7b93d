/**
 * A FIFO that holds a shell reader back: `… | (read -r _ < gate; cat)` reads nothing until the test opens the gate,
 * so a test can see evtail stop reading (the server's writes back up) before letting the reader go. No sleeps.
 */
import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface Gate {
  /** The FIFO's path, for the shell command. */
  readonly path: string;
  /** Let the reader go: a line into the FIFO, if it is still waiting there (non-blocking, so never a hang). */
  open(): Promise<void>;
  /** Open it (a failed test must not leave the reader blocked) and remove it. */
  remove(): Promise<void>;
}

export function makeGate(): Gate {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'evtail-gate-'));
  const fifo = path.join(dir, 'gate');
  execFileSync('mkfifo', [fifo]);
  const openGate = async () => {
    const fh = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
    if (!fh) return;
    await fh.write('go\n').catch(() => undefined);
    await fh.close();
  };
  return {
    path: fifo,
    open: openGate,
    async remove() {
      await openGate();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
