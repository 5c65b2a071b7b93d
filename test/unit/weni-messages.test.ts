/** Weni webchat-socket wire helpers: frames, history, the pretty summary and the replay decoder. */
import { describe, expect, test } from '@jest/globals';
import provider from '../../src/providers/push/index.js';
import { callbackUrl, createWeniDecoder, historyOf, isWeniEvent, registerFrame, summarizeWeni, weniUrl, type WeniPayload } from '../../src/providers/push/weni-messages.js';
import type { TailEvent } from '../../src/types.js';

const ev = (data: Record<string, unknown>, type = String(data.type)): TailEvent => ({ time: 't', provider: 'push', type, data });
const empty = { type: '', timestamp: '' };

describe('weni frames and URLs', () => {
  test('register carries from and callback, and token/trigger only when given; the callback is <host-api>/c/wwc/<uuid>/receive', () => {
    expect(JSON.parse(registerFrame({ from: 'a@b', callback: 'https://f/c/wwc/u/receive' }))).toEqual({ type: 'register', from: 'a@b', callback: 'https://f/c/wwc/u/receive' });
    expect(JSON.parse(registerFrame({ from: 'a@b', callback: 'c', token: 't' }))).toEqual({ type: 'register', from: 'a@b', callback: 'c', token: 't' });
    expect(callbackUrl('https://flows.weni.ai/', 'uuid-1')).toBe('https://flows.weni.ai/c/wwc/uuid-1/receive');
  });

  test('a bare --host gets wss:// and /ws; a scheme is kept (https → wss)', () => {
    expect(weniUrl({ host: 'websocket.weni.ai' }).href).toBe('wss://websocket.weni.ai/ws');
    expect(weniUrl({ host: 'http://127.0.0.1:9000' }).href).toBe('ws://127.0.0.1:9000/ws');
    expect(weniUrl({ url: 'ws://h/socket' }).href).toBe('ws://h/socket');
  });
});

describe('weni history', () => {
  test('ready_for_message: null history is none; no data at all (an older server) is unknown; an empty history answer omits the field', () => {
    expect(historyOf({ type: 'ready_for_message', data: { history: null } })).toEqual([]);
    expect(historyOf({ type: 'ready_for_message' })).toBeUndefined();
    expect(historyOf({ type: 'history' })).toEqual([]);
    expect(historyOf({ type: 'message' })).toBeUndefined();
  });
});

describe('weni pretty', () => {
  test('message kinds, quick replies from message or metadata, lists, links, acks, errors and warnings', () => {
    const msg = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => summarizeWeni(ev({ type: 'message', to: 'me', from: 'Bot', message, ...extra }));
    expect(msg({ type: 'text', text: 'Hi', quick_replies: ['A', 'B'] })).toBe('Bot: Hi  [A | B]');
    expect(msg({ type: 'text', text: 'Hi', metadata: { quick_replies: [{ title: 'Yes' }, { payload: 'no' }] } })).toBe('Bot: Hi  [Yes | no]');
    expect(msg({ type: 'text', text: 'Hi' }, { metadata: { quick_replies: ['X'] } })).toBe('Bot: Hi  [X]');
    expect(msg({ type: 'image', media_url: 'https://x/y.png', caption: 'c' })).toBe('Bot: image https://x/y.png "c"');
    expect(msg({ type: 'location', latitude: '1', longitude: '2' })).toBe('Bot: location 1,2');
    expect(msg({ type: 'text', text: 'Pick', list_message: { button_text: 'Menu', list_items: [{ title: 'One' }, { title: 'Two' }] } })).toBe('Bot: Pick  Menu: One / Two');
    expect(msg({ type: 'text', text: 'See', cta_message: { url: 'https://x', display_text: 'Open' } })).toBe('Bot: See  Open <https://x>');
    expect(summarizeWeni(ev({ type: 'ack', from: 'socket', message: { type: 'file', media_url: 'https://x/f.pdf' } }))).toBe('sent file https://x/f.pdf');
    expect(summarizeWeni(ev({ type: 'error', error: 'invalid payload: blank text', message: empty }))).toBe('invalid payload: blank text');
    expect(summarizeWeni(ev({ type: 'warning', warning: 'Connection closed by request', message: empty }))).toBe('Connection closed by request');
    expect(summarizeWeni(ev({ direction: 'out', message: { type: 'text', text: 'hey' } }, 'history'))).toBe('me: hey');
  });

  test('the push provider tells a Weni payload from a SocketCluster Push message by its shape', () => {
    expect(isWeniEvent(ev({ type: 'message', to: 'u', from: 'Bot', message: { type: 'text', text: 'x' } }))).toBe(true);
    expect(isWeniEvent(ev({ to: 'urn', text: 'hi', quick_replies: ['a'] }, 'message'))).toBe(false);
    expect(provider.summarize(ev({ type: 'typing_start', to: 'u', from: 'Bot', message: empty }))).toBe('typing…');
    expect(provider.summarize(ev({ to: 'urn', text: 'hi', quick_replies: ['a'] }, 'message'))).toBe('hi  [a]');
  });
});

describe('weni replay decoder', () => {
  test('the identity comes from the register sent; pongs and ready are control; history only when it was asked for', () => {
    const d = createWeniDecoder({});
    expect(d('out', registerFrame({ from: 'me@x', callback: 'c' }), 't')).toEqual({ kind: 'control' });
    const ready = JSON.stringify({ type: 'ready_for_message', to: '', from: '', message: empty, data: { history: [{ direction: 'in', message: { type: 'text', text: 'old' } }] } });
    expect(d('in', ready, 't')).toEqual({ kind: 'control' });
    expect(d('in', JSON.stringify({ type: 'pong' }), 't')).toEqual({ kind: 'control' });
    const m = JSON.stringify({ type: 'message', to: 'me@x', from: 'Bot', message: { type: 'text', text: 'hi', messageId: 'm1' } });
    const r = d('in', m, 't');
    expect(r).toMatchObject({ kind: 'events', events: [{ type: 'message', id: 'm1', channel: 'me@x' }] });
    expect(d('in', 'nope', 't')).toMatchObject({ kind: 'invalid' });
    const withHistory = createWeniDecoder({ history: true });
    expect(withHistory('in', ready, 't')).toMatchObject({ kind: 'events', events: [{ type: 'history' }] });
    expect((JSON.parse(m) as WeniPayload).type).toBe('message');
  });
});
