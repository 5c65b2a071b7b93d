/**
 * The fault suite's provider adapters: how to start each provider's mock with the common fault knobs, how evtail
 * tails it, how to make its watchdog quick, where the event number sits in its envelope, and its close-code table
 * (from catalogue.mjs, which the reliability table is printed from). Scenario files loop over `adapters`.
 */
import { startDoshiiMock } from '../../src/providers/doshii/mock.js';
import { DEMO_CHANNEL_UUID, DEMO_HOST_API, startPushMock, type PushMock } from '../../src/providers/push/mock.js';
import { seqFromId, startStreamElementsMock } from '../../src/providers/streamelements/mock.js';
import { startWeniMock, WENI_CALLBACK_EXAMPLE } from '../../src/providers/push/weni-mock.js';
import { startTweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import { DEFAULT_SOCKET_API_KEY as WEBINATE_KEY, startWebinateMock } from '../../src/providers/webinate/mock.js';
import type { MockServer } from '../../src/types.js';
import { CLOSE_CODES, SCENARIOS, type CloseCase, type ProviderName, type Scenario, type ScenarioId } from './catalogue.mjs';

export type Knobs = Record<string, unknown>;
export type Envelope = Record<string, unknown>;

/** What the suite needs of a mock: every one counts its connections and tells of the faults it plays. */
export interface FaultMock extends MockServer {
  readonly stats: { connections: number };
  /** Bytes queued at the server for its clients, not yet taken by the kernel: above zero once a client stops reading. */
  backlog(): number;
  on(event: 'fault', listener: (action: 'drop' | 'close') => void): this;
}

export interface FaultAdapter {
  readonly name: ProviderName;
  /** Start the mock on 127.0.0.1 (any free port unless knobs.port), 100 events/s unless knobs.rate says otherwise. */
  start(knobs?: Knobs): Promise<FaultMock>;
  /** A new server on the old one's port, with what a real server keeps across a restart. */
  restart(old: FaultMock, knobs?: Knobs): Promise<FaultMock>;
  /** The path of the mock's WebSocket endpoint (for a stand-in server on another port). */
  readonly path: string;
  /** evtail's arguments to tail the server at url in NDJSON. */
  args(url: string): string[];
  /**
   * A quick watchdog: the mock's knobs, evtail's options, and the warning evtail prints when it fires. `stall`:
   * the knobs instead for a consumer that stalls evtail for a second, where the server's own limit for a client
   * that does not read is the same knob (a real server kicks such a client out too, just later).
   */
  readonly watchdog: { knobs: Knobs; args: string[]; warning: RegExp; stall?: Knobs };
  /** The event number the mock put into an envelope. */
  seq(ev: Envelope): number;
  readonly closeCodes: readonly CloseCase[];
}

const live = new Set<FaultMock>();

async function tracked(start: (o: Knobs) => Promise<unknown>, knobs: Knobs): Promise<FaultMock> {
  const mock = (await start({ host: '127.0.0.1', port: 0, rate: 100, ...knobs })) as FaultMock;
  live.add(mock);
  return mock;
}

/** Close every mock a test started (afterEach). Closing twice is harmless: a test may close one itself. */
export async function closeMocks(): Promise<void> {
  const all = [...live];
  live.clear();
  await Promise.all(all.map((m) => m.close().catch(() => undefined)));
}

/** Close one mock now (the restart scenario). */
export async function closeMock(mock: FaultMock): Promise<void> {
  live.delete(mock);
  await mock.close();
}

const numberAfter = (prefix: string) => (ev: Envelope) => {
  const id = String(ev.id);
  if (!id.startsWith(prefix)) throw new Error(`an envelope id without the mock's number: ${id}`);
  return Number(id.slice(prefix.length));
};

const TOKEN = 'fault-suite-token';
const CLIENT_ID = 'fault-suite-client';
const ORIGIN = 'http://localhost:4200';

export const adapters: readonly FaultAdapter[] = [
  {
    name: 'tweetcatcher',
    start: (k = {}) => tracked(startTweetCatcherMock, { token: [TOKEN], ...k }),
    restart: (old, k = {}) => tracked(startTweetCatcherMock, { token: [TOKEN], port: old.port, ...k }),
    path: '/websocket',
    args: (url) => ['tweetcatcher', '--url', url, '--token', TOKEN, '-o', 'ndjson'],
    // The server names the interval in Hello: the mock's knob is evtail's heartbeat.
    watchdog: { knobs: { heartbeatInterval: 250 }, args: [], warning: /dead link: no heartbeat answer within 250 ms/ },
    seq: numberAfter('tc-'),
    closeCodes: CLOSE_CODES.tweetcatcher,
  },
  {
    name: 'doshii',
    start: (k = {}) => tracked(startDoshiiMock, { clientId: [CLIENT_ID], ...k }),
    restart: (old, k = {}) => tracked(startDoshiiMock, { clientId: [CLIENT_ID], port: old.port, ...k }),
    path: '/app/socket/v3',
    args: (url) => ['doshii', '--url', url, '--client-id', CLIENT_ID, '-o', 'ndjson'],
    watchdog: { knobs: {}, args: ['--heartbeat-interval', '250ms'], warning: /dead link: no heartbeat answer within 250 ms/ },
    seq: numberAfter(''),
    closeCodes: CLOSE_CODES.doshii,
  },
  {
    name: 'push',
    start: (k = {}) => tracked(startPushMock, k),
    // The users (urns) live in Push's backend, not in the socket server's memory: they survive a restart.
    restart: (old, k = {}) => tracked(startPushMock, { port: old.port, urn: [...(old as unknown as PushMock).urns], ...k }),
    path: '/socketcluster/',
    args: (url) => ['push', '--url', url, '--channel-uuid', DEMO_CHANNEL_UUID, '--host-api', DEMO_HOST_API, '-o', 'ndjson'],
    // The server pings (#1) and announces pingTimeout in the handshake: that is evtail's silence limit.
    // The server also closes (4001) a client silent that long: a stalled reader needs a longer one.
    watchdog: { knobs: { pingInterval: 100, pingTimeout: 500 }, args: [], warning: /dead link: no sign of life from the server for 500 ms/, stall: { pingInterval: 100, pingTimeout: 5000 } },
    seq: numberAfter('push-'),
    closeCodes: CLOSE_CODES.push,
  },
  {
    // Weni's webchat socket (push --protocol weni): the contact's identity is kept across reconnections.
    name: 'push-weni',
    start: (k = {}) => tracked(startWeniMock, k),
    restart: (old, k = {}) => tracked(startWeniMock, { port: old.port, ...k }),
    path: '/ws',
    args: (url) => ['push', '--protocol', 'weni', '--url', url, '--callback', WENI_CALLBACK_EXAMPLE, '-o', 'ndjson'],
    // evtail pings ({"type":"ping"}) and the server answers pong: no answer by the next ping is a dead link.
    watchdog: { knobs: {}, args: ['--keepalive-interval', '250ms'], warning: /dead link: no heartbeat answer within 250 ms/ },
    seq: numberAfter('wwc-'),
    closeCodes: CLOSE_CODES['push-weni'],
  },
  {
    name: 'streamelements',
    start: (k = {}) => tracked(startStreamElementsMock, { token: [TOKEN], ...k }),
    restart: (old, k = {}) => tracked(startStreamElementsMock, { token: [TOKEN], port: old.port, ...k }),
    path: '/',
    args: (url) => ['streamelements', '--url', url, '--token', TOKEN, '-o', 'ndjson'],
    watchdog: { knobs: { pingInterval: 50 }, args: ['--ping-timeout', '400ms'], warning: /dead link: no sign of life from the server for 400 ms/ },
    seq: (ev) => seqFromId(String(ev.id)),
    closeCodes: CLOSE_CODES.streamelements,
  },
  {
    name: 'webinate',
    start: (k = {}) => tracked(startWebinateMock, k),
    restart: (old, k = {}) => tracked(startWebinateMock, { port: old.port, ...k }),
    path: '/',
    // A current server: a trusted third party (the API key) gets every event.
    args: (url) => ['webinate', '--url', url, '--origin', ORIGIN, '--api-key', WEBINATE_KEY, '-o', 'ndjson'],
    watchdog: { knobs: {}, args: ['--ping-interval', '250ms'], warning: /dead link: no heartbeat answer within 250 ms/ },
    seq: numberAfter('wb-'),
    closeCodes: CLOSE_CODES.webinate,
  },
];

/** A scenario of the catalogue, by id: its words name the tests, so the table and the tests cannot drift apart. */
export function scenario(id: ScenarioId): Scenario {
  const s = SCENARIOS.find((x) => x.id === id);
  if (!s) throw new Error(`no scenario "${id}" in catalogue.mjs`);
  return s;
}

export const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

export function seqs(a: FaultAdapter, events: Envelope[]): number[] {
  return events.map((e) => a.seq(e));
}

/** Parse stdout as NDJSON, failing on a line that is not a whole JSON object (cut short by an exit, say). */
export function wholeLines(stdout: string): Envelope[] {
  if (stdout !== '' && !stdout.endsWith('\n')) throw new Error(`stdout does not end with a newline: ...${stdout.slice(-80)}`);
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Envelope;
      } catch {
        throw new Error(`a line that is not whole JSON: ${l.slice(0, 200)}`);
      }
    });
}

/** Quote for bash. */
export function sh(args: string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
