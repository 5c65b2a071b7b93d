/**
 * Issue 13, finding 8: no credential reaches any output. A server echoes what it was sent (the URL with its
 * userinfo and credential parameters, the Authorization header) JSON-escaped its own way (`\/`, `\uXXXX`), in
 * frames, in a close reason; evtail runs with -v, --record, --stats, --meta and a proxy with credentials.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { processJanitor } from '../helpers/evtail.js';
import { closedPort, connectProxy, hostileWs } from './servers.js';

const janitor = processJanitor();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  janitor.cleanup();
  for (const c of cleanups.splice(0)) await c();
});

const PARAMS = { jwt: 'JWTSECRET1', access_token: 'ACCESS1tok', auth_token: 'AUTHTOK1x', api_key: 'APIKEY1xx', client_secret: 'CLIENTSEC1', password: 'PASSW1xyz', signature: 'SIG1abcd' };
const USER = 'alice';
const PASSWORD = 'pa55word-secret';
const BEARER = 'tok/with/slashes-XYZ';
const PROXY_USER = 'proxyuser';
const PROXY_PASSWORD = 'proxysecret-9';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const SECRETS = [...Object.values(PARAMS), PASSWORD, BEARER, 'slashes-XYZ', PROXY_PASSWORD, b64(`${USER}:${PASSWORD}`), b64(`${PROXY_USER}:${PROXY_PASSWORD}`)];

/** A JSON string the way a server may escape it: every `/` as `\/`, every X and every digit as `\uXXXX`. */
function escapedJson(text: string): string {
  return JSON.stringify(text)
    .replace(/\//g, '\\/')
    .replace(/[X0-9]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The text, with JSON escapes undone: a secret must not hide behind one either. */
function unescaped(text: string): string {
  return text.replace(/\\\//g, '/').replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function expectNoSecret(what: string, text: string): void {
  for (const s of SECRETS) {
    if (text.includes(s) || unescaped(text).includes(s)) throw new Error(`${what} shows the secret ${s}:\n${text.slice(0, 3000)}`);
  }
}

describe('every credential form is absent from every output', () => {
  test('-v, --record, --stats, --meta, the error, stdout: URL userinfo, credential parameters, an echoed header, proxy credentials', async () => {
    const server = await hostileWs((ws, req) => {
      ws.send(`{"type":"echo","url":${escapedJson(req.url ?? '')},"authorization":${escapedJson(String(req.headers.authorization))},"basic":${escapedJson(b64(`${USER}:${PASSWORD}`))}}`);
      ws.send(JSON.stringify({ type: 'keep', n: 1 }));
      ws.send(`{"type":"echo","error":"bad credentials: wss:\\/\\/${USER}:${PASSWORD}@host\\/x?jwt=${PARAMS.jwt}"}`);
      ws.close(4000, `refused ?jwt=${PARAMS.jwt}&api_key=${PARAMS.api_key} wss://${USER}:${PASSWORD}@h`);
    });
    cleanups.push(() => server.close());
    const proxy = await connectProxy();
    cleanups.push(() => proxy.close());
    const query = new URLSearchParams(PARAMS).toString();
    const url = server.url.replace('ws://', `ws://${USER}:${PASSWORD}@`) + `feed?${query}`;
    const record = path.join(mkdtempSync(path.join(tmpdir(), 'evtail-redact-')), 'rec.ndjson');
    const proxyUrl = proxy.url.replace('http://', `http://${PROXY_USER}:${PROXY_PASSWORD}@`);
    const r = await janitor
      .inProcess(['ws', url, '--header', `Authorization: Bearer ${BEARER}`, '--proxy', proxyUrl, '-v', '--record', record, '--stats', '--meta', '--type', 'keep', '--max-retries', '1', '-o', 'ndjson'])
      .exit();
    expect(r.code).toBe(5);
    // The secrets were on the wire: the server and the proxy got them.
    expect(server.requests[0]!.url).toContain(PARAMS.client_secret);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${BEARER}`);
    expect(proxy.tunnels[0]!.auth).toBe(`Basic ${b64(`${PROXY_USER}:${PROXY_PASSWORD}`)}`);
    // -v showed the echo frames, the run ended on the close reason, --stats and the record were written.
    expect(r.stderr).toMatch(/evtail: < \{"type":"echo"/);
    expect(r.stderr).toMatch(/error: gave up after 1 reconnect attempt: closed with code 4000: refused \?jwt=\*\*\*&api_key=\*\*\* wss:\/\/\*\*\*@h/);
    expect(r.lines.some((l) => l.includes('"type":"evtail.reconnecting"') && l.includes('refused ?jwt=***'))).toBe(true);
    expect(r.stderr).toMatch(/"evtail":"stats"/);
    expect(r.lines.some((l) => l.includes('"type":"keep"'))).toBe(true);
    const recorded = readFileSync(record, 'utf8');
    expect(recorded).toContain('"dir":"in"');
    expectNoSecret('stdout', r.stdout);
    expectNoSecret('stderr', r.stderr);
    expectNoSecret('the --record file', recorded);
  });

  test('a proxy URL with credentials in an error: --proxy socks5://user:secret@… and a refused proxy', async () => {
    const bad = await janitor.inProcess(['ws', 'ws://127.0.0.1:9/', '--proxy', `socks5://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:1080`]).exit();
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--proxy: expected an http:\/\/ or https:\/\/ (proxy )?URL, got "socks5:\/\/\*\*\*@127\.0\.0\.1:1080"/);
    expectNoSecret('the usage error', bad.stderr);
    const port = await closedPort();
    const refused = await janitor.inProcess(['ws', 'ws://127.0.0.1:9/', '--proxy', `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${port}`, '--max-retries', '0', '--stats', '-v']).exit();
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/the proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+\//);
    expectNoSecret('the proxy error', refused.stderr);
  });
});
