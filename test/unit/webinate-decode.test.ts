/** Webinate replay decoder: stateless, the driver's own parseFrame and toEvent. */
import { describe, expect, test } from '@jest/globals';
import { createDecoder as webinateDecoder } from '../../src/providers/webinate/messages.js';

const T = '2026-11-22T20:00:00.000Z';

describe('webinate createDecoder', () => {
  const d = webinateDecoder();
  test('every JSON object is an event (errors too); the rest invalid; sent frames control', () => {
    const f = '{"eventType":9,"error":"Could not find user bob"}';
    expect(d('in', f, T)).toEqual({ kind: 'events', events: [{ time: T, provider: 'webinate', type: 'MetaRequest', data: { eventType: 9, error: 'Could not find user bob' }, json: f, raw: f }] });
    expect(d('in', '{"type":"Login","username":"alice","id":"wb-1"}', T)).toMatchObject({ kind: 'events', events: [{ type: 'Login', id: 'wb-1' }] });
    expect(d('in', '{"eventType":5,"username":', T)).toEqual({ kind: 'invalid', reason: 'not JSON' });
    expect(d('in', '[1]', T)).toEqual({ kind: 'invalid', reason: 'not a JSON object' });
    expect(d('out', '{"eventType":10,"type":"Echo","message":"hi"}', T)).toEqual({ kind: 'control' });
  });
});
