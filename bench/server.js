/**
 * A loopback Tweet Catcher server for the benchmark: just enough protocol for every client, and as little work as
 * possible of its own, so the client is what gets measured.
 *
 * On each upgrade it answers 101, sends Hello {op:10} and Ready {op:4} at once, then the pre-generated op 0 events,
 * pre-framed into one buffer and written in large slices as fast as the socket takes them (waiting for 'drain' when
 * write() says the kernel buffer is full: backpressure), then a close frame with code 1000.
 * With `frameByFrame`, each event frame is written on its own (one write per frame, as a real server does): a
 * client that keeps up then gets many small TCP segments, which costs both sides more per event. What the client sends
 * (evtail's login and heartbeats, close frames) is read and ignored; when the client ends its side, so do we.
 * Listens on 127.0.0.1 only.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Wall-clock milliseconds with sub-millisecond resolution (comparable with bash's $EPOCHREALTIME). */
export const nowMs = () => performance.timeOrigin + performance.now();

/** One unmasked server frame (RFC 6455 §5.2): FIN + opcode, payload length, payload. */
export function wsFrame(payload, opcode = 0x1) {
  const len = payload.length;
  let header;
  if (len < 126) header = Buffer.from([0x80 | opcode, len]);
  else if (len < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x80 | opcode;
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([header, payload]);
}

/**
 * @param {{ frames: string[], chunkBytes?: number, heartbeatInterval?: number }} options frames: op 0 frame texts
 * @returns {Promise<{ url: string, nextConnection(): Promise<object>, close(): Promise<void> }>}
 */
export async function startBenchServer({ frames, chunkBytes = 256 * 1024, heartbeatInterval = 45_000, frameByFrame = false }) {
  const framed = frames.map((f) => wsFrame(Buffer.from(f, 'utf8')));
  const stream = frameByFrame ? Buffer.alloc(0) : Buffer.concat(framed);
  const greeting = Buffer.concat([
    wsFrame(Buffer.from(JSON.stringify({ op: 10, heartbeat_interval: heartbeatInterval }))),
    wsFrame(Buffer.from('{"op":4}')),
  ]);
  const closeFrame = wsFrame(Buffer.from([0x03, 0xe8]), 0x8); // 1000, no reason
  const sockets = new Set();
  const waiters = [];

  const server = http.createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('a WebSocket endpoint\n');
  });
  server.on('upgrade', (req, socket) => {
    sockets.add(socket);
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string') {
      socket.destroy();
      return;
    }
    const rec = { connectedAt: nowMs(), firstEventAt: 0, lastEventWrittenAt: 0, closedAt: 0, events: framed.length };
    let resolveClosed;
    rec.closed = new Promise((r) => (resolveClosed = r));
    socket.on('close', () => {
      sockets.delete(socket);
      rec.closedAt = nowMs();
      resolveClosed(rec);
    });
    socket.on('error', () => undefined);
    socket.on('data', () => undefined); // login, heartbeats, the client's close frame: ignored
    socket.on('end', () => socket.end());
    socket.setNoDelay(true);
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.write(greeting);
    let offset = 0;
    let next = 0;
    const pumpFrames = () => {
      while (next < framed.length) {
        if (socket.destroyed) return;
        if (rec.firstEventAt === 0) rec.firstEventAt = nowMs();
        const more = socket.write(framed[next++]);
        if (!more) {
          socket.once('drain', pumpFrames);
          return;
        }
      }
      rec.lastEventWrittenAt = nowMs();
      socket.write(closeFrame);
    };
    const pump = () => {
      while (offset < stream.length) {
        if (socket.destroyed) return;
        const end = Math.min(offset + chunkBytes, stream.length);
        if (rec.firstEventAt === 0) rec.firstEventAt = nowMs();
        const more = socket.write(stream.subarray(offset, end));
        offset = end;
        if (!more) {
          socket.once('drain', pump);
          return;
        }
      }
      rec.lastEventWrittenAt = nowMs();
      socket.write(closeFrame);
    };
    if (frameByFrame) pumpFrames();
    else pump();
    const w = waiters.shift();
    if (w) w(rec);
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return {
    url: `ws://127.0.0.1:${port}/websocket`,
    /** The record of the next connection: firstEventAt, lastEventWrittenAt, closed (a promise). */
    nextConnection: () => new Promise((resolve) => waiters.push(resolve)),
    /** Forget a waiter that will not be met (the client failed before connecting). */
    dropWaiters: () => waiters.splice(0),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
