/** Replaying envelopes and dead letters: each event comes back as the very line it was. */
import { describe, expect, test } from '@jest/globals';
import { deadLetterLine, envelopeOfDeadLetter } from '../../src/forward/dead-letter.js';
import { envelopeLine } from '../../src/output/envelope.js';
import { envelopeDecoder, envelopeRecords, isEnvelopeLine } from '../../src/replay/envelopes.js';

const line = '{"time":"2026-11-30T04:00:00.000Z","provider":"tweetcatcher","type":"twitter.post.new","id":"1729384756123456789","data":{"id":1729384756123456789,"price":1.10,"big":1e400,"s":"\\u00e9 \\",\\"data\\":"}}';

describe('replay of envelopes', () => {
  test('an envelope and a dead letter are recognised; a --record line is not', () => {
    expect(isEnvelopeLine(line)).toBe(true);
    const dead = deadLetterLine({ target: 'http://x/",\\"event\\":', reason: '503', attempts: 6, at: 'now' }, line);
    expect(isEnvelopeLine(dead)).toBe(true);
    expect(envelopeOfDeadLetter(dead)).toBe(line);
    expect(isEnvelopeLine('{"t":"2026-11-30T04:00:00.000Z","provider":"doshii","dir":"in","frame":"{}"}')).toBe(false);
  });

  test('the event decoded from an envelope serialises to the same bytes (big integers, 1.10, 1e400 kept)', () => {
    const dead = deadLetterLine({ target: 't', reason: 'r', attempts: 1, at: 'a' }, line);
    const { records, bad } = envelopeRecords(`${line}\n\n${dead}\n`);
    expect(bad).toBeUndefined();
    expect(records).toHaveLength(2);
    for (const rec of records) {
      const r = envelopeDecoder('in', rec.frame!, rec.t);
      expect(r.kind).toBe('events');
      if (r.kind === 'events') expect(envelopeLine(r.events[0]!)).toBe(line);
    }
  });

  test('a line that is not an envelope is named by its number', () => {
    expect(envelopeRecords(`${line}\nnot json\n`).bad).toBe(2);
  });
});
