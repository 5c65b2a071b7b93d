/** --metrics: the exposition format checked by promtool, values by what was reported, health by stream state. */
import { spawnSync } from 'node:child_process';
import { Metrics, parseListen, reasonKind, serveMetrics } from '../../src/output/metrics.js';

function promtool(text: string): { status: number | null; out: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is needed for this test (Debian: apt-get install prometheus): ${r.error.message}`);
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('Metrics', () => {
  it('serves counters that promtool accepts and that hold the reported values', async () => {
    const m = new Metrics();
    const tips = m.stream('tips', 'streamelements');
    const tweets = m.stream('tweets', 'tweetcatcher');
    tips.connected();
    tweets.connected();
    for (let i = 0; i < 3; i++) tips.event('channel.tips');
    tweets.event('twitter.post.new');
    tweets.bytes(1234);
    tweets.disconnected();
    tweets.reconnecting('dead link: no heartbeat ACK in 45s');
    m.forwarding(() => [{ target: 'http://127.0.0.1:3000/hook', delivered: 1, retried: 2, failed: 0 }]);
    m.publishing(() => ({ published: 40, duplicates: 3, resent: 7, outages: 1, outageMs: 900, failed: 0, pending: 5 }));
    const served = await serveMetrics(m, { host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(served.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      const check = promtool(text);
      expect(check.out).toBe('');
      expect(check.status).toBe(0);
      expect(text).toContain('evtail_events_total{source="tips",provider="streamelements",type="channel.tips"} 3');
      expect(text).toContain('evtail_events_total{source="tweets",provider="tweetcatcher",type="twitter.post.new"} 1');
      expect(text).toContain('evtail_received_bytes_total{source="tweets",provider="tweetcatcher"} 1234');
      expect(text).toContain('evtail_connected{source="tips",provider="streamelements"} 1');
      expect(text).toContain('evtail_connected{source="tweets",provider="tweetcatcher"} 0');
      expect(text).toContain('evtail_reconnects_total{source="tweets",provider="tweetcatcher",reason="dead_link"} 1');
      expect(text).toContain('evtail_forward_total{target="http://127.0.0.1:3000/hook",outcome="delivered"} 1');
      expect(text).toContain('evtail_forward_total{target="http://127.0.0.1:3000/hook",outcome="retried"} 2');
      expect(text).toContain('evtail_publish_total{outcome="published"} 40');
      expect(text).toContain('evtail_publish_total{outcome="duplicate"} 3');
      expect(text).toContain('evtail_publish_total{outcome="resent"} 7');
      expect(text).toContain('evtail_publish_outages_total 1');
      expect(text).toContain('evtail_publish_pending 5');
    } finally {
      await served.close();
    }
  });

  it('keeps the label set bounded whatever types a server sends, and escapes hostile values', async () => {
    const m = new Metrics();
    const s = m.stream('x', 'ws');
    for (let i = 0; i < 1000; i++) s.event(`type-${i}`);
    s.event('evil"}\n# HELP fake');
    const text = await m.registry.metrics();
    const series = text.split('\n').filter((l) => l.startsWith('evtail_events_total{'));
    expect(series.length).toBeLessThanOrEqual(201);
    expect(text).toMatch(/type="other"} 801/);
    expect(promtool(text).status).toBe(0);
  });

  it('/healthz is 200 while streams connect or retry, and 503 once one has failed', async () => {
    const m = new Metrics();
    const a = m.stream('a', 'doshii');
    const b = m.stream('b', 'doshii');
    const served = await serveMetrics(m, { host: '127.0.0.1', port: 0 });
    const health = () => fetch(served.url.replace('/metrics', '/healthz')).then(async (r) => ({ status: r.status, body: (await r.json()) as { streams: Record<string, string> } }));
    try {
      a.connected();
      b.reconnecting('close 1006');
      expect((await health()).status).toBe(200);
      b.ended(true);
      const h = await health();
      expect(h.status).toBe(503);
      expect(h.body.streams).toEqual({ a: 'connected', b: 'failed' });
      expect((await fetch(served.url.replace('/metrics', '/nope'))).status).toBe(404);
    } finally {
      await served.close();
    }
  });

  it('a taken port is a usage error naming it', async () => {
    const m = new Metrics();
    const first = await serveMetrics(m, { host: '127.0.0.1', port: 0 });
    const port = Number(new URL(first.url).port);
    try {
      await expect(serveMetrics(m, { host: '127.0.0.1', port })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining(`127.0.0.1:${port} is already in use`) });
    } finally {
      await first.close();
    }
  });

  it('parses where to listen, loopback by default', () => {
    expect(parseListen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListen('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseListen('[::1]:9')).toEqual({ host: '::1', port: 9 });
    expect(() => parseListen('nope')).toThrow(/--metrics: expected/);
    expect(() => parseListen('1:99999')).toThrow(/--metrics/);
  });

  it('folds free-text reasons into a few kinds', () => {
    expect(reasonKind('dead link: no pong in 30s')).toBe('dead_link');
    expect(reasonKind('close 1006 (abnormal)')).toBe('closed');
    expect(reasonKind('connect ECONNREFUSED 127.0.0.1:1')).toBe('network');
    expect(reasonKind('HTTP 503 from the server')).toBe('refused');
  });
});
