/**
 * Which proxy, if any, a WebSocket URL goes through: --proxy, else HTTPS_PROXY (wss) / HTTP_PROXY (ws) / ALL_PROXY,
 * upper or lower case; NO_PROXY (comma-separated hosts, domain suffixes, host:port, or *) exempts hosts.
 */
import type { Agent } from 'node:http';
import { UsageError } from '../errors.js';

export function proxyFor(target: string, env: NodeJS.ProcessEnv, explicit?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  const secure = url.protocol === 'wss:' || url.protocol === 'https:';
  const get = (name: string) => env[name] ?? env[name.toLowerCase()];
  const proxy = explicit ?? (secure ? get('HTTPS_PROXY') : get('HTTP_PROXY')) ?? get('ALL_PROXY');
  if (!proxy) return undefined;
  if (bypassed(url, get('NO_PROXY') ?? '')) return undefined;
  return proxy;
}

function bypassed(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'wss:' || url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const [name, entryPort] = entry.startsWith('[') ? [entry.slice(1, entry.indexOf(']')), entry.split(']:')[1]] : (entry.split(':') as [string, string | undefined]);
    if (entryPort && entryPort !== port) continue;
    const bare = name!.replace(/^\*?\./, '');
    if (host === bare || host.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/** The variable a proxy came from, for messages. */
function proxyVariable(env: NodeJS.ProcessEnv): string {
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy']) if (env[name]) return name;
  return 'the proxy';
}

/** A proxy URL that does not parse is a usage error naming where it came from (not an internal error mid-connect). */
export function checkProxyUrl(proxy: string, from: string): void {
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(proxy).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw new UsageError(`${from}: expected an http:// or https:// proxy URL, got "${proxy}"`, 'e.g. http://proxy.example:3128');
}

/** An agent that tunnels through the proxy with HTTP CONNECT (loaded only when a proxy applies). */
export async function proxyAgentFactory(env: NodeJS.ProcessEnv, explicit?: string): Promise<((url: string) => Agent | undefined) | undefined> {
  const anyProxy = explicit ?? env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy ?? env.ALL_PROXY ?? env.all_proxy;
  if (!anyProxy) return undefined;
  const { HttpsProxyAgent } = await import('https-proxy-agent');
  const agents = new Map<string, Agent>();
  return (target) => {
    const proxy = proxyFor(target, env, explicit);
    if (!proxy) return undefined;
    let agent = agents.get(proxy);
    if (!agent) {
      checkProxyUrl(proxy, explicit !== undefined ? '--proxy' : proxyVariable(env));
      agent = new HttpsProxyAgent(proxy) as unknown as Agent;
      agents.set(proxy, agent);
    }
    return agent;
  };
}
