/**
 * The benchmark's events: Tweet Catcher op 0 post frames from the built mock's makeEvent() (dist/, so build first),
 * with the fields real post events carry beyond the mock's (a link, a language, a client name): about 600 bytes.
 * Other sizes: a bare 100-byte event, and 600-byte events grown to ~10 KB or ~1 MB with what long posts carry
 * (entities: mentions, links and media descriptions, with numbers, escapes and non-ASCII text).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @returns {Promise<{ frames: string[], avgBytes: number }>} size: the target bytes per frame (600 by default) */
export async function makeFrames(n, size = 600) {
  const { TweetCatcherMock } = await import(pathToFileURL(path.join(ROOT, 'dist/providers/tweetcatcher/mock.js')).href);
  const mock = new TweetCatcherMock({ eventFormat: 'current' });
  const frames = new Array(n);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const d = mock.makeEvent();
    d.data.url = `https://x.com/${d.task_info.handle}/status/${d.data.id}`;
    d.data.lang = 'en';
    d.data.source = 'Twitter for iPhone';
    if (size <= 200) {
      frames[i] = JSON.stringify({ op: 0, d: { event_id: d.event_id, event: d.event, data: { id: d.data.id, text: 'gm' } } });
    } else {
      let frame = JSON.stringify({ op: 0, d });
      if (size > 1000) {
        const entities = [];
        const one = (k) => ({ kind: k % 3 === 0 ? 'url' : k % 3 === 1 ? 'mention' : 'media', start: k * 7, end: k * 7 + 23, id: `${1790000000000000000n + BigInt(k)}`, score: 0.5 + (k % 10) / 20, text: `caf\u00e9 "quoted" entity #${k} with some words, a link https://x.com/i/${k}` });
        let bytes = frame.length;
        for (let k = 0; bytes < size; k++) {
          const e = one(k);
          entities.push(e);
          bytes += JSON.stringify(e).length + 1;
        }
        d.data.entities = entities;
        frame = JSON.stringify({ op: 0, d });
      }
      frames[i] = frame;
    }
    bytes += Buffer.byteLength(frames[i]);
  }
  return { frames, avgBytes: bytes / n };
}
