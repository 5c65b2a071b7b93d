import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { checkSendJson, echoFrame, eventName, generationOf, isReplyTo, metaFrame, originOf, parseFrame, summarize, toEvent } from '../../src/providers/webinate/messages.js';
import { parseOptions, WebinateDriver } from '../../src/providers/webinate/driver.js';
import { DEFAULT_APPROVED_SOCKET_DOMAINS, WebinateMock } from '../../src/providers/webinate/mock.js';
import provider from '../../src/providers/webinate/index.js';
import { commonMockSettings } from '../../src/providers/mock-kit.js';
import { defaultTransport } from '../../src/transport/ws-transport.js';
import { systemClock, type TailEvent } from '../../src/types.js';
import { UsageError } from '../../src/errors.js';
import { ROOT } from '../helpers/evtail.js';

const frames = JSON.parse(readFileSync(`${ROOT}/fixtures/webinate/frames.json`, 'utf8')) as Record<string, string>;
const T = '2026-11-22T18:00:00.123Z';

function decode(name: string): TailEvent {
  const p = parseFrame(frames[name]!);
  if (!p.ok) throw new Error(p.reason);
  return toEvent(p.token, T, frames[name]);
}

describe('Webinate decoding', () => {
  test('numeric eventType 1–10 decode to their names', () => {
    expect(decode('loginNumeric').type).toBe('Login');
    expect(decode('logoutNumeric').type).toBe('Logout');
    expect(decode('removedNumeric').type).toBe('Removed');
    expect(decode('fileUploadedNumeric').type).toBe('FileUploaded');
    expect(decode('fileRemovedNumeric').type).toBe('FileRemoved');
    expect(decode('bucketUploadedNumeric').type).toBe('BucketUploaded');
    expect(decode('metaErrorNumeric').type).toBe('MetaRequest');
    expect(decode('echoNumeric').type).toBe('Echo');
    const all = Array.from({ length: 10 }, (_, i) => eventName({ eventType: i + 1 }));
    expect(all).toEqual(['Login', 'Logout', 'Activated', 'Removed', 'FileUploaded', 'FileRemoved', 'BucketUploaded', 'BucketRemoved', 'MetaRequest', 'Echo']);
  });

  test('the newer string type decodes the same way', () => {
    expect(decode('loginString').type).toBe('Login');
    expect(decode('activatedString').type).toBe('Activated');
    expect(decode('fileRemovedString').type).toBe('FileRemoved');
    expect(decode('bucketRemovedString').type).toBe('BucketRemoved');
    expect(decode('metaReplyString').type).toBe('MetaRequest');
  });

  test('the envelope: provider, time, data unchanged, raw kept, no id unless the frame has one', () => {
    const ev = decode('fileUploadedNumeric');
    expect(ev).toMatchObject({ time: T, provider: 'webinate', type: 'FileUploaded' });
    expect(ev.data).toEqual(JSON.parse(frames.fileUploadedNumeric!));
    expect(ev.raw).toBe(frames.fileUploadedNumeric);
    expect(ev.id).toBeUndefined();
    expect(decode('mockEvent').id).toBe('wb-17');
  });

  test('unknown numbers become eventType:<n>; unknown strings stay; a numeric string is a number; neither is "unknown"', () => {
    expect(decode('unknownNumber').type).toBe('eventType:42');
    expect(decode('unknownString').type).toBe('PasswordReset');
    expect(decode('numericString').type).toBe('Activated');
    expect(decode('noType').type).toBe('unknown');
  });

  test('bad frames say why', () => {
    expect(parseFrame(frames.notJson!)).toEqual({ ok: false, reason: 'not JSON' });
    expect(parseFrame(frames.array!)).toEqual({ ok: false, reason: 'not a JSON object' });
  });
});

