/**
 * Any SocketCluster server: handshake (with an optional JWT), subscribe to every --channel, print every publish.
 * A fresh client socket per connection; the session reconnects, and the channels are subscribed again each time.
 */
import { AuthError, ConnectionError, UsageError } from '../../errors.js';
import type { Connection, Driver, DriverHooks } from '../../types.js';
import type { CommonOptions, DriverContext, ParsedOptions, RawOptions } from '../spec.js';
import { PROVIDER, publishEvent } from './messages.js';
import { parseScUrl, TokenStore, type ScEndpoint } from '../../transport/sc-classify.js';
import { ScLink } from '../../transport/sc-link.js';

export interface SocketClusterOptions {
  endpoint: ScEndpoint;
  channels: string[];
  protocolVersion: 1 | 2;
  authToken: string | null;
}

export function parseOptions(raw: RawOptions, common: CommonOptions): ParsedOptions<SocketClusterOptions> {
  const url = common.url;
  if (!url) throw new UsageError('socketcluster: missing the endpoint URL', 'evtail socketcluster <ws-url> --channel <name>');
  const endpoint = parseScUrl(url);
  if (!endpoint) throw new UsageError(`socketcluster: expected a ws:// or wss:// URL, got ${JSON.stringify(url)}`, 'e.g. wss://example.com/socketcluster/');
  const channels = [...new Set(Array.isArray(raw.channel) ? raw.channel.map(String).filter((c) => c !== '') : [])];
  if (channels.length === 0) throw new UsageError('socketcluster: missing --channel', 'pass --channel <name> (repeatable) with the channels to subscribe to');
  const token = typeof raw.authToken === 'string' && raw.authToken.trim() !== '' ? raw.authToken.trim() : null;
  return { url, options: { endpoint, channels, protocolVersion: String(raw.protocolVersion ?? '2') === '1' ? 1 : 2, authToken: token } };
}

export class SocketClusterDriver implements Driver {
  readonly provider = PROVIDER;
  private readonly url: string;
  private readonly endpoint: ScEndpoint;
  private readonly channels: string[];
  /** Switches when the server turns out to ping in the other version. */
  private protocolVersion: 1 | 2;
  private readonly givenToken: boolean;
  /** Survives reconnects: the server may renew the token (#setAuthToken) or remove it. */
  private readonly tokens: TokenStore;

  constructor(private readonly ctx: DriverContext<SocketClusterOptions>) {
    const o = ctx.options;
    this.url = ctx.url;
    this.endpoint = o.endpoint;
    this.channels = o.channels;
    this.protocolVersion = o.protocolVersion;
    this.givenToken = o.authToken !== null;
    this.tokens = new TokenStore(o.authToken);
  }

  connect(hooks: DriverHooks): Connection {
    const channels = this.channels;
    const kicked = new Set<string>();
    const link: ScLink = new ScLink(
      hooks,
      { url: this.url, endpoint: this.endpoint, protocolVersion: this.protocolVersion, transport: this.ctx.transport, tokens: this.tokens, channels },
      {
        onConnect: (status) => {
          hooks.debug(`handshake: socket id ${status.id ?? '?'}, ping timeout ${status.pingTimeout ?? '?'} ms, ${status.isAuthenticated ? 'authenticated' : 'not authenticated'}`);
          if (this.givenToken && status.authError) {
            const why = status.authError.message || status.authError.name || 'invalid token';
            link.end({ recovery: 'fatal', error: new AuthError(`the SocketCluster server refused the auth token: ${why}`, 'check --auth-token (a JWT signed with the server\'s auth key, not expired)') });
          }
        },
        onSubscribed: (names) => hooks.ready(`subscribed to ${names.join(', ')}`),
        onSubscribeFail: (channel, error) => {
          const why = error?.message || error?.name || 'refused';
          link.end({ recovery: 'fatal', error: new AuthError(`the SocketCluster server refused the subscription to "${channel}": ${why}`, 'check --channel and --auth-token: the server decides who may subscribe') });
        },
        onKickOut: (channel, message) => {
          hooks.warn(`kicked out of channel "${channel}"${message ? `: ${typeof message === 'string' ? message : JSON.stringify(message)}` : ''}`);
          kicked.add(channel);
          if (kicked.size === channels.length) {
            link.end({ recovery: 'fatal', error: new ConnectionError('the server kicked us out of every channel', 'the server unsubscribed evtail on purpose') });
          }
        },
        onForeignPing: (version) => {
          hooks.warn(`the server speaks SocketCluster protocol version ${version} (pass --protocol-version ${version}); reconnecting with it`);
          this.protocolVersion = version;
          link.abort({ recovery: 'retry', reason: `switching to protocol version ${version}`, immediate: true });
        },
        onPublish: (channel, data, frame, json) => hooks.event(publishEvent(channel, data, frame, undefined, json)),
        onTransmit: (event) => hooks.debug(`ignoring server event "${event}" (not a channel publish)`),
      },
    );
    return link;
  }
}
