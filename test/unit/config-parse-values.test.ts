import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../src/errors.js';
import { formatDuration, formatSize } from '../../src/format.js';
import type { OptionSpec } from '../../src/providers/spec.js';
import {
  describeValue,
  flagName,
  parseBoolean,
  parseDuration,
  parseOptionValue,
  parseRetries,
  parseSize,
  parseValueOrThrow,
  splitList,
} from '../../src/config/parse-values.js';

const spec = (kind: OptionSpec['kind'], extra: Partial<OptionSpec> = {}): OptionSpec => ({
  key: 'x',
  flags: '--x <v>',
  description: '',
  kind,
  ...extra,
});

describe('parseDuration', () => {
  it.each<[string, number | undefined]>([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1m30s', 90_000],
    ['1h 2m 3s', 3_723_000],
    ['30', 30_000], // a bare number means seconds
    ['0.25', 250],
    ['.5s', 500],
    ['  10S ', 10_000],
    ['0ms', 0],
    ['1.4ms', 1],
    ['soon', undefined],
    ['', undefined],
    ['5 minutes', undefined],
    ['-5s', undefined],
    ['1e3s', undefined],
    ['s', undefined],
    ['10x', undefined],
  ])('%j → %j', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0ms'],
    [250, '250ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [61_500, '1m1.5s'],
    [3_600_000, '1h'],
    [3_723_000, '1h2m3s'],
    [90_000_000, '25h'],
    [Infinity, 'inf'],
  ])('%j → %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1000, 1234, 59_999, 90_000, 3_723_456]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('parseSize', () => {
  it.each<[string, number | undefined]>([
    ['1024', 1024],
    ['0', 0],
    ['100b', 100],
    ['512KiB', 512 * 1024],
    ['512kib', 512 * 1024],
    ['512KB', 512 * 1024],
    ['512k', 512 * 1024],
    ['16MiB', 16 * 1024 ** 2],
    ['16mb', 16 * 1024 ** 2],
    ['1.5MiB', 1.5 * 1024 ** 2],
    ['1GiB', 1024 ** 3],
    ['2 GB', 2 * 1024 ** 3],
    ['big', undefined],
    ['', undefined],
    ['12XB', undefined],
    ['-1KiB', undefined],
  ])('%j → %j', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('formats sizes', () => {
    expect(formatSize(16 * 1024 ** 2)).toBe('16MiB');
    expect(formatSize(1536)).toBe('1.5KiB');
    expect(formatSize(100)).toBe('100B');
  });

  it('formats sizes for prose (webinate summaries, --stats) with a space and one decimal', () => {
    const prose = (n: number) => formatSize(n, { space: ' ', digits: 1 });
    expect(prose(0)).toBe('0 B');
    expect(prose(1023)).toBe('1023 B');
    expect(prose(1536)).toBe('1.5 KiB');
    expect(prose(73_400_320)).toBe('70 MiB');
  });

  it('formats durations for status text with one decimal on the seconds', () => {
    expect(formatDuration(499, 1)).toBe('499ms');
    expect(formatDuration(1234, 1)).toBe('1.2s');
    expect(formatDuration(5000, 1)).toBe('5s');
    expect(formatDuration(61_500, 1)).toBe('1m1.5s');
    expect(formatDuration(60_020, 1)).toBe('1m');
  });
});

describe('small parsers', () => {
  it.each<[string, boolean | undefined]>([
    ['1', true],
    ['true', true],
    ['YES', true],
    ['on', true],
    ['0', false],
    ['False', false],
    ['no', false],
    ['off', false],
    ['maybe', undefined],
    ['', undefined],
  ])('parseBoolean(%j) → %j', (text, value) => {
    expect(parseBoolean(text)).toBe(value);
  });

  it.each<[string, number | undefined]>([
    ['0', 0],
    ['10', 10],
    ['inf', Infinity],
    ['Infinity', Infinity],
    ['unlimited', Infinity],
    ['-1', undefined],
    ['1.5', undefined],
    ['lots', undefined],
  ])('parseRetries(%j) → %j', (text, value) => {
    expect(parseRetries(text)).toBe(value);
  });

  it('splits comma lists, trimming and dropping empty items', () => {
    expect(splitList('a, b,,c ,')).toEqual(['a', 'b', 'c']);
    expect(splitList('')).toEqual([]);
  });

  it('names the long flag of a spec', () => {
    expect(flagName(spec('int', { flags: '-n, --max-events <n>' }))).toBe('--max-events');
    expect(flagName(spec('boolean', { flags: '--no-reconnect' }))).toBe('--reconnect');
  });
});

describe('parseOptionValue', () => {
  type Row = [string, OptionSpec, unknown, 'cli' | 'env' | 'file', unknown];
  const ok: Row[] = [
    ['string', spec('string'), 'abc', 'env', 'abc'],
    ['string from a YAML number', spec('string'), 42, 'file', '42'],
    ['int', spec('int', { min: 1 }), '12', 'cli', 12],
    ['int from a YAML number', spec('int'), 7, 'file', 7],
    ['number', spec('number'), '2.5', 'env', 2.5],
    ['duration text', spec('duration'), '1.5s', 'file', 1500],
    ['duration: a file number is seconds', spec('duration'), 30, 'file', 30_000],
    ['duration: a CLI number is already ms', spec('duration'), 1500, 'cli', 1500],
    ['size text', spec('size'), '16MiB', 'env', 16 * 1024 ** 2],
    ['size number', spec('size'), 2048, 'file', 2048],
    ['boolean', spec('boolean'), false, 'cli', false],
    ['boolean from env', spec('boolean'), 'on', 'env', true],
    ['boolean from an interpolated file value', spec('boolean'), 'false', 'file', false],
    ['list from env', spec('list'), 'a,b', 'env', ['a', 'b']],
    ['list from a file', spec('list'), ['a', 2], 'file', ['a', '2']],
    ['list from the CLI is kept as typed', spec('list'), ['a,b', 'c'], 'cli', ['a,b', 'c']],
    ['enum', spec('enum', { choices: ['pretty', 'ndjson'] }), 'ndjson', 'file', 'ndjson'],
    ['retries', spec('retries'), 'inf', 'env', Infinity],
    ['retries from a YAML number', spec('retries'), 0, 'file', 0],
  ];
  it.each(ok)('accepts %s', (_name, s, raw, origin, value) => {
    expect(parseOptionValue(s, raw, origin)).toEqual({ ok: true, value });
  });

  const bad: [string, OptionSpec, unknown, 'cli' | 'env' | 'file', string][] = [
    ['an empty string', spec('string'), '', 'env', 'expected a non-empty string, got ""'],
    ['a non-number int', spec('int', { min: 1 }), 'abc', 'cli', 'expected a whole number >= 1, got "abc"'],
    ['an int below min', spec('int', { min: 1 }), '0', 'cli', 'expected a whole number >= 1, got "0"'],
    ['a fractional int', spec('int'), 1.5, 'file', 'expected a whole number, got 1.5'],
    ['a non-number', spec('number'), 'x', 'env', 'expected a number, got "x"'],
    [
      'a bad duration',
      spec('duration', { min: 1 }),
      'soon',
      'env',
      'expected a duration like 500ms, 30s, 5m, got "soon" (a bare number means seconds)',
    ],
    ['a duration below min', spec('duration', { min: 1 }), '0s', 'file', 'expected a duration of at least 1ms, got "0s"'],
    ['a bad size', spec('size'), '12 parsecs', 'file', 'expected a size like 1024, 512KiB, 16MiB, 1GiB, got "12 parsecs"'],
    ['a size below min', spec('size', { min: 1 }), 0, 'file', 'expected a size of at least 1B, got 0'],
    ['a bad env boolean', spec('boolean'), 'maybe', 'env', 'expected one of true, false, 1, 0, yes, no, on, off, got "maybe"'],
    ['a bad file boolean', spec('boolean'), 'maybe', 'file', 'expected true or false, got "maybe"'],
    ['a list with an object', spec('list'), [{}], 'file', 'expected a list of strings, got a list'],
    ['a list that is a number', spec('list'), 3, 'file', 'expected a list of strings, got 3'],
    ['an enum miss', spec('enum', { choices: ['pretty', 'ndjson', 'raw'] }), 'xml', 'file', 'expected one of pretty, ndjson, raw, got "xml"'],
    ['an enum in the wrong case', spec('enum', { choices: ['pretty'] }), 'Pretty', 'cli', 'expected one of pretty, got "Pretty"'],
    ['negative retries', spec('retries'), '-1', 'cli', 'expected a whole number >= 0, or inf, got "-1"'],
  ];
  it.each(bad)('rejects %s, saying what was expected', (_name, s, raw, origin, message) => {
    expect(() => parseValueOrThrow(s, raw, origin, 'WHERE')).toThrow(new UsageError(`WHERE: ${message}`));
  });

  it('never shows a secret value in an error', () => {
    expect(describeValue('hunter2', true)).toBe('"***"');
    expect(() => parseValueOrThrow(spec('int', { secret: true }), 'hunter2', 'env', 'EVTAIL_PIN')).toThrow(
      'EVTAIL_PIN: expected a whole number, got "***"',
    );
  });
});
