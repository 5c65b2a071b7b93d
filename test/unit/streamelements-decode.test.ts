/** StreamElements replay decoder: messages are events; the room falls back to the one the client subscribed in. */
import { describe, expect, test } from '@jest/globals';
import { createDecoder } from '../../src/providers/streamelements/messages.js';

const T = '2026-11-22T20:00:00.000Z';
const subscribe = (room?: string) => JSON.stringify({ type: 'subscribe', nonce: 'n1', data: { topic: 'channel.tips', ...(room ? { room } : {}), token: '***', token_type: 'jwt' } });
const message = (extra: Record<string, unknown> = {}) => JSON.stringify({ id: '01M8', ts: 'x', type: 'message', topic: 'channel.tips', data: { amount: 5 }, ...extra });

describe('streamelements createDecoder', () => {
  test('message → event (type and topic = topic, id, room from the frame); the rest is control; broken frames invalid', () => {
    const d = createDecoder({});
    const frame = message({ room: 'r-1' });
    expect(d('in', frame, T)).toEqual({ kind: 'events', events: [{ time: T, provider: 'streamelements', type: 'channel.tips', id: '01M8', topic: 'channel.tips', room: 'r-1', data: { amount: 5 }, json: '{"amount":5}', raw: frame }] });
    for (const type of ['welcome', 'response', 'RESPONSE', 'reconnect', 'something_new']) expect(d('in', JSON.stringify({ type, data: {} }), T)).toEqual({ kind: 'control' });
    expect(d('in', '{"type":"message","topic":', T)).toEqual({ kind: 'invalid', reason: 'not JSON' });
    expect(d('in', JSON.stringify({ type: 'message', data: {} }), T)).toEqual({ kind: 'invalid', reason: 'message without a "topic"' });
    expect(d('in', '{}', T)).toEqual({ kind: 'invalid', reason: 'no "type"' });
  });

  test('a message without a room gets the room of our subscribe request (the driver\'s --room), else none', () => {
    const d = createDecoder({});
    const roomOf = (r: ReturnType<typeof d>) => (r.kind === 'events' ? r.events[0]!.room : 'not an event');
    expect(roomOf(d('in', message(), T))).toBeUndefined();
    expect(d('out', subscribe('my-room'), T)).toEqual({ kind: 'control' });
    expect(roomOf(d('in', message(), T))).toBe('my-room');
    expect(roomOf(d('in', message({ room: 'theirs' }), T))).toBe('theirs');
  });

  test('options.room is the fallback until the recording shows a subscribe request', () => {
    const d = createDecoder({ room: 'from-env' });
    const roomOf = (r: ReturnType<typeof d>) => (r.kind === 'events' ? r.events[0]!.room : 'not an event');
    expect(roomOf(d('in', message(), T))).toBe('from-env');
    d('out', subscribe(), T);
    expect(roomOf(d('in', message(), T))).toBeUndefined();
  });
});
