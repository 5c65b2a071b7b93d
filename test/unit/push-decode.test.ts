/** Push replay decoder: the urn's channel must be subscribed on the current connection; `to` must be the urn. */
import { describe, expect, test } from '@jest/globals';
import { createDecoder } from '../../src/providers/push/messages.js';

const URN = 'b548ea75c1c-36d92a5f';
const T = '2026-11-22T20:00:00.000Z';
const handshake = JSON.stringify({ event: '#handshake', data: { authToken: null }, cid: 1 });
const subscribe = (channel = URN, cid = 3) => JSON.stringify({ event: '#subscribe', data: { channel }, cid });
const publish = (data: unknown, channel = URN) => ({ event: '#publish', data: { channel, data } });
const msg = (id: string, to = URN) => ({ to, from: 'bot', id, text: `text ${id}` });

describe('push createDecoder', () => {
  test('nothing is printed before our #subscribe; then messages to the urn are, with the frame as raw', () => {
    const d = createDecoder();
    expect(d('out', handshake, T)).toEqual({ kind: 'control' });
    expect(d('in', JSON.stringify({ rid: 1, data: { id: 'x', pingTimeout: 20000 } }), T)).toEqual({ kind: 'control' });
    expect(d('out', JSON.stringify({ event: 'registerUser', data: {}, cid: 2 }), T)).toEqual({ kind: 'control' });
    expect(d('in', JSON.stringify({ rid: 2, data: JSON.stringify({ urn: URN }) }), T)).toEqual({ kind: 'control' });
    // Published before the client subscribed: socketcluster-client drops it.
    expect(d('in', JSON.stringify(publish(msg('early'))), T)).toEqual({ kind: 'control' });
    expect(d('out', subscribe(), T)).toEqual({ kind: 'control' });
    const frame = JSON.stringify(publish(msg('push-1')));
    expect(d('in', frame, T)).toEqual({ kind: 'events', events: [{ time: T, provider: 'push', type: 'message', id: 'push-1', channel: URN, data: msg('push-1'), json: JSON.stringify(msg('push-1')), raw: frame }] });
  });

  test('pings, messages to another urn and other channels are control; broken frames and non-object messages are invalid', () => {
    const d = createDecoder();
    d('out', handshake, T);
    d('out', subscribe(), T);
    expect(d('in', '#1', T)).toEqual({ kind: 'control' });
    expect(d('out', '#2', T)).toEqual({ kind: 'control' });
    expect(d('in', JSON.stringify(publish(msg('stray-1', 'someone-else'))), T)).toEqual({ kind: 'control' });
    expect(d('in', JSON.stringify(publish(msg('other'), 'another-channel')), T)).toEqual({ kind: 'control' });
    expect(d('in', '{"event":"#publish","data":{"channel":', T)).toEqual({ kind: 'invalid', reason: 'not JSON' });
    expect(d('in', '{"hello":1}', T)).toEqual({ kind: 'invalid', reason: 'not a SocketCluster packet' });
    expect(d('in', JSON.stringify(publish('just text')), T)).toMatchObject({ kind: 'invalid' });
  });

  test('a batch: every message to the urn, in order', () => {
    const d = createDecoder();
    d('out', subscribe(), T);
    const frame = JSON.stringify([publish(msg('a')), { rid: 9 }, publish(msg('s', 'x')), publish({ ...msg('b'), type: 'quick_reply' })]);
    const r = d('in', frame, T);
    expect(r.kind === 'events' && r.events.map((e) => [e.type, e.id, e.raw])).toEqual([
      ['message', 'a', frame],
      ['quick_reply', 'b', frame],
    ]);
  });

  test('a new connection (our #handshake) starts unsubscribed; a #kickOut ends the subscription', () => {
    const d = createDecoder();
    d('out', handshake, T);
    d('out', subscribe(), T);
    expect(d('in', JSON.stringify(publish(msg('1'))), T).kind).toBe('events');
    d('out', handshake, T);
    expect(d('in', JSON.stringify(publish(msg('2'))), T)).toEqual({ kind: 'control' });
    d('out', subscribe(URN, 2), T);
    expect(d('in', JSON.stringify(publish(msg('3'))), T).kind).toBe('events');
    expect(d('in', JSON.stringify({ event: '#kickOut', data: { channel: URN, message: 'bye' } }), T)).toEqual({ kind: 'control' });
    expect(d('in', JSON.stringify(publish(msg('4'))), T)).toEqual({ kind: 'control' });
  });

  test('an invoke (with a cid) is not a publish', () => {
    const d = createDecoder();
    d('out', subscribe(), T);
    expect(d('in', JSON.stringify({ ...publish(msg('1')), cid: 5 }), T)).toEqual({ kind: 'control' });
  });
});
