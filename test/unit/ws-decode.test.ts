/** ws replay decoder: every received frame is an event, through decodeText with --type-path from the options. */
import { describe, expect, test } from '@jest/globals';
import { createDecoder } from '../../src/providers/ws/messages.js';

const T = '2026-11-22T20:00:00.000Z';

describe('ws createDecoder', () => {
  test('JSON objects, text, arrays and broken JSON all become events; sent frames are control', () => {
    const d = createDecoder({});
    expect(d('in', '{"type":"trade","id":"t-1"}', T)).toEqual({ kind: 'events', events: [{ time: T, provider: 'ws', type: 'trade', id: 't-1', data: { type: 'trade', id: 't-1' }, json: '{"type":"trade","id":"t-1"}', raw: '{"type":"trade","id":"t-1"}' }] });
    for (const f of ['hello', '[1,2]', '{"type":', '']) expect(d('in', f, T)).toEqual({ kind: 'events', events: [{ time: T, provider: 'ws', type: 'text', data: f, raw: f }] });
    expect(d('out', '{"op":"subscribe"}', T)).toEqual({ kind: 'control' });
  });

  test('--type-path comes from the options', () => {
    const d = createDecoder({ typePath: 'data.kind' });
    const r = d('in', '{"type":"trade","data":{"kind":"buy"}}', T);
    expect(r.kind === 'events' && r.events[0]!.type).toBe('buy');
  });
});
