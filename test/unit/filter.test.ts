import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../../src/errors.js';
import { parseExpression } from '../../src/filter/expression.js';
import { typeMatcher } from '../../src/filter/glob.js';
import { buildFilter, buildUntil } from '../../src/filter/index.js';
import type { TailEvent } from '../../src/types.js';

const ev: TailEvent = {
  time: '2026-11-22T18:00:00.000Z',
  provider: 'streamelements',
  type: 'channel.tips',
  id: '01HB0',
  topic: 'channel.tips',
  data: { amount: 12.5, currency: 'USD', user: { name: 'Ann' }, items: [{ sku: 'a1' }], ok: true, none: null, count: '7' },
};
const holds = (expr: string) => parseExpression(expr).test(ev);

describe('--match expressions', () => {
  test.each([
    ['type=channel.tips', true],
    ['type=channel.tip', false],
    ['type!=channel.tips', false],
    ['data.currency!=EUR', true],
    ['data.amount>10', true],
    ['data.amount>12.5', false],
    ['data.amount>=12.5', true],
    ['data.amount<100', true],
    ['data.amount<=12', false],
    ['data.count>5', true],
    ['data.amount=12.5', true],
    ['topic~tips', true],
    ['topic~^tips', false],
    ['data.user.name~^A', true],
    ['data.items.0.sku=a1', true],
    ['data.ok=true', true],
    ['data.none=null', true],
    ['data.missing=x', false],
    ['data.missing!=x', true],
    ['data.missing>1', false],
    ['time>2026-01-01', true],
    ['data.user~"name":"Ann"', true],
  ])('%s → %p', (expr, expected) => {
    expect(holds(expr)).toBe(expected);
  });

  test.each([
    ['', /expected a field path/],
    ['=3', /expected a field path/],
    ['data.amount', /expected an operator/],
    ['data.amount>>3', /unexpected ">" after ">"/],
    ['data.amount>', /expected a value after ">"/],
    ['data.amount?3', /expected an operator .* found "\?"/],
    ['topic~(', /not a valid regular expression/],
  ])('bad expression %p is a usage error that points at the fault', (expr, re) => {
    let err: unknown;
    try {
      parseExpression(expr);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).toMatch(/\n *\^$/);
  });
});

describe('--type globs', () => {
  const m = (glob: string, type: string) => typeMatcher([glob])(type);
  test('* spans dots; ? is one character; anchored', () => {
    expect(m('twitter.post.*', 'twitter.post.new')).toBe(true);
    expect(m('twitter.post.*', 'xtwitter.post.new')).toBe(false);
    expect(m('order_*', 'order_created')).toBe(true);
    expect(m('order_?', 'order_ab')).toBe(false);
    expect(m('order_?', 'order_a')).toBe(true);
    expect(m('channel.*', 'channel.tips.moderation')).toBe(true);
  });
  test.each([
    ['*.post.*', 'twitter.post.new', true],
    ['*.post.*', 'twitter.posts.new', false],
    ['*.post.*', '.post.', true],
    ['*.*.*', 'a.b', false],
    ['*.*.*', 'a.b.c', true],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['*ab?d*', 'xxabcabzdy', true],
    ['*ab?d', 'xxabcdab', false],
    ['a**b', 'ab', true],
    ['?', 'é', true],
    ['exact', 'exact', true],
    ['exact', 'exacter', false],
    ['*new', 'twitter.post.new', true],
    ['twitter.*.new', 'twitter.new', false],
  ])('glob %p against %p: %p', (glob, type, want) => {
    expect(m(glob, type)).toBe(want);
  });
});

describe('combined filter', () => {
  test('types OR, expressions AND', () => {
    const f = buildFilter({ type: ['order_*', 'channel.*'], match: ['data.amount>10', 'data.currency=USD'] })!;
    expect(f(ev)).toBe(true);
    expect(f({ ...ev, type: 'booking_created' })).toBe(false);
    expect(f({ ...ev, data: { amount: 5, currency: 'USD' } })).toBe(false);
    expect(buildFilter({})).toBeUndefined();
  });
  test('--until: every expression must hold', () => {
    const u = buildUntil({ until: ['type=channel.tips', 'data.amount>100'] })!;
    expect(u(ev)).toBe(false);
    expect(buildUntil({ until: ['type=channel.tips'] })!(ev)).toBe(true);
  });
});
