/**
 * The benchmark's events: Tweet Catcher op 0 post frames from the built mock's makeEvent() (dist/, so build first),
 * with the fields real post events carry beyond the mock's (a link, a language, a client name): about 600 bytes.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @returns {Promise<{ frames: string[], avgBytes: number }>} */
export async function makeFrames(n) {
  const { TweetCatcherMock } = await import(pathToFileURL(path.join(ROOT, 'dist/providers/tweetcatcher/mock.js')).href);
  const mock = new TweetCatcherMock({ eventFormat: 'current' });
  const frames = new Array(n);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const d = mock.makeEvent();
    d.data.url = `https://x.com/${d.task_info.handle}/status/${d.data.id}`;
    d.data.lang = 'en';
    d.data.source = 'Twitter for iPhone';
    frames[i] = JSON.stringify({ op: 0, d });
    bytes += Buffer.byteLength(frames[i]);
  }
  return { frames, avgBytes: bytes / n };
}
