/** A Connection built on a link beneath it (ScLink on WsLink, a Push or Weni connection on its link). */
import type { Connection } from '../types.js';

export abstract class LinkedConnection implements Connection {
  protected abstract readonly link: Connection;

  close(): void {
    this.link.close();
  }

  terminate(reason: string): void {
    this.link.terminate(reason);
  }

  pause(): void {
    this.link.pause();
  }

  resume(): void {
    this.link.resume();
  }
}
