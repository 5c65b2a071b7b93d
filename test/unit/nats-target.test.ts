import { parseNatsTarget, subjectFor, messageId, redactUrl } from '../../src/publish/nats-target.js';
import { subjectsFor } from '../../src/publish/nats-init.js';
import type { TailEvent } from '../../src/types.js';

const ev = (over: Partial<TailEvent> = {}): TailEvent => ({ time: '2026-11-30T00:00:00.000Z', provider: 'tweetcatcher', type: 'twitter.post.new', data: { a: 1 }, ...over });

describe('--publish URL', () => {
  test('host, port, subject template and credentials are parsed; the shown form hides the credentials', () => {
    const t = parseNatsTarget('nats://evtail:s%40cret@127.0.0.1:4333/events.{provider}.{type}');
    expect(t).toMatchObject({ server: '127.0.0.1:4333', user: 'evtail', pass: 's@cret', subject: 'events.{provider}.{type}', tls: false });
    expect(t.shown).toBe('nats://***@127.0.0.1:4333/events.{provider}.{type}');
    expect(t.shown).not.toContain('cret');
  });

  test('a lone user part is a token; the port defaults to 4222; tls:// asks for TLS', () => {
    const t = parseNatsTarget('tls://T0KEN@nats.example.com/ev');
    expect(t).toMatchObject({ server: 'nats.example.com:4222', token: 'T0KEN', tls: true, subject: 'ev' });
  });

  test.each([
    ['http://127.0.0.1/x', /expected nats:\/\/host:port\/<subject>/],
    ['nats://127.0.0.1:4222', /names no subject/],
    ['nats://127.0.0.1:4222/events.{nope}', /unknown placeholder \{nope\}/],
    ['nats://127.0.0.1:4222/events.>', /not a valid NATS subject/],
    ['nats://127.0.0.1:4222/events..x', /not a valid NATS subject/],
    ['nats://127.0.0.1:99999/x', /out of range/],
  ])('%s is a usage error (exit 2) saying what is wrong', (url, re) => {
    expect(() => parseNatsTarget(url)).toThrow(re);
    try {
      parseNatsTarget(url);
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  test('credentials never reach an error message', () => {
    expect(() => parseNatsTarget('ftp://user:hunter22@h/x')).toThrow(/ftp:\/\/\*\*\*@h\/x/);
    expect(redactUrl('nats://a:b@h:1/x')).toBe('nats://***@h:1/x');
  });
});

describe('subjects', () => {
  test('{provider}, {source} and {type} are filled; a dotted type stays tokens; bad characters become _', () => {
    const s = subjectFor('events.{provider}.{source}.{type}', { defaultSource: 'my profile' });
    expect(s(ev())).toBe('events.tweetcatcher.my_profile.twitter.post.new');
    expect(s(ev({ type: 'order *created> now' }))).toBe('events.tweetcatcher.my_profile.order__created__now');
    expect(s(ev({ type: 'a..b.' }))).toBe('events.tweetcatcher.my_profile.a._.b._');
    expect(s({ ...ev(), source: 'venue.42' } as TailEvent)).toBe('events.tweetcatcher.venue_42.twitter.post.new');
  });

  test('a template without placeholders is the subject', () => {
    expect(subjectFor('ev.all', { defaultSource: 'x' })(ev())).toBe('ev.all');
  });

  test('nats init takes every subject a template can make', () => {
    expect(subjectsFor('events.{provider}.{type}')).toEqual(['events.*.>']);
    expect(subjectsFor('events.{provider}.{source}.raw')).toEqual(['events.*.*.raw']);
    expect(subjectsFor('events')).toEqual(['events']);
  });
});

describe('Nats-Msg-Id', () => {
  test('provider, source and the provider event id, the same whatever the receive time', () => {
    expect(messageId(ev({ id: 'tc-7' }), '{}', 'default')).toBe('tweetcatcher:default:tc-7');
  });

  test('without an id: a digest of the payload text, equal across receive times, different across payloads', () => {
    const line = (time: string, data: string) => `{"time":"${time}","provider":"ws","type":"t","data":${data}}`;
    const a = messageId(ev({ provider: 'ws' }), line('2026-01-01T00:00:00.000Z', '{"n":1,"data":2}'), 's');
    const b = messageId(ev({ provider: 'ws' }), line('2026-01-01T00:00:09.999Z', '{"n":1,"data":2}'), 's');
    const c = messageId(ev({ provider: 'ws' }), line('2026-01-01T00:00:00.000Z', '{"n":2,"data":2}'), 's');
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toMatch(/^ws:s:sha256:[\w-]{43}$/);
  });

  test('an id with spaces, newlines or great length is digested into a header-safe value', () => {
    const id = messageId(ev({ id: 'a b\r\nX-Evil: 1' }), '{}', 's');
    expect(id).toMatch(/^tweetcatcher:id-sha256:[\w-]+$/);
    expect(messageId(ev({ id: 'x'.repeat(500) }), '{}', 's').length).toBeLessThan(80);
  });
});
