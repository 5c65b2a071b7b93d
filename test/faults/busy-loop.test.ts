/** No busy loops, for every provider: a server that accepts and closes at once sees retries spaced by the backoff. */
import { afterEach, describe, expect, test } from '@jest/globals';
import { WebSocketServer } from 'ws';
import { runInProcess } from '../helpers/evtail.js';
import { adapters, scenario } from './providers.js';

const servers: WebSocketServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((wss) => new Promise<void>((r) => wss.close(() => r()))));
});

describe.each(adapters)('$name', (a) => {
  test(scenario('busy-loop').fault, async () => {
    // It accepts the upgrade (on any path) and closes with 1011 before a word of the protocol: a retry, every time.
    // (A terminate instead of a close would be Webinate's Origin refusal, which has its own exit 3.)
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    servers.push(wss);
    await new Promise((r) => wss.once('listening', r));
    let connections = 0;
    wss.on('connection', (ws) => {
      connections += 1;
      ws.close(1011, 'overloaded');
    });
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}${a.path}`;
    const r = await runInProcess([...a.args(url), '--max-retries', '2']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/gave up after 2 reconnect attempts/);
    // One first attempt plus exactly two retries, each announced with its backoff: never a tight loop.
    expect(connections).toBe(3);
    expect(r.stderr.match(/reconnecting in \d+(ms|\.\d+s|s)/g)).toHaveLength(2);
    expect(r.lines).toHaveLength(0);
  });
});
