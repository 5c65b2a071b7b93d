import { sanitize, sanitizeJson, sanitizeLines } from '../../src/output/sanitize.js';

describe('the terminal sanitiser', () => {
  test('escape sequences, C0, DEL, C1 and bidi controls are shown as visible escapes', () => {
    expect(sanitize('\x1b]0;owned\x07')).toBe('\\x1b]0;owned\\x07');
    expect(sanitize('\x1b[2J\x1b[?1049h')).toBe('\\x1b[2J\\x1b[?1049h');
    expect(sanitize('a\rb\nc\td')).toBe('a\\rb\\nc\\td');
    expect(sanitize('\x7f\x00')).toBe('\\x7f\\x00');
    expect(sanitize('\u009b31m \u0085')).toBe('\\x9b31m \\x85');
    expect(sanitize('abc\u202edcba\u2066\u2069\u200f')).toBe('abc\\u202edcba\\u2066\\u2069\\u200f');
    expect(sanitize('line\u2028sep')).toBe('line\\u2028sep');
  });

  test('ordinary text, accents, emoji and CJK are unchanged', () => {
    const text = 'Liftoff! café 🚀 東京 — "quotes" \\ backslash';
    expect(sanitize(text)).toBe(text);
  });

  test('the result holds no control character at all', () => {
    let all = '';
    for (let c = 0; c < 0x2100; c++) all += String.fromCharCode(c);
    // eslint-disable-next-line no-control-regex
    expect(sanitize(all)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  test('sanitizeLines keeps evtail\'s own line breaks and escapes the rest', () => {
    expect(sanitizeLines('bad value\x1b[2J\n   ^')).toBe('bad value\\x1b[2J\n   ^');
  });

  test('JSON at a terminal: C1, DEL and bidi become \\u escapes of the same JSON value', () => {
    const value = { text: 'a\u009b2Jb\u202ec\x7f', n: 1 };
    const json = JSON.stringify(value);
    const safe = sanitizeJson(json);
    expect(safe).toBe('{"text":"a\\u009b2Jb\\u202ec\\u007f","n":1}');
    expect(JSON.parse(safe)).toEqual(value);
    expect(sanitizeJson('{"a":"plain"}')).toBe('{"a":"plain"}');
  });
});
