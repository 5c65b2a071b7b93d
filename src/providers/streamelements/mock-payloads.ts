/** What the StreamElements mock sends: topic names, ULID-shaped ids that carry a sequence number, realistic payloads. */
import { randomBytes, randomUUID } from 'node:crypto';
import { pick } from '../mock-kit.js';


/** Topics the gateway knows (protocols.md §4); channel.chatbot.*, channel.overlay.* and chatbot.* by prefix. */
export const KNOWN_TOPICS = [
  'channel.activities',
  'channel.tips',
  'channel.tips.moderation',
  'channel.chat.message',
  'channel.session.update',
  'channel.session.reset',
  'channel.stream.status',
  'channel.kvstore.update',
  'channel.songrequest',
  'channel.contests',
  'channel.giveaways',
  'channel.giveaway',
  'channel.loyalty.redemptions',
  'channel.loyalty.items',
  'channel.announcements',
  'channel.chatstats',
  'channel.follow',
];

export function isKnownTopic(topic: string): boolean {
  return KNOWN_TOPICS.includes(topic) || /^(channel\.chatbot|channel\.overlay|chatbot)\.[a-z0-9._-]+$/i.test(topic);
}

// ---------- ids ----------

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-shaped id whose last 16 characters are the sequence number in decimal (all valid Crockford digits). */
export function ulidWithSeq(seq: number, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  return time + String(seq).padStart(16, '0');
}

/** The sequence number inside an id made by ulidWithSeq. */
export function seqFromId(id: string): number {
  return Number(id.slice(10));
}

export function randomUlid(): string {
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += CROCKFORD[bytes[i]! % 32];
  return ulidWithSeq(0).slice(0, 10) + rand;
}

const objectId = (seq: number) => Math.floor(Date.now() / 1000).toString(16).padStart(8, '0') + seq.toString(16).padStart(16, '0');
export const ts = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---------- realistic payloads ----------

const viewers = [
  { username: 'jtv', displayName: 'jtv', providerId: '14027' },
  { username: 'c4ldas', displayName: 'c4ldas', providerId: '28057703' },
  { username: 'styler', displayName: 'Styler', providerId: '51496027' },
  { username: 'nightbot', displayName: 'Nightbot', providerId: '19264788' },
  { username: 'pixelpanda', displayName: 'PixelPanda', providerId: '73140022' },
  { username: 'lunaria_gg', displayName: 'Lunaria_GG', providerId: '90817261' },
];
const tipMessages = ['', 'Great stream!', 'For the snacks fund 🍕', 'gg wp', 'Happy birthday!!', 'Play the next one on hard mode'];
const chatLines = ['hello chat', 'PogChamp that clutch', 'what game is next?', 'first time here, love the vibes', '!uptime', 'Test message with emote <3'];
const activityTypes = ['follow', 'tip', 'subscriber', 'cheer', 'follow', 'raid'] as const;

/** The payload of the next event on `topic`, as the gateway's docs show it. */
export function makePayload(r: () => number, channel: string, topic: string, seq: number): unknown {
  const who = pick(r, viewers);
  const now = new Date().toISOString();
  const avatar = `https://static-cdn.jtvnw.net/jtv_user_pictures/${who.username}-profile_image-300x300.png`;
  switch (topic) {
    case 'channel.activities': {
      const type = activityTypes[(seq - 1) % activityTypes.length]!;
      const provider = seq % 7 === 0 ? 'youtube' : 'twitch';
      const user = { username: who.username, displayName: who.displayName, providerId: who.providerId, avatar };
      let data: Record<string, unknown> = user;
      if (type === 'tip') data = { ...user, tipId: objectId(seq), amount: pick(r, [1, 2.5, 5, 10, 20]), currency: 'USD', message: pick(r, tipMessages) };
      if (type === 'subscriber') data = { ...user, amount: pick(r, [1, 3, 12, 27]), tier: pick(r, ['1000', '1000', '2000', 'prime']), message: pick(r, ['', 'love this channel']), streak: 1 };
      if (type === 'cheer') data = { ...user, amount: pick(r, [100, 500, 1000]), message: 'Cheer100 hype!' };
      if (type === 'raid') data = { ...user, amount: pick(r, [12, 42, 350]) };
      const id = objectId(seq);
      return { type, provider, channel, data, _id: id, createdAt: now, updatedAt: now, activityId: id, sessionEventsCount: seq };
    }
    case 'channel.tips':
    case 'channel.tips.moderation': {
      const moderation = topic === 'channel.tips.moderation';
      return {
        donation: {
          user: { username: who.displayName, geo: 'ZZ', email: `${who.username}@example.com`, channel },
          message: pick(r, tipMessages),
          amount: pick(r, [1, 4.2, 5, 10, 25]),
          currency: pick(r, ['USD', 'USD', 'EUR']),
          paymentMethod: 'scheme',
        },
        _id: objectId(seq),
        channel,
        provider: 'paypal',
        approved: moderation ? 'pending' : 'allowed',
        status: moderation ? 'pending' : 'success',
        createdAt: now,
        updatedAt: now,
        transactionId: `${(0x2a000000 + seq).toString(16).toUpperCase()}JR1691017`,
      };
    }
    case 'channel.chat.message': {
      const text = pick(r, chatLines);
      if (seq % 5 === 0) {
        return {
          authorDetails: { channelId: 'UCp9noRfodywhm2MX0000000', displayName: who.displayName, isChatModerator: false, isVerified: false, isChatOwner: false, isChatSponsor: false },
          id: `LCC.${seq}`,
          kind: 'youtube#liveChatMessage',
          snippet: { displayMessage: text, hasDisplayContent: true, publishedAt: now, textMessageDetails: { messageText: text }, type: 'textMessageEvent' },
        };
      }
      return {
        broadcaster_user_id: '28050000',
        broadcaster_user_login: 'c4ldas',
        broadcaster_user_name: 'c4ldas',
        chatter_user_id: who.providerId,
        chatter_user_login: who.username,
        chatter_user_name: who.displayName,
        message_id: randomUUID(),
        color: '#8AE020',
        message: { text, fragments: [{ type: 'text', text, cheermote: null, emote: null, mention: null }] },
        cheer: null,
        badges: [],
        message_type: 'text',
        reply: null,
        channel_points_custom_reward_id: null,
      };
    }
    case 'channel.stream.status':
      return { isLive: seq % 2 === 1 };
    case 'channel.session.update':
      return { 'follower-latest': { name: who.username }, 'follower-session': { count: seq }, 'tip-latest': { name: who.username, amount: 5, message: '' } };
    default:
      return { channelId: channel, message: `${topic} update`, updatedAt: now };
  }
}
