/**
 * A Tweet Catcher server that speaks the published protocol (seed 000, protocols.md §1), for tests,
 * `evtail demo` and `evtail mock tweetcatcher`. Choices where the public record is silent:
 * a refused login gets op 3 "Invalid token" and then close 4004; a client that misses two heartbeat
 * intervals (plus a second) is closed with 4000 "heartbeat timeout".
 */
import type { WebSocket } from 'ws';
import { applyFaults, commonMockSettings, EventPump, faultAfter, listen, pick, seededRandom, type CommonMockSettings, MockBase, wsVerbs } from '../mock-kit.js';

export interface TweetCatcherMockSettings extends CommonMockSettings {
  tokens?: string[];
  heartbeatInterval: number;
  refuseLogin?: boolean;
  stopAcksAfter?: number;
  eventFormat: 'current' | 'older' | 'mixed';
}

const handles = [
  { handle: 'elonmusk', name: 'Elon Musk', id: '44196397', followers: 219000000 },
  { handle: 'nasa', name: 'NASA', id: '11348282', followers: 89000000 },
  { handle: 'vitalikbuterin', name: 'vitalik.eth', id: '295218901', followers: 5800000 },
  { handle: 'realDonaldTrump', name: 'Donald J. Trump', id: '25073877', followers: 8900000 },
  { handle: 'coinbase', name: 'Coinbase', id: '574032254', followers: 6400000 },
];
const texts = [
  'Starship flight test window opens tomorrow at 7am CT',
  'The James Webb telescope just captured the most detailed image yet of a distant galaxy cluster',
  'Gas fees are at a 3 year low. Good time to build.',
  'BIG ANNOUNCEMENT coming at noon!',
  'We are investigating reports of delayed withdrawals. Funds are safe.',
  'gm',
  'Launch day. Thank you to everyone who made this possible 🚀',
];
const postTypes = ['post', 'post', 'post', 'repost', 'quote', 'reply'] as const;

export class TweetCatcherMock extends MockBase {
  private seq = 0;
  private connectionCount = 0;
  readonly stats = { connections: 0, logins: 0, refusedLogins: 0, heartbeats: 0, eventsSent: 0 };
  private readonly rand = seededRandom(7);

  constructor(readonly settings: TweetCatcherMockSettings) {
    super();
  }

  get demoOptions(): Record<string, unknown> {
    return { token: this.settings.tokens?.[0] ?? 'demo-token' };
  }

  async start(): Promise<this> {
    this.server = await listen(this.settings.host, this.settings.port, {}, '/websocket', this.settings.tls);
    this.server.wss.on('connection', (ws) => this.onConnection(ws));
    return this;
  }


  /** The next event's `d`, numbered. */
  makeEvent(): Record<string, unknown> {
    this.seq += 1;
    const seq = this.seq;
    const who = pick(this.rand, handles);
    const format = this.settings.eventFormat === 'mixed' ? (seq % 3 === 0 ? 'older' : 'current') : this.settings.eventFormat;
    const text = pick(this.rand, texts);
    const createdAt = Date.now();
    if (format === 'older') {
      return {
        task: { user: who.handle, userInfo: { name: who.name, id: who.id, followers_count: who.followers }, reason: 'new_tweet' },
        data: { id: String(1790000000000000000n + BigInt(seq)), text, created_at: createdAt, seq },
      };
    }
    const type = pick(this.rand, postTypes);
    const mentions = type === 'reply' ? [{ id: '11348282', handle: 'nasa', name: 'NASA' }] : [];
    const media = seq % 4 === 0 ? [{ type: 'photo', url: `https://pbs.twimg.com/media/F${seq}.jpg`, preview: `https://pbs.twimg.com/media/F${seq}_small.jpg` }] : [];
    return {
      event_id: `tc-${seq}`,
      // Every fourth post comes from a Truth Social monitor, so a stream shows more than one type.
      event: seq % 4 === 0 ? 'truth_social.post.new' : 'twitter.post.new',
      task_info: { id: 'task_8f2a', group: 'default', handle: who.handle, profile_info: { name: who.name, id: who.id, followers: who.followers } },
      data: {
        id: String(1790000000000000000n + BigInt(seq)),
        created_at: createdAt,
        type,
        text,
        media,
        mentions,
        tags: seq % 5 === 0 ? ['launch'] : [],
        author: { handle: who.handle, name: who.name, id: who.id },
        ...(type === 'quote' ? { quoted: { id: '1789999999999999999', text: 'Original post', author: { handle: 'nasa' } } } : {}),
        seq,
      },
    };
  }

