/**
 * How a StreamElements connection ends: pure decisions, made once (the driver's classify and the subscriptions'
 * verdict). Choices where the public record is silent (protocols.md §4):
 * - When every topic is answered: none subscribed and all refused as unauthorized → auth failure (exit 3); any
 *   err_bad_request among them → usage error (exit 2); otherwise (server errors) → reconnect with backoff.
 *   Some subscribed → a warning per refused topic, and the rest stream. Refused topics are not asked for again
 *   on later connections.
 * - A connection made with a reconnect_token counts as restored when the welcome arrives; one that closes before
 *   the welcome means the token was refused: the next connection subscribes afresh. Topics that were not yet
 *   subscribed when the server asked us to reconnect are subscribed on the restored connection.
 */
import { AuthError, UsageError } from '../../errors.js';
import { classifyStandard } from '../../transport/classify.js';
import type { CloseOutcome, LinkCause } from '../../types.js';

export type TopicState = 'ok' | 'unauthorized' | 'bad_request' | 'failed';
export interface TopicResult {
  state: TopicState;
  code?: string;
  message?: string;
}

/**
 * What a closed link means. The refused-token rule: a connection made with a reconnect_token that opened but
 * closed before the welcome means the server refused the token; the next connection subscribes afresh.
 */
export function classify(cause: LinkCause, state: { refusedToken: boolean }): CloseOutcome {
  const outcome = classifyStandard(cause);
  if (!state.refusedToken || outcome.recovery === 'fatal') return outcome;
  return { recovery: 'retry', reason: `the server refused the reconnect token (${outcome.recovery === 'retry' ? outcome.reason : 'closed at once'}); subscribing afresh` };
}

/** Every topic answered and none is up: how the run goes on. */
export function subscriptionVerdict(all: readonly (readonly [string, TopicResult])[], tokenType: string): CloseOutcome {
  const results = new Map(all);
  const by = (s: TopicState) => all.filter(([, r]) => r.state === s).map(([t]) => t);
  const unauthorized = by('unauthorized');
  const bad = by('bad_request');
  const failed = by('failed');
  const reasons = (topics: string[]) => {
    const msgs = [...new Set(topics.map((t) => results.get(t)?.message).filter((m): m is string => Boolean(m)))];
    return msgs.length ? ` (${msgs.join('; ')})` : '';
  };
  if (bad.length) {
    const also = unauthorized.length ? `; not authorized for ${unauthorized.join(', ')}` : '';
    return {
      recovery: 'fatal',
      error: new UsageError(`StreamElements refused the subscription as a bad request (err_bad_request) for ${bad.join(', ')}${reasons(bad)}${also}`, 'check the --topic names (e.g. channel.activities, channel.tips, channel.chat.message) and --room'),
    };
  }
  if (unauthorized.length && !failed.length) {
    return {
      recovery: 'fatal',
      error: new AuthError(
        `StreamElements refused the token for every topic (err_unauthorized): ${unauthorized.join(', ')}${reasons(unauthorized)}`,
        `check --token and --token-type (sent: ${tokenType}); the token must give access to each topic (channel.activities needs the activities:read scope)`,
      ),
    };
  }
  const codes = [...new Set(failed.map((t) => results.get(t)?.code ?? 'error'))].join(', ');
  return { recovery: 'retry', reason: `could not subscribe to any topic (${codes}${reasons(failed)})` };
}

/** A topic refused while others stream (said once one topic is up). */
export function refusalWarning(topic: string, r: TopicResult): string {
  const why = `${r.code ?? 'refused'}${r.message ? `: ${r.message}` : ''}`;
  const what = r.state === 'unauthorized' ? `not authorized for ${topic}` : r.state === 'bad_request' ? `the server refused ${topic} as a bad request` : `could not subscribe to ${topic}`;
  return `${what} (${why}); the other topics keep streaming`;
}
