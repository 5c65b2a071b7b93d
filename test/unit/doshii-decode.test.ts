/** Doshii replay decoder: stateless, the driver's own decodeFrame and toEvent. */
import { describe, expect, test } from '@jest/globals';
import { createDecoder as doshiiDecoder } from '../../src/providers/doshii/messages.js';

const T = '2026-11-22T20:00:00.000Z';

describe('doshii createDecoder', () => {
  const d = doshiiDecoder();
  test('both envelopes are events; pongs, server pings and other doshii frames are control; the rest invalid', () => {
    const emit = '{"emit":["order_created",{"id":"7","status":"pending"}]}';
    expect(d('in', emit, T)).toEqual({ kind: 'events', events: [{ time: T, provider: 'doshii', type: 'order_created', id: '7', data: { id: '7', status: 'pending' }, json: '{"id":"7","status":"pending"}', raw: emit }] });
    expect(d('in', '{"type":"message","data":{"event":"table_updated","data":{"id":3}}}', T)).toMatchObject({ kind: 'events', events: [{ type: 'table_updated', id: '3' }] });
    for (const f of ['{"doshii":{"pong":1}}', '{"type":"message","data":{"doshii":{"pong":1,"version":"3"}}}', '{"type":"message","data":{"doshii":{"ping":1}}}', '{"doshii":{"status":"ok"}}'])
      expect(d('in', f, T)).toEqual({ kind: 'control' });
    expect(d('in', '{"emit":["order_updated",{"id":', T)).toEqual({ kind: 'invalid', reason: 'not JSON' });
    expect(d('in', '{"hello":1}', T)).toMatchObject({ kind: 'invalid' });
    expect(d('out', '{"doshii":{"ping":1,"version":"evtail"}}', T)).toEqual({ kind: 'control' });
  });
});
