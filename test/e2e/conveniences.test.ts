/** Issue 18: the conveniences a user expects from the command line (env for every option, aliases, usage errors). */
import { describe, expect, test } from '@jest/globals';
import { baseEnv, inProcess, runInProcess } from '../helpers/evtail.js';

describe('EVTAIL_* settings reach every command, demo included', () => {
  test('EVTAIL_FORMAT=xml evtail demo -n 1: exit 2 naming the variable, before the mock starts', async () => {
    const r = await runInProcess(['demo', '-n', '1'], { env: baseEnv({ EVTAIL_FORMAT: 'xml' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/EVTAIL_FORMAT: expected one of pretty, ndjson, raw, got "xml"/);
    expect(r.stderr).not.toMatch(/listening/);
  });

  test('EVTAIL_MAX_EVENTS=2 evtail demo: two events, exit 0', async () => {
    const r = await runInProcess(['demo', '-o', 'ndjson'], { env: baseEnv({ EVTAIL_MAX_EVENTS: '2' }) });
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(2);
  });

  test('a demo ignores EVTAIL_* credentials: EVTAIL_TOKEN does not replace the mock\'s', async () => {
    const r = await runInProcess(['demo', '-o', 'ndjson', '-n', '1'], { env: baseEnv({ EVTAIL_TOKEN: 'not-the-mock-token' }) });
    expect(r.code).toBe(0);
  });
});

describe('formats and usage errors', () => {
  test('-o json is an alias of ndjson', async () => {
    const r = await runInProcess(['demo', '-o', 'json', '-n', '2']);
    expect(r.code).toBe(0);
    for (const l of r.lines) expect(JSON.parse(l)).toMatchObject({ provider: 'tweetcatcher' });
  });

  test('evtail mock without a provider: usage error listing them, exit 2', async () => {
    const r = await runInProcess(['mock']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^evtail: error: mock: which provider\? .*tweetcatcher\|doshii\|push\|streamelements\|webinate/);
    expect(r.stdout).toBe('');
  });

  test('evtail demo --match foo: the usage error comes before "mock listening"', async () => {
    const r = await runInProcess(['demo', '--match', 'foo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--match "foo"/);
    expect(r.stderr).not.toMatch(/listening/);
  });

  test('evtail -p without a name: a usage error, not "unknown option"', async () => {
    const r = await runInProcess(['-p']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-p, --profile: expected a profile name/);
  });

  test('the top-level help lists -p, --profile and the exit codes 6 and 7', async () => {
    const r = await runInProcess(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/-p, --profile <name>/);
    expect(r.stdout).toMatch(/6 {2}--idle-timeout/);
    expect(r.stdout).toMatch(/7 {2}some events could not be delivered/);
  });
});

describe('provider help shows filters that mean something for that provider', () => {
  test.each([
    ['tweetcatcher', /--until type=truth_social\.post\.new/],
    ['push', /--match 'data\.text~order'/],
    ['webinate', /--until type=FileUploaded/],
    ['doshii', /--until type=order_created/],
  ])('%s', async (name, re) => {
    const r = await runInProcess([name, '--help']);
    expect(r.stdout).toMatch(re);
    if (name !== 'doshii') expect(r.stdout).not.toMatch(/order_created|topic~tips/);
  });
});

describe('mock knobs', () => {
  test('take durations like the client flags, and the help shows each default', async () => {
    const help = (await runInProcess(['mock', 'tweetcatcher', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--heartbeat-interval <duration> heartbeat_interval sent in Hello \(default 45s\)/);
    expect(help).toMatch(/--port <port> port to listen on \(0: any free port\) \(default 42069\)/);
    expect(help).toMatch(/--oversized-bytes <size> .*?\(default 17MiB\)/);
    const mock = inProcess(['mock', 'tweetcatcher', '--port', '0', '--heartbeat-interval', '1s', '--down-for', '500ms']);
    await mock.waitForLines(1);
    expect(mock.stdout).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/websocket\n$/);
    mock.kill('SIGTERM');
    expect((await mock.exit()).code).toBe(0);
  });

  test('a bare number that is not a duration is a usage error naming the flag', async () => {
    const r = await runInProcess(['mock', 'tweetcatcher', '--port', '0', '--heartbeat-interval', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--heartbeat-interval: expected a duration like 500ms, 30s, 5m/);
  });
});

describe('messages read whole', () => {
  test('the --header usage hint is not cut by redaction', async () => {
    const r = await runInProcess(['ws', 'ws://127.0.0.1:9/', '--header', 'Authorization Bearer abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/e\.g\. --header 'Accept-Language: en' \(a credential header's value is shown as \*\*\*\)\)\n$/);
  });

  test('Webinate says "ready" once, not once per connection, before an Origin refusal', async () => {
    const r = await runInProcess(['demo', 'webinate', '--origin', 'https://not-approved.example']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Origin "https:\/\/not-approved\.example" was probably not in its approvedSocketDomains/);
    expect(r.stderr.match(/ready/g) ?? []).toHaveLength(1);
  });
});

describe('evtail ws <url> --stdin: each line typed or piped is sent as a frame (what wscat is used for)', () => {
  test('piped lines go out in order; the replies are events; a blank line is not sent', async () => {
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const got: string[] = [];
    wss.on('connection', (ws) => ws.on('message', (m) => {
      got.push(String(m));
      ws.send(JSON.stringify({ type: 'echo', text: String(m) }));
    }));
    try {
      const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
      const r = await runInProcess(['ws', url, '--stdin', '-n', '2', '-o', 'ndjson'], { stdin: 'hello\n\nworld\n' });
      expect(r.code).toBe(0);
      expect(got).toEqual(['hello', 'world']);
      expect(r.lines.map((l) => JSON.parse(l).data.text)).toEqual(['hello', 'world']);
    } finally {
      await new Promise((r) => wss.close(r));
    }
  });
});