  private onConnection(ws: WebSocket): void {
    this.stats.connections += 1;
    const index = ++this.connectionCount;
    const s = this.settings;
    const plan = { active: s.faulty === undefined || index <= s.faulty, settings: s };
    let loggedIn = false;
    let acking = !(plan.active && s.stopAcksAfter === 0);
    let silent = false;
    let pump: EventPump | undefined;
    let lastBeat = Date.now();
    const interval = s.heartbeatInterval;
    const zombieCheck = setInterval(() => {
      if (Date.now() - lastBeat > 2 * interval + 1000) {
        clearInterval(zombieCheck);
        ws.close(4000, 'heartbeat timeout');
      }
    }, Math.max(interval, 50));
    ws.on('close', () => {
      clearInterval(zombieCheck);
      pump?.stop();
    });
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ op: 10, heartbeat_interval: interval }));
    this.emit('connection', index);

    ws.on('message', (data) => {
      let msg: { op?: unknown; token?: unknown };
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return; // garbage from a client is ignored, as most gateways do
      }
      if (msg.op === 1) {
        lastBeat = Date.now();
        this.stats.heartbeats += 1;
        if (acking && !silent) ws.send('{"op":11}');
        return;
      }
      if (msg.op === 2 && !loggedIn) {
        this.stats.logins += 1;
        const token = typeof msg.token === 'string' ? msg.token : '';
        const ok = !s.refuseLogin && token.length > 0 && (!s.tokens?.length || s.tokens.includes(token));
        this.emit('login', token, ok);
        if (!ok) {
          this.stats.refusedLogins += 1;
          ws.send(JSON.stringify({ op: 3, text: 'Invalid token' }));
          ws.close(4004, 'authentication failed');
          return;
        }
        loggedIn = true;
        this.emit('ready', index);
        lastBeat = Date.now();
        ws.send('{"op":4}');
        if (s.count === 0) return; // --count 0: a link that never carries an event
        pump = new EventPump(ws, s.rate, () => this.sendOne(ws, pump!, plan, () => { acking = false; }, () => { silent = true; }));
        pump.start();
      }
    });
  }

  /** Send one event and apply the faults due after it. Returns false to stop the pump. */
  private sendOne(ws: WebSocket, pump: EventPump, plan: { active: boolean; settings: CommonMockSettings }, stopAcks: () => void, goSilent: () => void): boolean {
    if (ws.readyState !== ws.OPEN) return false;
    ws.send(JSON.stringify({ op: 0, d: this.makeEvent() }));
    this.stats.eventsSent += 1;
    const sent = pump.sent + 1;
    if (plan.active && this.settings.stopAcksAfter !== undefined && sent === this.settings.stopAcksAfter) stopAcks();
    const actions = faultAfter(plan, sent);
    if (!actions.length) return true;
    return applyFaults(actions, this.settings, {
      ...wsVerbs(ws),
      malformed: '{"op":0,"d":{"event_id":',
      oversized: (padding) => JSON.stringify({ op: 0, d: { ...this.makeEvent(), padding } }),
      goSilent,
      goDown: (ms) => this.server.goDown(ms),
      emit: (event, action) => this.emit(event, action),
    });
  }
}

export async function startTweetCatcherMock(options: Record<string, unknown>): Promise<TweetCatcherMock> {
  const tokens = Array.isArray(options.token) ? (options.token as string[]) : typeof options.token === 'string' ? [options.token] : undefined;
  const settings: TweetCatcherMockSettings = {
    ...commonMockSettings(options),
    tokens,
    heartbeatInterval: typeof options.heartbeatInterval === 'number' ? options.heartbeatInterval : 45_000,
    refuseLogin: options.refuseLogin === true,
    stopAcksAfter: typeof options.stopAcksAfter === 'number' ? options.stopAcksAfter : undefined,
    eventFormat: (options.eventFormat as TweetCatcherMockSettings['eventFormat']) ?? 'current',
  };
  return new TweetCatcherMock(settings).start();
}
