/**
 * Any WebSocket endpoint: connect (headers, subprotocols), send the --send frames on every open, optionally
 * ping with a watchdog, and turn every frame into an event. No login: the link is ready once open.
 */
import { ConnectionError, UsageError } from '../../errors.js';
import { receivedAt } from '../../transport/received-at.js';
import { classifyStandard, WsLink } from '../../transport/ws-transport.js';
import type { CloseOutcome, Connection, Driver, DriverHooks, LinkCause } from '../../types.js';
import type { CommonOptions, DriverContext, ParsedOptions, RawOptions } from '../spec.js';
import { ChatOutbox } from '../chat-outbox.js';
import { decodeBinary, decodeText, parseHeaders, PROVIDER, typePathsFrom, type DecodeOptions } from './messages.js';

const SUBPROTOCOL_ERRORS = /subprotocol/i;

export interface WsOptions {
  headers: Record<string, string>;
  protocols: string[];
  sends: string[];
  pingIntervalMs: number | undefined;
  decode: DecodeOptions;
  /** --stdin: send each line of stdin as a text frame. */
  stdin: boolean;
}

export function parseOptions(raw: RawOptions, common: CommonOptions): ParsedOptions<WsOptions> {
  const url = common.url;
  if (!url) throw new UsageError('ws: missing the endpoint URL', 'evtail ws <ws-url>, e.g. evtail ws wss://example.com/stream');
  if (!/^wss?:\/\/[^/?#\s]+/i.test(url)) throw new UsageError(`ws: expected a ws:// or wss:// URL, got ${JSON.stringify(url)}`);
  const protocols = Array.isArray(raw.subprotocol) ? raw.subprotocol.map(String) : [];
  for (const p of protocols) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(p)) throw new UsageError(`--subprotocol: ${JSON.stringify(p)} is not a valid subprotocol name`);
  }
  return {
    url,
    options: {
      headers: parseHeaders(raw.header),
      protocols,
      sends: Array.isArray(raw.send) ? raw.send.map(String) : [],
      pingIntervalMs: typeof raw.pingInterval === 'number' && raw.pingInterval > 0 ? raw.pingInterval : undefined,
      decode: { typePaths: typePathsFrom(raw.typePath) },
      stdin: raw.stdin === true,
    },
  };
}

export class WsDriver implements Driver {
  readonly provider = PROVIDER;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly protocols: string[];
  private readonly sends: string[];
  private readonly pingIntervalMs: number | undefined;
  private readonly decodeOptions: DecodeOptions;
  /** --stdin: lines typed or piped, sent as text frames on the open connection (kept while there is none). */
  private readonly outbox = new ChatOutbox();
  private readingStdin = false;

  constructor(
    private readonly ctx: DriverContext<WsOptions>,
    private readonly stdin?: NodeJS.ReadableStream,
  ) {
    this.url = ctx.url;
    ({ headers: this.headers, protocols: this.protocols, sends: this.sends, pingIntervalMs: this.pingIntervalMs, decode: this.decodeOptions } = ctx.options);
  }

  connect(hooks: DriverHooks): Connection {
    const decodeOptions = this.decodeOptions;
    if (this.ctx.options.stdin && !this.readingStdin) {
      this.readingStdin = true;
      this.outbox.readLines((this.stdin ?? this.ctx.stdin?.() ?? process.stdin) as never, () => hooks.debug('stdin ended; still tailing'), this.ctx.lines);
    }
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
          this.outbox.attach(target);
        },
        onMessage: (text, isBinary, bytes) => hooks.event(isBinary ? decodeBinary(bytes, receivedAt()) : decodeText(text, decodeOptions, receivedAt())),
        onPong: () => hooks.alive(),
        onPing: () => hooks.alive(),
        classify: (cause) => classify(cause, { protocols: this.protocols }),
      },
      { headers: this.headers, protocols: this.protocols },
    );
    const target = {
      get canSend() {
        return link.isOpen;
      },
      sendText: (text: string) => link.send(text),
    };
    link.ws.on('close', () => this.outbox.detach(target));
    return link;
  }

  /** The run is over: no more stdin. */
  dispose(): void {
    this.outbox.stop();
  }
}

/** What a closed ws link means: as for any WebSocket, except that a bad request or subprotocol will not fix itself. */
export function classify(cause: LinkCause, state: { protocols: readonly string[] }): CloseOutcome {
  if (cause.kind === 'http' && cause.status === 400) {
    return { recovery: 'fatal', error: new ConnectionError('the server answered HTTP 400 to the WebSocket upgrade', 'check the URL (path and query), --header and --subprotocol') };
  }
  if (cause.kind === 'socket' && SUBPROTOCOL_ERRORS.test(cause.message)) {
    const offered = state.protocols.length ? state.protocols.join(', ') : 'none';
    return { recovery: 'fatal', error: new ConnectionError(`the server did not agree on a subprotocol (${cause.message}; offered: ${offered})`, 'check --subprotocol') };
  }
  return classifyStandard(cause);
}
