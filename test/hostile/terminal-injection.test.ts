/**
 * Issue 13, finding 1: a server's text must never act on the terminal. Escapes (title, clear screen, clipboard,
 * alternate screen), raw CR, C1 and bidi controls in events, a close reason, a server error text and -v frames are
 * shown escaped, in pretty, raw and NDJSON at a terminal, in replay, and on every stderr path.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { baseEnv, processJanitor } from '../helpers/evtail.js';
import { hostileTweetCatcher, hostileWs, INJECTION, RAW_CONTROL, tcEvent, type Hostile } from './servers.js';
import { atTerminal } from './terminal.js';

const janitor = processJanitor();
let server: Hostile | undefined;
afterEach(async () => {
  janitor.cleanup();
  await server?.close();
  server = undefined;
});

/** The escapes as evtail shows them: visible text. */
const VISIBLE = ['\\x1b]0;pwned-title\\x07', '\\x1b[2J', '\\x1b]52;c;cHduZWQ=\\x07', '\\x1b[?1049h', '\\rOVERWRITE', '\\x9b31m', '\\u202eevil'];
/** A close reason fits in 123 bytes: the escapes that matter most. */
const CLOSE_REASON = '\x1b]0;closed-title\x07\x1b[2J\u009b\u202e';

describe('at a real terminal (script -qfec)', () => {
  test('pretty events, -v frames, a close reason and --stats: every escape shown, none acts', async () => {
    server = await hostileTweetCatcher((ws) => {
      ws.send(tcEvent(1, INJECTION));
      ws.send(tcEvent(2, 'plain', { event: `twitter.post.${INJECTION}` }));
      ws.close(4000, CLOSE_REASON);
    });
    const run = await atTerminal(['tweetcatcher', '--url', server.url, '--token', 'tok-123456', '--no-color', '--no-reconnect', '-v', '--stats']);
    expect(run.code).toBe(5);
    // Nothing raw from the network: no ESC, no C1, no bidi, no CR but the terminal's own line ends.
    expect(run.screen).not.toMatch(RAW_CONTROL);
    const lines = run.screen.split('\n');
    // Both events are on the screen, each on one line, the escapes visible in the summary and in the type.
    const events = lines.filter((l) => / tweetcatcher twitter\.post\./.test(l));
    expect(events).toHaveLength(2);
    for (const v of VISIBLE) expect(events[0]).toContain(v);
    expect(events[1]).toContain('twitter.post.\\x1b]0;pwned-title\\x07');
    // -v frames, the close reason in the error and in --stats: escaped too.
    expect(lines.some((l) => l.startsWith('evtail: < ') && l.includes('\\x9b31m \\u202eevil'))).toBe(true);
    expect(run.screen).toMatch(/error: connection lost: closed with code 4000: \\x1b\]0;closed-title\\x07\\x1b\[2J\\x9b\\u202e/);
    expect(run.screen).toMatch(/evtail: stats: .*exit 5 \(.*\\x1b\]0;closed-title/);
  });

  test('raw output at a terminal is escaped like pretty; NDJSON at a terminal keeps the JSON value, C1 and bidi as \\u escapes', async () => {
    const frame = JSON.stringify({ type: 'note', text: INJECTION });
    server = await hostileWs((ws) => {
      ws.send(frame);
      ws.send('not json \x1b]0;t\x07 \u009b\u202e');
    });
    const raw = await atTerminal(['ws', server.url, '-o', 'raw', '-n', '2', '-q']);
    expect(raw.code).toBe(0);
    expect(raw.screen).not.toMatch(RAW_CONTROL);
    expect(raw.screen).toContain('not json \\x1b]0;t\\x07 \\x9b\\u202e');
    expect(raw.screen.split('\n').filter((l) => l.length > 0)).toHaveLength(2);

    const nd = await atTerminal(['ws', server.url, '-o', 'ndjson', '-n', '1', '-q']);
    expect(nd.code).toBe(0);
    expect(nd.screen).not.toMatch(RAW_CONTROL);
    const line = nd.screen.split('\n').find((l) => l.startsWith('{'))!;
    expect(line).toContain('\\u009b31m \\u202eevil');
    expect((JSON.parse(line) as { data: { text: string } }).data.text).toBe(INJECTION);
  });

  test('evtail replay of a hostile recording, at a terminal', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'evtail-hostile-'));
    const file = path.join(dir, 'hostile.ndjson');
    const t = new Date().toISOString();
    const lines = [
      { t, provider: 'tweetcatcher', dir: 'meta', url: 'wss://example.invalid/websocket', evtail: 'test' },
      { t, provider: 'tweetcatcher', dir: 'in', frame: tcEvent(1, INJECTION) },
      { t, provider: 'tweetcatcher', dir: 'in', frame: `{"op":0,"d":{"event_id":\u001b[2J` },
    ];
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const run = await atTerminal(['replay', file, '--as-fast-as-possible', '--no-color']);
    expect(run.code).toBe(0);
    expect(run.screen).not.toMatch(RAW_CONTROL);
    const event = run.screen.split('\n').find((l) => l.includes('twitter.post.new'))!;
    for (const v of VISIBLE) expect(event).toContain(v);
    // The undecodable frame's warning quotes it, escaped.
    expect(run.screen).toMatch(/warning: a frame did not decode .*\\x1b\[2J/);
  });
});

describe('in a pipe', () => {
  test('a server error text (op 3) on stderr is escaped; NDJSON into a pipe stays the exact data', async () => {
    server = await hostileTweetCatcher((ws) => {
      ws.send(tcEvent(1, INJECTION));
      ws.send(JSON.stringify({ op: 3, text: `bye ${INJECTION}` }));
    });
    const p = janitor.inProcess(['tweetcatcher', '--url', server.url, '--token', 'tok-123456', '--no-reconnect'], { env: baseEnv() });
    const r = await p.exit();
    expect(r.code).toBe(5);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('the server disconnected us: bye \\x1b]0;pwned-title\\x07');
    // stdout is a pipe: NDJSON, the payload's text exactly as sent (C1 and bidi as they came).
    const ev = JSON.parse(r.lines[0]!) as { data: { data: { text: string } } };
    expect(ev.data.data.text).toBe(INJECTION);
    expect(r.lines[0]).toContain('\u009b31m \u202eevil');
  });

  test('evtail colours stay: with --color, pretty still carries its own SGR codes around escaped text', async () => {
    server = await hostileTweetCatcher((ws) => ws.send(tcEvent(1, INJECTION)));
    const r = await janitor.inProcess(['tweetcatcher', '--url', server.url, '--token', 'tok-123456', '-o', 'pretty', '--color', '-n', '1', '-q']).exit();
    expect(r.code).toBe(0);
    // evtail's own colour codes are there (ESC [ … m), and no other escape is.
    // eslint-disable-next-line no-control-regex
    const withoutSgr = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    // eslint-disable-next-line no-control-regex
    expect(r.stdout).toMatch(/\x1b\[[0-9;]*m/);
    expect(withoutSgr.replace(/\n$/, '')).not.toMatch(RAW_CONTROL);
    expect(withoutSgr).toContain('\\x1b]0;pwned-title\\x07');
  });
});