describe('Webinate summaries', () => {
  test('user events: the username', () => {
    expect(summarize(decode('loginNumeric'))).toBe('alice');
    expect(summarize(decode('activatedString'))).toBe('carol');
  });
  test('file events: name, size, bucket (and who)', () => {
    expect(summarize(decode('fileUploadedNumeric'))).toBe('invoice-2026-11.pdf (180 KiB) in bucket alice-uploads by alice');
    expect(summarize(decode('fileRemovedNumeric'))).toBe('notes.txt (1.2 KiB) in bucket bob-assets by bob');
  });
  test('bucket events', () => {
    expect(summarize(decode('bucketUploadedNumeric'))).toBe('bucket erin-textures by erin');
    expect(summarize(decode('bucketRemovedString'))).toBe('bucket erin-backups (5 MiB used) by erin');
  });
  test('echo: the message', () => {
    expect(summarize(decode('echoNumeric'))).toBe('Hello world?');
    expect(summarize(decode('echoBroadcast'))).toBe('deploy finished (broadcast)');
  });
  test('meta replies and errors', () => {
    expect(summarize(decode('metaReplyString'))).toBe('alice.plan = "pro"');
    expect(summarize(decode('metaErrorNumeric'))).toBe('error: You do not have permission to make this request');
    expect(summarize(decode('fileWithError'))).toBe('big.iso (4 GiB) in bucket alice-uploads by alice (error: Storage quota exceeded)');
  });
  test('unknown events fall back to the printer (empty summary)', () => {
    expect(summarize(decode('unknownNumber'))).toBe('');
  });
});

describe('Webinate helpers', () => {
  test("the default Origin is the URL's own, in http(s) form", () => {
    expect(originOf('ws://127.0.0.1:8104')).toBe('http://127.0.0.1:8104');
    expect(originOf('wss://users.example.com:8080/socket')).toBe('https://users.example.com:8080');
    expect(originOf('ws://localhost:80')).toBe('http://localhost');
    expect(originOf('wss://example.com:443')).toBe('https://example.com');
  });
  test('the Echo carries both generations', () => {
    expect(JSON.parse(echoFrame('hi'))).toEqual({ eventType: 10, type: 'Echo', message: 'hi' });
  });
  test('--send must be a JSON object', () => {
    expect(checkSendJson('{"eventType":9, "username":"alice"}')).toEqual({ ok: true, frame: '{"eventType":9,"username":"alice"}' });
    expect(checkSendJson('{bad')).toMatchObject({ ok: false, reason: expect.stringMatching(/^not valid JSON/) });
    expect(checkSendJson('[1]')).toMatchObject({ ok: false, reason: expect.stringMatching(/JSON object/) });
  });
  test('the session id inside the cookie is redacted too', () => {
    expect(provider.extraSecrets!({ cookie: 'SID=s3cr3t-session' })).toEqual(['s3cr3t-session']);
    expect(provider.extraSecrets!({})).toEqual([]);
  });
});

