import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { parseFrame, summarize, toEvent } from '../../src/providers/tweetcatcher/messages.js';
import type { TailEvent } from '../../src/types.js';
import { ROOT } from '../helpers/evtail.js';

const frames = JSON.parse(readFileSync(`${ROOT}/fixtures/tweetcatcher/frames.json`, 'utf8')) as Record<string, string>;
const T = '2026-11-22T18:00:00.123Z';

function decode(name: string): TailEvent {
  const p = parseFrame(frames[name]!);
  if (!p.ok) throw new Error(p.reason);
  const ev = toEvent((p.frame as { d?: unknown }).d, T, frames[name]);
  if ('error' in ev) throw new Error(ev.error);
  return ev;
}

describe('Tweet Catcher decoding', () => {
  test('control frames parse with their op', () => {
    expect(parseFrame(frames.hello!)).toEqual({ ok: true, frame: { op: 10, heartbeat_interval: 45000 } });
    expect(parseFrame(frames.refused!)).toEqual({ ok: true, frame: { op: 3, text: 'Invalid token' } });
  });

  test('current format: type = d.event, id = d.event_id, data = d unchanged', () => {
    const ev = decode('currentPost');
    const d = (JSON.parse(frames.currentPost!) as { d: unknown }).d;
    expect(ev).toMatchObject({ time: T, provider: 'tweetcatcher', type: 'twitter.post.new', id: '66f1c2a9e4b0' });
    expect(ev.data).toEqual(d);
    expect(ev.raw).toBe(frames.currentPost);
  });

  test('numeric event ids become strings', () => {
    expect(decode('truthSocial').id).toBe('7');
  });

  test('older format: type = d.task.reason, no id', () => {
    const ev = decode('olderTweet');
    expect(ev.type).toBe('new_tweet');
    expect(ev.id).toBeUndefined();
  });

  test('an unknown shape still prints, as type "unknown"', () => {
    expect(decode('unknownShape').type).toBe('unknown');
  });

  test('bad frames say why', () => {
    expect(parseFrame(frames.notJson!)).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseFrame(frames.noOp!)).toEqual({ ok: false, reason: 'no numeric "op"' });
    expect(parseFrame(frames.array!)).toEqual({ ok: false, reason: 'not a JSON object' });
    expect(toEvent(undefined, T)).toEqual({ error: 'op 0 without an object "d"' });
  });
});

describe('Tweet Catcher summaries', () => {
  test('a post: @handle: (kind) text [media]', () => {
    expect(summarize(decode('currentPost'))).toBe('@nasa: (quote) Liftoff! [1 media]');
  });
  test('an author given as a string', () => {
    expect(summarize(decode('truthSocial'))).toBe('@realDonaldTrump: Hello');
  });
  test('older formats: tweet text and following', () => {
    expect(summarize(decode('olderTweet'))).toBe('@elonmusk: Mars');
    expect(summarize(decode('olderFollowing'))).toBe('@elonmusk followed @spacex');
  });
  test('nothing to say about an unknown shape', () => {
    expect(summarize(decode('unknownShape'))).toBe('');
  });
});
