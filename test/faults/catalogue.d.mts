/** Types for catalogue.mjs (plain JavaScript, so that scripts/reliability-table.mjs reads it without a build). */
export type ProviderName = 'tweetcatcher' | 'doshii' | 'push' | 'push-weni' | 'streamelements' | 'webinate';
export type Outcome = 'done' | 'retry' | 'retry-now' | 'retry-later' | 'auth' | 'final';
export interface CloseCase {
  code: number;
  outcome: Outcome;
}
export type ScenarioId = 'drop' | 'close' | 'half-open' | 'restart' | 'tls' | 'bad-frames' | 'oversized' | 'slow-consumer' | 'sigint' | 'sigterm' | 'epipe' | 'busy-loop';
export interface Scenario {
  id: ScenarioId;
  file: string;
  fault: string;
  evtail: string;
  asserts: string;
}
export const PROVIDERS: readonly ProviderName[];
export const OUTCOMES: Record<Outcome, string>;
export const CLOSE_CODES: Record<ProviderName, readonly CloseCase[]>;
export const SCENARIOS: readonly Scenario[];
export function countFor(scenario: Scenario, provider: ProviderName): number;
export function renderTables(): string;
export const TABLE_START: string;
export const TABLE_END: string;
export const TABLE_FILES: readonly string[];
