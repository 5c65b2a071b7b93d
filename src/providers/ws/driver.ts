/**
 * Any WebSocket endpoint: connect (headers, subprotocols), send the --send frames on every open, optionally
 * ping with a watchdog, and turn every frame into an event. No login: the link is ready once open.
 */
import { ConnectionError, UsageError } from '../../errors.js';
import { receivedAt } from '../../transport/received-at.js';
import { WsLink } from '../../transport/ws-transport.js';
import type { Connection, Driver, DriverHooks } from '../../types.js';
import type { DriverContext } from '../spec.js';
import { decodeBinary, decodeText, parseHeaders, PROVIDER, typePathsFrom, type DecodeOptions } from './messages.js';

const SUBPROTOCOL_ERRORS = /subprotocol/i;

export class WsDriver implements Driver {
  readonly provider = PROVIDER;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly protocols: string[];
  private readonly sends: string[];
  private readonly pingIntervalMs: number | undefined;
  private readonly decodeOptions: DecodeOptions;

  constructor(private readonly ctx: DriverContext) {
    const url = ctx.common.url;
    if (!url) throw new UsageError('ws: missing the endpoint URL', 'evtail ws <ws-url>, e.g. evtail ws wss://example.com/stream');
    if (!/^wss?:\/\/[^/?#\s]+/i.test(url)) throw new UsageError(`ws: expected a ws:// or wss:// URL, got ${JSON.stringify(url)}`);
    this.url = url;
    const o = ctx.options;
    this.headers = parseHeaders(o.header);
    this.protocols = Array.isArray(o.subprotocol) ? o.subprotocol.map(String) : [];
    for (const p of this.protocols) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(p)) throw new UsageError(`--subprotocol: ${JSON.stringify(p)} is not a valid subprotocol name`);
    }
    this.sends = Array.isArray(o.send) ? o.send.map(String) : [];
    this.pingIntervalMs = typeof o.pingInterval === 'number' && o.pingInterval > 0 ? o.pingInterval : undefined;
    this.decodeOptions = { typePaths: typePathsFrom(o.typePath) };
  }

  connect(hooks: DriverHooks): Connection {
    const decodeOptions = this.decodeOptions;
    const link: WsLink = new WsLink(
      this.url,
      hooks,
      this.ctx.transport,
      {
        onOpen: () => {
          const proto = link.ws.protocol;
          for (const text of this.sends) link.send(text);
          if (this.pingIntervalMs !== undefined) hooks.heartbeat({ mode: 'beat', intervalMs: this.pingIntervalMs, send: () => link.ping() });
          hooks.ready(proto ? `subprotocol ${proto}` : undefined);
        },
        onMessage: (text, isBinary, bytes) => hooks.event(isBinary ? decodeBinary(bytes, receivedAt()) : decodeText(text, decodeOptions, receivedAt())),
        onPong: () => hooks.alive(),
        classifyHttp: (status) =>
          status === 400 ? { recovery: 'fatal', error: new ConnectionError('the server answered HTTP 400 to the WebSocket upgrade', 'check the URL (path and query), --header and --subprotocol') } : undefined,
        onPing: () => hooks.alive(),
      },
      { headers: this.headers, protocols: this.protocols },
    );
    link.ws.on('error', (err: Error) => {
      // A subprotocol mismatch will not fix itself by retrying.
      if (SUBPROTOCOL_ERRORS.test(err.message)) {
        const offered = this.protocols.length ? this.protocols.join(', ') : 'none';
        link.setOutcome({ recovery: 'fatal', error: new ConnectionError(`the server did not agree on a subprotocol (${err.message}; offered: ${offered})`, 'check --subprotocol') });
      }
    });
    return link;
  }
}
