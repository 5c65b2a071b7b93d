/** src/exit.ts: the one place an end reason becomes the CLI's exit code, its error and its reason text. */
import { describe, expect, test } from '@jest/globals';
import { AuthError, ConnectionError, IdleError, TimeoutError, UsageError } from '../../src/errors.js';
import { endError, endText, exitCode, outcome, type EndReason } from '../../src/exit.js';

describe('end reason → exit code', () => {
  test.each<[EndReason, number]>([
    [{ kind: 'max-events', count: 3 }, 0],
    [{ kind: 'until' }, 0],
    [{ kind: 'duration', ms: 1000 }, 0],
    [{ kind: 'stream-ended', reason: 'closed with code 1000' }, 0],
    [{ kind: 'all-ended' }, 0],
    [{ kind: 'stopped', by: 'caller' }, 0],
    [{ kind: 'stopped', by: 'stdout-closed' }, 0],
    [{ kind: 'internal', message: 'internal error while connecting: x' }, 1],
    [{ kind: 'fatal', error: new UsageError('bad option') }, 2],
    [{ kind: 'fatal', error: new AuthError('bad token') }, 3],
    [{ kind: 'timeout', ms: 1000, printed: 1, maxEvents: 5 }, 4],
    [{ kind: 'connection-lost', everReady: true, reason: 'closed with code 1006' }, 5],
    [{ kind: 'gave-up', attempts: 3, reason: 'connection refused' }, 5],
    [{ kind: 'idle', ms: 1000, scope: '' }, 6],
    [{ kind: 'undelivered', message: '2 events could not be delivered to --forward-to x' }, 7],
    [{ kind: 'signal', signal: 'SIGHUP' }, 129],
    [{ kind: 'signal', signal: 'SIGINT' }, 130],
    [{ kind: 'signal', signal: 'SIGTERM' }, 143],
    [{ kind: 'stream-failed', source: 'tips', end: { kind: 'fatal', error: new AuthError('bad token') } }, 3],
  ])('%j → %i', (end, code) => {
    expect(exitCode(end)).toBe(code);
    // An error exactly when the code says the run failed (a signal is said by its code alone).
    expect(endError(end) === undefined).toBe(code === 0 || code >= 128);
    if (endError(end)) expect(endError(end)!.exitCode).toBe(code);
  });

  test('the errors and words the CLI has always used', () => {
    expect(endError({ kind: 'timeout', ms: 1500, printed: 2, maxEvents: 5 })).toEqual(new TimeoutError('timed out after 1.5s with 2 of 5 events'));
    expect(endError({ kind: 'timeout', ms: 1500, printed: 2 })!.message).toBe('timed out after 1.5s');
    expect(endError({ kind: 'idle', ms: 60_000, scope: ' on any stream' })).toEqual(new IdleError('no event arrived on any stream for 1m (--idle-timeout)'));
    const lost = endError({ kind: 'connection-lost', everReady: false, reason: 'ECONNREFUSED' })!;
    expect(lost).toBeInstanceOf(ConnectionError);
    expect([lost.message, lost.hint]).toEqual(['could not connect: ECONNREFUSED', 'evtail reconnects by itself unless --no-reconnect is given']);
    const gaveUp = endError({ kind: 'gave-up', attempts: 1, windowMs: 10_000, reason: 'drop' })!;
    expect([gaveUp.message, gaveUp.hint]).toEqual(['gave up after 1 reconnect attempt within 10s: drop', 'raise --max-retries (or inf), or check that the server is reachable']);
    const auth = new AuthError('bad token', 'check --token');
    expect(endError({ kind: 'fatal', error: auth })).toBe(auth);
    const failed = endError({ kind: 'stream-failed', source: 'tips', end: { kind: 'fatal', error: auth } })!;
    expect([failed.message, failed.hint, failed.exitCode]).toEqual(['[tips] bad token', 'check --token', 3]);
    expect(endText({ kind: 'max-events', count: 3 })).toBe('3 events received');
    expect(endText({ kind: 'duration', ms: 2000 })).toBe('--duration: watched for 2s');
    expect(endText({ kind: 'signal', signal: 'SIGINT' })).toBe('stopped by SIGINT');
    expect(outcome({ kind: 'stopped', by: 'caller' })).toEqual({ code: 0, reason: 'stopped by the caller' });
  });
});