describe('Webinate driver options', () => {
  /** The options parsed once, as run.ts does, and the driver built from them. */
  const driver = (common: { url?: string }, options: Record<string, unknown> = {}) =>
    new WebinateDriver({ ...parseOptions(options, { reconnect: true, maxRetries: 10, quiet: false, verbose: false, maxFrameSize: 1 << 20, ...common }), transport: defaultTransport, clock: systemClock });
  test('--url is required and must be ws(s)', () => {
    expect(() => driver({})).toThrow(UsageError);
    expect(() => driver({})).toThrow(/missing --url/);
    expect(() => driver({ url: 'http://localhost:8080' })).toThrow(/ws:\/\/ or wss:\/\//);
  });
  test('bad --send JSON is a usage error', () => {
    expect(() => driver({ url: 'ws://localhost:8080' }, { send: '{nope' })).toThrow(/--send: not valid JSON/);
  });
  test('origin: given, or derived from the URL', () => {
    expect(driver({ url: 'ws://10.0.0.5:8080' }).origin).toBe('http://10.0.0.5:8080');
    expect(driver({ url: 'ws://10.0.0.5:8080' }, { origin: 'https://app.example.com' }).origin).toBe('https://app.example.com');
  });
});

describe("the mock's Origin check, as the real server does it", () => {
  const mock = (domains: string[] = [...DEFAULT_APPROVED_SOCKET_DOMAINS]) =>
    new WebinateMock({ ...commonMockSettings({}), approvedSocketDomains: domains, socketApiKey: 'k', generation: 'numeric', approvalDelay: 0, sessions: new Map() });
  test('unanchored: "localhost" approves any Origin that contains it', () => {
    const m = mock();
    expect(m.approves('http://localhost:3000', undefined).approved).toBe(true);
    expect(m.approves('http://localhost.evil.example', undefined).approved).toBe(true);
    expect(m.approves('http://notlocalhost', undefined).approved).toBe(true);
    expect(m.approves('http://127.0.0.1:8104', undefined).approved).toBe(false);
  });
  test('anchored entries are tested against the whole header, scheme included', () => {
    const m = mock();
    expect(m.approves('example.com', undefined).approved).toBe(true);
    expect(m.approves('http://example.com', undefined).approved).toBe(false);
    expect(m.approves('api.example.com', undefined).approved).toBe(true);
    expect(m.approves('example.org.attacker.net', undefined).approved).toBe(true);
    expect(m.approves('trusted-host', undefined).approved).toBe(true);
  });
  test('no Origin: refused; the API key approves any Origin, but an empty list approves no one', () => {
    const m = mock();
    expect(m.approves(undefined, undefined).approved).toBe(false);
    // A key is compared (bcrypt) once per entry until one approves: a valid one at the first entry.
    expect(m.approves(undefined, 'k')).toEqual({ approved: true, thirdParty: true, compares: 1 });
    expect(m.approves('http://127.0.0.1', 'wrong')).toEqual({ approved: false, thirdParty: false, compares: DEFAULT_APPROVED_SOCKET_DOMAINS.length });
    expect(mock([]).approves('http://localhost', 'k').approved).toBe(false);
  });
  test('a list entry that is not a regular expression fails at start', () => {
    expect(() => mock(['(unclosed'])).toThrow(/approvedSocketDomains: not a regular expression: \(unclosed/);
  });
});

describe('webinate generations and answers', () => {
  test('a MetaRequest goes out in the server generation; the type/eventType given is replaced', () => {
    const meta = { type: 'MetaRequest', username: 'alice', property: 'plan' };
    expect(JSON.parse(metaFrame(meta, 'string'))).toEqual({ type: 'MetaRequest', username: 'alice', property: 'plan' });
    expect(JSON.parse(metaFrame(meta, 'numeric'))).toEqual({ eventType: 9, username: 'alice', property: 'plan' });
  });

  test('a frame tells its generation when it carries type or eventType', () => {
    expect(generationOf({ type: 'Login', username: 'a' })).toBe('string');
    expect(generationOf({ eventType: 1, username: 'a' })).toBe('numeric');
    expect(generationOf({ username: 'a' })).toBeUndefined();
  });

  test('answers: a MetaRequest about the user asked for, or with an error; an Echo of the same message; nothing else', () => {
    const asked = { type: 'MetaRequest', username: 'alice' };
    expect(isReplyTo({ type: 'MetaRequest', username: 'alice', val: 1 }, asked)).toBe(true);
    expect(isReplyTo({ type: 'MetaRequest', error: 'You do not have permission to make this request' }, asked)).toBe(true);
    expect(isReplyTo({ type: 'MetaRequest', username: 'bob', val: 1 }, asked)).toBe(false);
    expect(isReplyTo({ type: 'Login', username: 'alice' }, asked)).toBe(false);
    expect(isReplyTo({ eventType: 10, message: 'hi' }, { eventType: 10, message: 'hi' })).toBe(true);
    expect(isReplyTo({ eventType: 10, message: 'other' }, { eventType: 10, message: 'hi' })).toBe(false);
  });
});
