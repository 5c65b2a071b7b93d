/** Build the --publish sink from the resolved common options (any command that tails: provider, demo, replay, ws). */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { CommonOptions } from '../providers/spec.js';
import type { Redactor } from '../redact.js';
import type { NatsPublisher, PublishReporter } from './nats-publisher.js';
import { parseNatsTarget } from './nats-target.js';

export interface PublishContext {
  /** Where a relative --publish-token-file or --publish-creds starts. */
  cwd: string;
  provider: string;
  profile?: string;
  redactor: Redactor;
  reporter: PublishReporter;
  /** TLS as for the stream (--ca read already, --insecure). */
  ca?: string | Buffer;
  insecure?: boolean;
}

export async function openPublisher(common: CommonOptions, ctx: PublishContext): Promise<NatsPublisher | undefined> {
  const url = common.publish;
  if (typeof url !== 'string' || url === '') return undefined;
  const target = parseNatsTarget(url);
  ctx.redactor.add(target.pass);
  ctx.redactor.add(target.token);
  let token = typeof common.publishToken === 'string' && common.publishToken !== '' ? common.publishToken : undefined;
  const tokenFile = common.publishTokenFile;
  if (token === undefined && typeof tokenFile === 'string' && tokenFile !== '') {
    try {
      token = (await readFile(resolve(ctx.cwd, tokenFile), 'utf8')).trim();
    } catch (err) {
      throw new UsageError(`--publish-token-file: cannot read ${tokenFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!token) throw new UsageError(`--publish-token-file: ${tokenFile} is empty`);
  }
  ctx.redactor.add(token);
  // The NATS client loads only when --publish is given: a plain tail starts without it.
  const { NatsPublisher } = await import('./nats-publisher.js');
  return NatsPublisher.open({
    target,
    defaultSource: ctx.profile ?? ctx.provider,
    bufferBytes: common.publishBuffer as number,
    token,
    credsFile: typeof common.publishCreds === 'string' ? common.publishCreds : undefined,
    cwd: ctx.cwd,
    ca: ctx.ca,
    insecure: ctx.insecure,
    reporter: ctx.reporter,
    giveUpAfterMs: common.publishTimeout as number,
  });
}
