/** Every provider evtail knows, by name. Specs are tiny; the driver, mock and printer load on use. */
import type { ProviderSpec } from './spec.js';
import { doshiiSpec } from './doshii/spec.js';
import { pushSpec } from './push/spec.js';
import { socketclusterSpec } from './socketcluster/spec.js';
import { streamelementsSpec } from './streamelements/spec.js';
import { tweetcatcherSpec } from './tweetcatcher/spec.js';
import { webinateSpec } from './webinate/spec.js';
import { wsSpec } from './ws/spec.js';

export const providers: ProviderSpec[] = [tweetcatcherSpec, doshiiSpec, pushSpec, streamelementsSpec, webinateSpec, wsSpec, socketclusterSpec];

export function findProvider(name: string): ProviderSpec | undefined {
  return providers.find((p) => p.name === name);
}
