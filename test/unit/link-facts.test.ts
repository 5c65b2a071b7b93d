/** Links record facts; one rule picks the decisive one; each driver's classify turns it into a verdict, once. */
import { describe, expect, test } from '@jest/globals';
import { AuthError } from '../../src/errors.js';
import { classify as classifyWebinate } from '../../src/providers/webinate/driver.js';
import { classify as classifyStreamElements } from '../../src/providers/streamelements/verdict.js';
import { classify as classifyWs } from '../../src/providers/ws/driver.js';
import { Facts } from '../../src/transport/cause.js';
import { classifyStandard } from '../../src/transport/classify.js';
import type { LinkCause } from '../../src/types.js';

const close = (code: number, reason = ''): LinkCause => ({ kind: 'close', code, reason });
const socket = (code: string, message = code): LinkCause => ({ kind: 'socket', code, message, url: 'ws://127.0.0.1:1/' });
const fatal: LinkCause = { kind: 'protocol', outcome: { recovery: 'fatal', error: new AuthError('refused') } };
const asked: LinkCause = { kind: 'protocol', outcome: { recovery: 'retry', reason: 'the server asked us to reconnect', immediate: true } };
const dead: LinkCause = { kind: 'local', action: 'dead', reason: 'dead link: no heartbeat answer within 1000 ms' };

function causeOf(...facts: LinkCause[]): LinkCause {
  const f = new Facts();
  for (const x of facts) f.note(x);
  return f.cause();
}

describe('the decisive fact', () => {
  test('a socket error decides over the 1006 close it causes; the first socket error wins', () => {
    expect(causeOf(socket('ECONNRESET'), socket('EPIPE'), close(1006))).toEqual(socket('ECONNRESET'));
  });
  test('a dead link decides over whatever the kill causes, and over the protocol\'s own retry', () => {
    expect(causeOf(asked, dead, socket('ECONNRESET'), close(1006))).toBe(dead);
  });
  test('a refusal decides over everything, even a dead link noted after it', () => {
    expect(causeOf(fatal, dead, close(1000))).toBe(fatal);
  });
  test('the protocol\'s last word wins over an HTTP answer and a close frame', () => {
    const later: LinkCause = { kind: 'protocol', outcome: { recovery: 'done', reason: 'bye' } };
    expect(causeOf(asked, later, close(1000))).toBe(later);
  });
  test('no fact at all is an abnormal closure', () => {
    expect(causeOf()).toEqual(close(1006));
  });
});

describe('classify', () => {
  test('standard: a stop is done, a dead link retries with its reason, 1000 ends, 429 waits for Retry-After', () => {
    expect(classifyStandard({ kind: 'local', action: 'stop', reason: 'closed by evtail' })).toEqual({ recovery: 'done', reason: 'closed by evtail' });
    expect(classifyStandard(dead)).toEqual({ recovery: 'retry', reason: dead.kind === 'local' ? dead.reason : '' });
    expect(classifyStandard(close(1000))).toMatchObject({ recovery: 'done' });
    expect(classifyStandard({ kind: 'http', status: 429, headers: { 'retry-after': '7' } })).toMatchObject({ recovery: 'retry', delayMs: 7000 });
  });

  test('ws: a subprotocol the server did not agree on is fatal, whichever listener heard it first', () => {
    const v = classifyWs(socket('', 'Server sent no subprotocol'), { protocols: ['graphql-ws'] });
    expect(v.recovery).toBe('fatal');
    expect(v.recovery === 'fatal' && v.error.message).toMatch(/did not agree on a subprotocol .*offered: graphql-ws/);
  });

  test('webinate: terminated right after opening, before any message, counts towards the Origin refusal; the threshold makes it fatal', () => {
    const state = { opened: true, openedAt: 0, messages: 0, closedAt: 100, refusedInARow: 0, threshold: 2, origin: 'http://x' };
    const first = classifyWebinate(close(1006), state);
    expect(first.refusedInARow).toBe(1);
    expect(first.outcome).toMatchObject({ recovery: 'retry', reason: expect.stringMatching(/\(1 of 2\)/) });
    const second = classifyWebinate(close(1006), { ...state, refusedInARow: 1 });
    expect(second.outcome.recovery).toBe('fatal');
    // Not a refusal: we ended it, a message came, a real close code, or too late.
    expect(classifyWebinate(dead, state).refusedInARow).toBe(0);
    expect(classifyWebinate(close(1006), { ...state, messages: 1 }).refusedInARow).toBe(0);
    expect(classifyWebinate(close(1011), state).refusedInARow).toBe(0);
    expect(classifyWebinate(close(1006), { ...state, closedAt: 60_000 }).refusedInARow).toBe(0);
  });

  test('streamelements: a connection with a reconnect token that closed before the welcome means the token was refused', () => {
    expect(classifyStreamElements(close(1006), { refusedToken: true })).toMatchObject({ recovery: 'retry', reason: expect.stringMatching(/refused the reconnect token .*subscribing afresh/) });
    expect(classifyStreamElements(close(1006), { refusedToken: false })).toMatchObject({ recovery: 'retry', reason: 'closed with code 1006 (abnormal closure, no close frame)' });
  });
});
