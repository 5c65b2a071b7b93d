/** What a person sees at a real terminal (a pseudo-terminal through util-linux script): issue 18's polish list. */
import { afterEach, describe, expect, test } from '@jest/globals';
import stringWidth from 'string-width';
import { Pty, SGR, lastLine, screenLines } from '../helpers/pty.js';

const ptys: Pty[] = [];
const pty = (...a: ConstructorParameters<typeof Pty>) => {
  const p = new Pty(...a);
  ptys.push(p);
  return p;
};
afterEach(() => {
  for (const p of ptys.splice(0)) p.kill();
});
const eventLines = (out: string) => screenLines(out).filter((l) => /^\d\d:\d\d:\d\d\.\d{3} tweetcatcher /.test(l));

describe('colour at a terminal', () => {
  test('the check sees colour when it is on: the spinner tick and the events are coloured', async () => {
    const p = pty(['demo', '-n', '2', '--rate', '20']);
    expect(await p.exit()).toBe(0);
    expect(p.out).toMatch(/✔/);
    expect(p.out).toMatch(SGR);
  });

  test.each([
    ['NO_COLOR=1', [], { NO_COLOR: '1' }],
    ['--no-color', ['--no-color'], {}],
  ])('%s: no colour anywhere, spinner and tick included', async (_name, flags, env) => {
    const p = pty(['demo', '-n', '2', '--rate', '20', ...(flags as string[])], { env: env as NodeJS.ProcessEnv });
    expect(await p.exit()).toBe(0);
    expect(p.out).toMatch(/✔ ready: logged in/);
    expect(eventLines(p.out)).toHaveLength(2);
    expect(p.out).not.toMatch(SGR);
  });
});

describe('one screen line per event', () => {
  test.each([100, 63, 40, 24])('at %i columns', async (cols) => {
    const p = pty(['demo', '-n', '6', '--rate', '50', '--no-color'], { cols });
    expect(await p.exit()).toBe(0);
    const lines = screenLines(p.out).filter((l) => /^\d\d:\d\d:\d\d\.\d{3} /.test(l));
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(cols);
  });
});

describe('a terminal that reports no width', () => {
  test('status goes out as plain lines (no spinner), the events print, and the run ends', async () => {
    const p = pty(['demo', '-n', '3', '--rate', '20', '--no-color'], { cols: 0 });
    expect(await p.exit()).toBe(0);
    expect(eventLines(p.out)).toHaveLength(3);
    expect(p.out).toMatch(/evtail: ready: logged in/);
    // ora at zero columns cleared "every line" in an endless loop: megabytes of cursor-up, and no exit.
    expect(p.out).not.toMatch(/\u001b\[1A/);
    expect(p.out.length).toBeLessThan(10_000);
  });
});

describe('Ctrl-C', () => {
  test('with --stats: the stats start on a line of their own, after the ^C', async () => {
    const p = pty(['demo', '--stats', '--rate', '20', '--no-color']);
    await p.waitFor((o) => eventLines(o).length >= 2, 'two events');
    p.type('\u0003');
    expect(await p.exit()).toBe(130);
    expect(p.out).toMatch(/\^C/);
    expect(p.out).not.toMatch(/\^C[^\r\n]*evtail: stats/);
    expect(screenLines(p.out).some((l) => l.startsWith('evtail: stats: '))).toBe(true);
  });
});

describe('a chat at a terminal (push --stdin): the prompt keeps the typed line intact', () => {
  test('incoming messages print above the prompt; what is being typed is drawn again below them, then sent whole', async () => {
    const p = pty(['demo', 'push', '--stdin', '--rate', '10', '--no-color']);
    await p.waitFor((o) => /push message /.test(o) && lastLine(o) === '> ', 'a message and the prompt');
    p.type('hel');
    await p.waitFor((o) => lastLine(o) === '> hel', 'the typed text echoed');
    const at = p.out.length;
    await p.waitFor((o) => /push message /.test(o.slice(at)) && lastLine(o) === '> hel', 'a message arriving while typing, and the prompt drawn again');
    p.type('lo\r');
    await p.waitFor((o) => /You said: hello/.test(o), 'the bot answering the whole line');
    p.type('\u0003');
    expect(await p.exit()).toBe(130);
    // No message was printed in the middle of the typed text, and pretty does not repeat the urn on every line.
    const lines = screenLines(p.out);
    expect(lines.filter((l) => /hel\d\d:|hel[^l]*push message/.test(l))).toEqual([]);
    expect(lines.filter((l) => /push message/.test(l)).every((l) => !/\[b548/.test(l))).toBe(true);
  });

  test('status lines on stderr (-v: every frame) print above the prompt too, and the typed text is drawn again below them', async () => {
    const p = pty(['demo', 'push', '--stdin', '--rate', '10', '--no-color', '-v']);
    await p.waitFor((o) => /evtail: < /.test(o) && lastLine(o) === '> ', 'a frame line on stderr and the prompt');
    p.type('hel');
    await p.waitFor((o) => lastLine(o) === '> hel', 'the typed text echoed');
    const at = p.out.length;
    await p.waitFor((o) => /evtail: < /.test(o.slice(at)) && lastLine(o) === '> hel', 'a frame line arriving while typing, and the prompt drawn again');
    p.type('\u0003');
    expect(await p.exit()).toBe(130);
    // No stderr line was written into the typed text.
    expect(screenLines(p.out).filter((l) => /hel.*evtail:/.test(l))).toEqual([]);
  });
});
