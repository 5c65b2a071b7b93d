/** SocketCluster replay decoder: the link's own parseScFrame, frame by frame. */
import { describe, expect, test } from '@jest/globals';
import { createDecoder } from '../../src/providers/socketcluster/messages.js';
import { parseScFrame } from '../../src/transport/sc-codec.js';

const T = '2026-11-22T20:00:00.000Z';

describe('socketcluster createDecoder', () => {
  const d = createDecoder();
  test('every #publish is an event, batches included; pings, answers, invokes and transmits are control', () => {
    const frame = JSON.stringify([{ event: '#publish', data: { channel: 'a', data: { type: 't', id: 1 } } }, { rid: 3 }, { event: '#publish', data: { channel: 'b', data: 'x' } }]);
    expect(d('in', frame, T)).toEqual({
      kind: 'events',
      events: [
        { time: T, provider: 'socketcluster', type: 't', id: '1', channel: 'a', data: { type: 't', id: 1 }, json: '{"type":"t","id":1}', raw: frame },
        { time: T, provider: 'socketcluster', type: 'message', channel: 'b', data: 'x', json: '"x"', raw: frame },
      ],
    });
    for (const f of ['', '#1', '#2', '{"rid":1,"data":{"id":"x"}}', '{"event":"news","data":{}}', '{"event":"#publish","data":{"channel":"a"},"cid":4}', '{"event":"#setAuthToken","data":{"token":"***"}}'])
      expect(d('in', f, T)).toEqual({ kind: 'control' });
    expect(d('out', '{"event":"#subscribe","data":{"channel":"a"},"cid":2}', T)).toEqual({ kind: 'control' });
  });

  test('what the link warns about is invalid', () => {
    expect(d('in', '{"event":"#publish","data":{"channel":', T)).toEqual({ kind: 'invalid', reason: 'not JSON' });
    expect(d('in', '{"event":"#publish","data":{"data":1}}', T)).toEqual({ kind: 'invalid', reason: '#publish without a channel' });
    // One parser for the live link and every replay (Push's too): JSON that holds no packet does not decode.
    expect(d('in', '5', T)).toEqual({ kind: 'invalid', reason: 'not a SocketCluster packet' });
  });

  test('parseScFrame hands out #setAuthToken tokens (the link makes them secrets) and the items in frame order', () => {
    const f = parseScFrame('[{"event":"#setAuthToken","data":{"token":"jwt"}},{"event":"tick","data":1},{"event":"#publish","data":{"channel":"c","data":2}}]');
    expect(f).toEqual({
      ok: true,
      tokens: ['jwt'],
      items: [
        { kind: 'control', event: '#setAuthToken', data: { token: 'jwt' } },
        { kind: 'transmit', event: 'tick', data: 1 },
        { kind: 'publish', channel: 'c', data: 2, json: '2' },
      ],
    });
  });
});
