/** The status reporter on stderr (no terminal: no spinner): what each level shows, -q and -v, redaction, a closed stderr. */
import { PassThrough } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { StatusReporter } from '../../src/output/status.js';
import { Redactor } from '../../src/redact.js';

function reporter(o: { quiet?: boolean; verbose?: boolean } = {}) {
  const stderr = new PassThrough();
  let text = '';
  stderr.setEncoding('utf8').on('data', (d: string) => (text += d));
  const r = new StatusReporter({ quiet: o.quiet ?? false, verbose: o.verbose ?? false, stderr: stderr as unknown as NodeJS.WriteStream, redactor: new Redactor(['s3cret-token']), spinner: false });
  return { r, stderr, out: () => text };
}

describe('StatusReporter', () => {
  test('status, ready, warnings and errors (with their hint) each on a line of their own, prefixed', async () => {
    const { r, out } = reporter();
    await r.init();
    r.status('connecting');
    r.ready('ready: logged in');
    r.warn('a frame did not decode (not JSON): {');
    r.error('login refused', 'check the token');
    r.debug('not shown without -v');
    r.frame('in', 'not shown without -v');
    expect(out()).toBe('evtail: connecting\nevtail: ready: logged in\nevtail: warning: a frame did not decode (not JSON): {\nevtail: error: login refused\nevtail: hint: check the token\n');
  });

  test('-q keeps errors only; -v adds details and frames with their direction', () => {
    const q = reporter({ quiet: true });
    q.r.status('connecting');
    q.r.warn('slow');
    q.r.error('gave up');
    expect(q.out()).toBe('evtail: error: gave up\n');
    const v = reporter({ verbose: true });
    v.r.debug('hello: heartbeat every 100 ms');
    v.r.frame('out', '{"op":1}');
    v.r.frame('in', '{"op":11}');
    expect(v.out()).toBe('evtail: hello: heartbeat every 100 ms\nevtail: > {"op":1}\nevtail: < {"op":11}\n');
  });

  test('secrets never reach stderr, including ones learned while running', () => {
    const { r, out } = reporter({ verbose: true });
    r.frame('out', '{"op":2,"token":"s3cret-token"}');
    r.secret('session-abc-123');
    r.warn('the server said: session-abc-123 expired');
    expect(out()).not.toMatch(/s3cret-token|session-abc-123/);
    expect(out()).toContain('***');
  });

  test('a closed stderr (2>&1 | head) is no reason to crash: later lines are dropped', () => {
    const { r, stderr, out } = reporter();
    r.status('one');
    stderr.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(() => r.status('two')).not.toThrow();
    expect(out()).toBe('evtail: one\n');
  });
});
