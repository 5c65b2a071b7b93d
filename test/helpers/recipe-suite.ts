/**
 * The recipes test: every command in README.md and docs/ is run as written, against the local mocks, and checked
 * for what its sentence promises: the exit code, what it prints, and that it is quick. A recipe added to the docs
 * without an entry here fails the first test, so a recipe cannot drift again; the ones that cannot run say why.
 * See test/helpers/recipes.ts for how public endpoints become loopback mocks.
 *
 * The recipes run in three test files (test/e2e/recipes-{1,2,3}.test.ts), each with its own mocks and HOME, so
 * that jest's workers share them out; a recipe that needs an earlier one (a file it wrote, a stream it created)
 * runs in the same file, as soon as that one has finished.
 */
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { attach, type AGServer } from 'socketcluster-server';
import { WebSocketServer } from 'ws';
import { startDoshiiMock } from '../../src/providers/doshii/mock.js';
import { startPushMock } from '../../src/providers/push/mock.js';
import { startWeniMock } from '../../src/providers/push/weni-mock.js';
import { startStreamElementsMock } from '../../src/providers/streamelements/mock.js';
import { startTweetCatcherMock } from '../../src/providers/tweetcatcher/mock.js';
import { DEFAULT_APPROVED_SOCKET_DOMAINS, startWebinateMock } from '../../src/providers/webinate/mock.js';
import { runInProcess } from './evtail.js';
import { NatsServer } from './nats-server.js';
import { isOneEvtailCommand, makeShell, maskQuotes, recipesInDocs, runRecipe, type RunResult, type Shell } from './recipes.js';

type Check = (r: RunResult, shell: Shell) => void;
interface Spec {
  /** Exit code when it ends by itself; for a tail that runs until Ctrl-C, give stop and expect 130. */
  code?: number;
  /** Ctrl-C after this many stdout lines (a recipe that tails until stopped). */
  stop?: number;
  stopWhen?: (out: string, err: string) => boolean;
  stdout?: RegExp;
  stderr?: RegExp;
  check?: Check;
  stdin?: string;
  /** It must finish within this (default 8 s): recipes are meant to be quick. */
  withinMs?: number;
  /**
   * Run after the recipe whose line contains this text, once it has finished: it needs what that one leaves (a
   * file it writes, a stream it creates). The two run in the same test file.
   */
  after?: string;
}
type Entry = Spec | { skip: string };

/** Whole lines only: a tail stopped by Ctrl-C may have been cut mid-line. */
const lines = (s: string) => s.split('\n').slice(0, -1).filter(Boolean);
const json = (s: string) => lines(s).map((l) => JSON.parse(l) as Record<string, unknown>);
const TAIL = { stop: 3, code: 130 } as const;
const noAlert: Check = (_r, sh) => expect(readFileSync(sh.alerts, 'utf8')).toBe('');
const CLONE = 'a development step of a clone of the source (npm ci, npm test, bench, CI): run by CI itself, not here';
const SYNOPSIS = 'a synopsis line with <placeholders>, not a command';
const MOCK_SERVER = (stdout: RegExp): Spec => ({ stopWhen: (o) => stdout.test(o), code: 0, stdout });

/** Recipe line (exactly as in the docs, continuations joined) → what it must do. */
const catalogue: Record<string, Entry> = {
  // --- README: quick start
  'npm ci && npm run build && npx evtail demo   # a local mock of Tweet Catcher, tailed in pretty text: no account, no network': { skip: CLONE },
  'npx evtail demo --format ndjson --max-events 5 | jq -c .type': { code: 0, check: (r) => expect(lines(r.stdout)).toHaveLength(5), stdout: /^"twitter\.post\.new"$/m },
  'npx evtail demo streamelements --topic channel.activities --topic channel.tips -o ndjson -n 5': { code: 0, check: (r) => expect(new Set(json(r.stdout).map((e) => e.topic))).toEqual(new Set(['channel.activities', 'channel.tips'])) },
  // --- README: usage synopsis
  'evtail <provider> [options]        tweetcatcher | doshii | push | streamelements | webinate': { skip: SYNOPSIS },
  'evtail ws <url> [options]          any WebSocket endpoint': { skip: SYNOPSIS },
  'evtail socketcluster <url> --channel <name...>   any SocketCluster channels': { skip: SYNOPSIS },
  "evtail demo [provider] [options]   tail a provider's mock on loopback: no account needed (default tweetcatcher)": { skip: SYNOPSIS },
  "evtail mock <provider> [knobs]     run a provider's mock server for your own client": { skip: SYNOPSIS },
  'evtail replay <file> [options]     replay a --record file through the same decoders, filters and printers': { skip: SYNOPSIS },
  'evtail -p <profile> [options]      run a profile from the config file (it names its provider)': { skip: SYNOPSIS },
  'evtail profiles                    the profiles of the config in use: provider and endpoint, secrets redacted': { skip: SYNOPSIS },
  'evtail completion bash|zsh|fish    a shell completion script (subcommands, flags, profile and provider names)': { skip: SYNOPSIS },
  'evtail <command> --help            every option, with examples': { skip: SYNOPSIS },
  // --- Tweet Catcher
  'evtail tweetcatcher --token-file ~/.tweetcatcher-token          # token from a file (not in ps or shell history)': { ...TAIL, stdout: /^{"time".*"provider":"tweetcatcher"/m },
  'EVTAIL_TOKEN="$(cat ~/.tweetcatcher-token)" evtail tweetcatcher    # token from the environment': { ...TAIL, stdout: /"provider":"tweetcatcher"/ },
  'pass show tweetcatcher | evtail tweetcatcher --token -           # token from stdin': { ...TAIL, stdout: /"provider":"tweetcatcher"/ },
  'evtail tweetcatcher --token-file t -o ndjson | jq -r \'"@\\(.data.task_info.handle): \\(.data.data.text)"\'': { ...TAIL, stdout: /^@\w+: \S/m },
  'evtail tweetcatcher --token-file ~/.tweetcatcher-token': { ...TAIL, stdout: /"provider":"tweetcatcher"/ },
  'evtail demo                                              # the local mock: no account needed': { ...TAIL, stdout: /"provider":"tweetcatcher"/ },
  'evtail tweetcatcher --token-file t --match \'data.data.type~^(quote|reply)$\' -o ndjson | jq -r \'"@\\(.data.task_info.handle): \\(.data.data.text)"\'': { stop: 2, code: 130, stdout: /^@\w+: \S/m },
  "evtail tweetcatcher --token-file t --type 'twitter.post.*' -n 1 --timeout 10m -q >/dev/null": { code: 0, stdout: /^$/ },
  'evtail mock tweetcatcher --heartbeat-interval 1s --stop-acks-after 5 --faulty 1    # one zombie link, then healthy': MOCK_SERVER(/^ws:\/\/127\.0\.0\.1:\d+\/websocket$/m),
  'evtail tweetcatcher --url ws://127.0.0.1:42069/websocket --token x --meta -o ndjson': { ...TAIL, check: (r) => expect(json(r.stdout)[0]!.type).toBe('evtail.connected') },
  // --- Doshii
  'evtail doshii --client-id-file ~/.doshii-client-id': { ...TAIL, stdout: /"provider":"doshii"/ },
  'evtail doshii --client-id-file id -o ndjson | jq -c \'select(.type == "order_created") | {id, status: .data.status, uri: .data.uri}\'': { stop: 1, code: 130, stdout: /^{"id":"\d+","status":"\w+","uri":"https:\/\/[^"]+\/orders\/\d+"}$/m },
  'evtail doshii --client-id-file id --match type=order_created -n 1 --timeout 10m -q    # CI: an order must arrive (exit 4 if not)': { code: 0, check: (r) => expect(json(r.stdout).map((e) => e.type)).toEqual(['order_created']) },
  'evtail doshii --client-id-file ~/.doshii-client-id          # sandbox, pretty at a terminal': { ...TAIL, stdout: /"provider":"doshii"/ },
  'evtail demo doshii                                           # the local mock: no account needed': { ...TAIL, stdout: /"provider":"doshii"/ },
  'evtail doshii --client-id-file ~/.doshii-client-id --url wss://live-socket.doshii.co/app/socket': { ...TAIL, stdout: /"provider":"doshii"/ },
  'evtail doshii --client-id-file id -o ndjson | jq -c \'select(.type == "order_created") | {id, status: .data.status, location: .data.locationId, uri: .data.uri}\'': { stop: 1, code: 130, stdout: /^{"id":"\d+","status":"\w+","location":"\w+","uri":"[^"]+"}$/m },
  'evtail doshii --client-id-file id -o ndjson --timeout 60s | jq -r .type | sort | uniq -c': { skip: 'counts for a whole minute by design (--timeout 60s); the same pipeline is run with --rate 100 -n 100 on the demo above' },
  '*/30 * * * * EVTAIL_CLIENT_ID=$(cat ~/.doshii-client-id) evtail doshii -n 1 --timeout 10m -q -o ndjson > /dev/null || notify "doshii sandbox stream is down (exit $?)"': { code: 0, check: noAlert },
  'evtail mock doshii --port 8101 --drop-after 10 --faulty 1': MOCK_SERVER(/^ws:\/\/127\.0\.0\.1:\d+\/app\/socket\/v3$/m),
  'evtail doshii --url ws://127.0.0.1:8101/app/socket/v3 --client-id demo-client-id': { ...TAIL, stdout: /"provider":"doshii"/ },
  'evtail mock doshii --help                             # every knob of a mock': { code: 0, stdout: /--refuse-status <status>/ },
  // --- Push (SocketCluster)
  'evtail push --host push.example.com --channel-uuid "$UUID" --host-api "$API" --stdin       # type, Enter, read replies': { stdin: 'hello\n', stopWhen: (o) => /You said: hello/.test(o), code: 130 },
  'printf \'hello\\nmy order #48213\\n\' | evtail push --host push.example.com --channel-uuid "$UUID" --host-api "$API" --stdin -o ndjson': { stopWhen: (o) => /You said: my order #48213/.test(o), code: 130, stdout: /You said: hello/ },
  'evtail push --host push.example.com --channel-uuid "$UUID" --host-api "$API" --urn b548ea75c1c-36d92a5f   # resume': { ...TAIL, stdout: /"channel":"b548ea75c1c-36d92a5f"/ },
  'evtail demo push --send hi -o ndjson -n 3 | jq -r .data.text': { code: 0, stdout: /^You said: hi$/m },
  'evtail push --host push.example.com --channel-uuid 9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b --host-api https://api.push.example.com --send hello': { stopWhen: (o) => /You said: hello/.test(o), code: 130 },
  'evtail push --host push.example.com --channel-uuid "$UUID" --host-api "$API" --stdin': { stdin: 'hi there\n', stopWhen: (o) => /You said: hi there/.test(o), code: 130 },
  'evtail push --host push.example.com --channel-uuid "$UUID" --host-api "$API" --urn b548ea75c1c-36d92a5f': { ...TAIL, stdout: /"channel":"b548ea75c1c-36d92a5f"/ },
  'evtail push --host push.example.com --channel-uuid "$UUID" --host-api "$API" --send hi -o ndjson | jq -r \'.data.text + (if .data.quick_replies then "  " + (.data.quick_replies | join(" | ")) else "" end)\'': { stopWhen: (o) => /You said: hi/.test(o) && / \| /.test(o), code: 130 },
  '*/10 * * * * evtail push --host push.example.com --channel-uuid "$UUID" --host-api "$API" --send ping -n 1 --timeout 30s -q >/dev/null || alert "push web-chat"': { code: 0, check: noAlert },
  'evtail mock push --port 8102': MOCK_SERVER(/^ws:\/\/127\.0\.0\.1:\d+\/socketcluster\/$/m),
  'evtail push --url ws://127.0.0.1:8102/socketcluster/ --channel-uuid 9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b --host-api https://push.example.org --stdin': { stdin: 'hello\n', stopWhen: (o) => /You said: hello/.test(o), code: 130 },
  'evtail demo push --send hi           # the mock and the tail in one command': { stopWhen: (o) => /You said: hi/.test(o), code: 130 },
  // --- Push (Weni)
  'evtail push --protocol weni --host websocket.weni.ai --channel-uuid "$UUID" --host-api https://flows.weni.ai --init-payload start --stdin': { stdin: 'hello\n', stop: 2, code: 130, stdout: /"provider":"push"/ },
  'evtail mock push --protocol weni --port 8105': MOCK_SERVER(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/m),
  'evtail push --protocol weni --url ws://127.0.0.1:8105/ws --callback https://flows.example.org/c/wwc/9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b/receive --stdin': { stdin: 'hello\n', stop: 2, code: 130, stdout: /"provider":"push"/ },
  'evtail demo push --protocol weni --send hello --history': { stop: 2, code: 130, stdout: /"provider":"push"/ },
  // --- StreamElements
  'evtail streamelements --token-file ~/.se-jwt --topic channel.activities --topic channel.tips': { stopWhen: (o) => /"topic":"channel\.tips"/.test(o) && /"topic":"channel\.activities"/.test(o), code: 130 },
  'evtail streamelements --token-file ~/.se-jwt --topic channel.tips -o ndjson | jq -r \'.data.donation | "\\(.user.username)\\t\\(.amount) \\(.currency)"\'': { stop: 2, code: 130, stdout: /^\w+\t[\d.]+ [A-Z]{3}$/m },
  "evtail streamelements --token-file ~/.se-jwt --match data.type=tip --match 'data.data.amount>=10'": { stop: 1, code: 130, check: (r) => expect(json(r.stdout).every((e) => (e.data as { type: string; data: { amount: number } }).type === 'tip' && (e.data as { data: { amount: number } }).data.amount >= 10)).toBe(true) },
  'evtail streamelements --token-file ~/.se-jwt --topic channel.activities --topic channel.tips --topic channel.stream.status': { stopWhen: (o) => /"topic":"channel\.tips"/.test(o), code: 130 },
  'evtail streamelements --token-file ~/.se-overlay-key --token-type apikey --topic channel.chat.message': { stop: 1, code: 130, stdout: /"topic":"channel\.chat\.message"/ },
  'evtail streamelements --token-file ~/.se-jwt --topic channel.tips -o ndjson | jq -r \'.data.donation | "\\(.user.username)\\t\\(.amount) \\(.currency)\\t\\(.message)"\'': { stop: 2, code: 130, stdout: /^\w+\t[\d.]+ [A-Z]{3}\t/m },
  'evtail streamelements --token-file ~/.se-jwt -o ndjson | jq -c \'select(.data.type=="tip" or .data.type=="cheer") | {type: .data.type, user: .data.data.username, amount: .data.data.amount}\'': { stop: 2, code: 130, stdout: /^{"type":"(tip|cheer)","user":"\w+","amount":\d+(\.\d+)?}$/m },
  '*/15 * * * * evtail streamelements --token-file ~/.se-jwt --duration 60s -q >/dev/null || alert "StreamElements feed: exit $?"': { skip: 'watches for a whole minute by design (--duration 60s); --duration itself is tested in test/e2e/smoke.test.ts' },
  'evtail streamelements --token-file ~/.se-jwt --topic channel.tips -n 1 --timeout 5m -o ndjson > tip.json   # exit 4: no tip': { code: 0, check: (r, sh) => expect(json(readFileSync(path.join(sh.home, 'tip.json'), 'utf8')).map((e) => e.topic)).toEqual(['channel.tips']) },
  'evtail demo streamelements --topic channel.activities --topic channel.tips --format ndjson --max-events 5': { code: 0, check: (r) => expect(json(r.stdout)).toHaveLength(5) },
  'evtail mock streamelements --token mytoken --token limited:channel.activities --reconnect-after 20 --ping-interval 5s': MOCK_SERVER(/^ws:\/\/127\.0\.0\.1:\d+\/?$/m),
  // Stopped once both are seen: the refusal of channel.tips comes one paced subscribe (~110 ms) after the first events.
  'evtail streamelements --url ws://127.0.0.1:8103 --token limited --topic channel.activities --topic channel.tips': { stopWhen: (o, e) => lines(o).length >= 2 && /channel\.tips/.test(e), code: 130, stderr: /channel\.tips/, stdout: /"topic":"channel\.activities"/ },
  // --- Webinate
  'evtail webinate --url wss://users.example.com:8080 --origin https://app.example.com --cookie-file ~/.webinate-sid': { ...TAIL, stdout: /"provider":"webinate"/ },
  'evtail webinate --url ws://127.0.0.1:8104              # Origin http://127.0.0.1:8104 is not approved: exit 3': { code: 3, stderr: /was probably not in its approvedSocketDomains/ },
  // --- Webinate (current and numeric generations)
  'evtail webinate --url ws://localhost:8080 --api-key-file ~/.users-api-key': { ...TAIL, stdout: /"provider":"webinate"/ },
  'evtail webinate --url ws://users.internal:8080 --api-key-file /etc/users-api-key --meta-request admin --replies-only -n 1 --timeout 15s -q   # smoke': { skip: 'asks the server for the user admin, which a real users server creates from its config (adminUser); the mock has no admin user and answers "Could not find user admin", so this smoke check exits 4 against it. The same check with alice.plan runs below' },
  'evtail webinate --url ws://localhost:8080 --api-key-file ~/.users-api-key --meta-request alice.plan --replies-only -n 1 --timeout 10s': { code: 0, check: (r) => expect(json(r.stdout)).toHaveLength(1) },
  'evtail webinate --url ws://localhost:8080 --origin http://localhost --generation numeric --send \'{"eventType":10,"message":"deploy done","broadcast":true}\' -n 1': { code: 0, check: (r) => expect(json(r.stdout)).toHaveLength(1) },
  'evtail webinate --url ws://localhost:8080 --api-key-file ~/.users-api-key -o ndjson | jq -c \'select(.type=="FileUploaded") | {user: .data.username, file: .data.file.name, size: .data.file.size, bucket: .data.file.bucketName}\'': { stop: 1, code: 130, stdout: /^{"user":"\w+","file":"[^"]+","size":\d+,"bucket":/m },
  '*/5 * * * * evtail webinate --url ws://users.internal:8080 --api-key-file /etc/users-api-key --meta-request admin --replies-only -n 1 --timeout 15s -q >/dev/null || alert "users socket API"': { skip: 'asks the server for the user admin, which a real users server creates from its config (adminUser); the mock has no admin user and answers "Could not find user admin", so this smoke check exits 4 against it. The same check with alice.plan runs below' },
  'evtail mock webinate                                   # ws://127.0.0.1:8104, the current generation': MOCK_SERVER(/^ws:\/\/127\.0\.0\.1:\d+\/?$/m),
  'evtail webinate --url ws://127.0.0.1:8104 --api-key mock-socket-api-key --meta-request alice.plan --replies-only -n 1': { code: 0, check: (r) => expect(json(r.stdout)).toHaveLength(1) },
  "evtail webinate --url ws://127.0.0.1:8104 --origin http://localhost --cookie SID=sid-alice   # alice's events only": { ...TAIL, stdout: /"provider":"webinate"/ },
  'evtail mock webinate --generation numeric --silent-after 5 --faulty 1   # then: --origin http://localhost --ping-interval 1s shows the dead-link reconnect': MOCK_SERVER(/^ws:\/\/127\.0\.0\.1:\d+\/?$/m),
  'evtail demo webinate --generation numeric --echo hello --format ndjson --max-events 3': { code: 0, check: (r) => expect(json(r.stdout).filter((e) => e.type === 'Echo')).toHaveLength(1) },
  // --- NATS JetStream (a real nats-server -js)
  "evtail nats init 'nats://127.0.0.1:4222/events.{provider}.{type}' --duplicate-window 10m": { code: 0 },
  "evtail demo doshii --publish 'nats://127.0.0.1:4222/events.{provider}.{type}' -n 20 --stats": { code: 0, after: "nats init 'nats://127.0.0.1:4222/events.{provider}.{type}'" /* the stream it publishes into */, withinMs: 15_000 /* the demo's pace: 2 events/s */, check: (r) => expect(json(r.stdout)).toHaveLength(20), stderr: /"evtail":"stats"|stats/ },
  "evtail nats init 'nats://127.0.0.1:4222/events.{provider}.{source}.{type}' --duplicate-window 10m --max-age 7d": { code: 0, after: "--publish 'nats://127.0.0.1:4222/events.{provider}.{type}' -n 20" /* the README init's stream, widened once published into */ },
  "evtail -p venue-0001 --publish 'nats://nats.internal:4222/events.{provider}.{source}.{type}' -o ndjson > /dev/null": { after: "{source}.{type}' --duplicate-window 10m --max-age 7d" /* the subjects it publishes to */, stopWhen: (_o, e) => /ready/.test(e), code: 130 },
  // --- forwarding to a webhook handler (a real HTTP server on loopback)
  'evtail demo tweetcatcher --forward-to localhost:3000/tweetcatcher     # then: evtail tweetcatcher --token-file t --forward-to …': { ...TAIL, check: () => expect(hooks.count('/tweetcatcher')).toBeGreaterThan(0) },
  'evtail demo doshii --forward-to localhost:3000/doshii                 # a POS order handler against the Doshii mock': { ...TAIL, check: () => expect(hooks.count('/doshii')).toBeGreaterThan(0) },
  'evtail demo push --forward-to localhost:3000/push': { ...TAIL, check: () => expect(hooks.count('/push')).toBeGreaterThan(0) },
  'evtail demo streamelements --forward-to localhost:3000/streamelements  # a tip bot against the StreamElements mock': { ...TAIL, check: () => expect(hooks.count('/streamelements')).toBeGreaterThan(0) },
  'evtail demo webinate --forward-to localhost:3000/webinate': { ...TAIL, check: () => expect(hooks.count('/webinate')).toBeGreaterThan(0) },
  'evtail replay session.ndjson --forward-to localhost:3000/hook          # a --record file, at its recorded pace': { code: 0, withinMs: 12_000, check: (r) => expect(hooks.count('/hook')).toBeGreaterThanOrEqual(json(r.stdout).length) },
  'evtail demo doshii -n 20 --forward-to localhost:3000/doshii --forward-dead-letter dead.ndjson': { code: 7, withinMs: 15_000 /* the demo's pace: 2 events/s */, check: (_r, sh) => expect(lines(readFileSync(path.join(sh.home, 'dead.ndjson'), 'utf8'))).toHaveLength(20) },
  'evtail replay dead.ndjson --forward-to localhost:3000/doshii': { code: 0, after: '--forward-dead-letter dead.ndjson', check: () => expect(hooks.count('/doshii')).toBeGreaterThanOrEqual(20) },
  'evtail demo doshii --forward-to localhost:3000/doshii          # no scheme means http://': { ...TAIL, check: () => expect(hooks.count('/doshii')).toBeGreaterThan(0) },
  'evtail tweetcatcher --token-file ~/.tweetcatcher-token --forward-to localhost:4242/hook --forward-secret-file ~/.evtail-hook-secret': { ...TAIL, check: () => expect(hooks.signed('/hook')).toBeGreaterThan(0) },
  // --- ws
  'evtail ws wss://ws.kraken.com --send \'{"event":"subscribe","pair":["XBT/USD"],"subscription":{"name":"ticker"}}\' --ping-interval 20s': { ...TAIL, stdout: /"provider":"ws"/ },
  'evtail ws wss://api.example.com/ws --header "Authorization: Bearer $API_TOKEN" --type-path data.kind -o ndjson | jq -c .type': { ...TAIL, stdout: /^"trade"$/m },
  'evtail ws ws://localhost:8080/chat --stdin                       # type a line, Enter: it is sent; replies print above the prompt': { stdin: 'hello\n', stopWhen: (o) => /"text":"hello"/.test(o), code: 130 },
  'evtail ws wss://stream.example.com/feed': { ...TAIL, stdout: /"provider":"ws"/ },
  'evtail ws wss://ws.kraken.com --send \'{"event":"subscribe","pair":["XBT/USD"],"subscription":{"name":"ticker"}}\' --type text': { stop: 2, code: 130, check: (r) => expect(json(r.stdout).every((e) => e.type === 'text')).toBe(true) },
  'evtail ws wss://api.example.com/ws --header "Authorization: Bearer $TOKEN" --ping-interval 20s --type-path data.kind': { ...TAIL, stdout: /"type":"trade"/ },
  'evtail ws ws://localhost:4000/graphql --subprotocol graphql-transport-ws --send \'{"type":"connection_init"}\' --send \'{"id":"1","type":"subscribe","payload":{"query":"subscription { orderCreated { id total } }"}}\' --type next -o ndjson | jq -c .data.payload.data': { stop: 1, code: 130, stdout: /^{"orderCreated":{"id":\d+,"total":\d+}}$/m },
  'evtail ws wss://stream.example.com/feed -o ndjson | jq -c \'select((.data | type) == "object" and .data.amount > 100) | {type, id, amount: .data.amount}\'': { stop: 2, code: 130, check: (r) => expect(json(r.stdout).every((e) => (e.amount as number) > 100)).toBe(true), stderr: /^(?![\s\S]*jq: error)/ },
  "evtail ws wss://stream.example.com/feed --match 'data.amount>100'": { stop: 2, code: 130, check: (r) => expect(json(r.stdout).every((e) => (e.data as { amount: number }).amount > 100)).toBe(true) },
  '*/10 * * * * evtail ws wss://stream.example.com/feed -n 1 --timeout 60s -q >/dev/null || alert "feed down: exit $?"': { code: 0, check: noAlert },
  'evtail ws ws://localhost:8080/events --until type=deploy.finished --timeout 5m -o ndjson > events.ndjson': { code: 0, check: (_r, sh) => expect(json(readFileSync(path.join(sh.home, 'events.ndjson'), 'utf8')).at(-1)!.type).toBe('deploy.finished') },
  // --- socketcluster
  'evtail socketcluster wss://sc.example.com/socketcluster/ --channel trades --channel news': { stopWhen: (o) => /"channel":"trades"/.test(o) && /"channel":"news"/.test(o), code: 130 },
  "evtail socketcluster ws://127.0.0.1:8000/socketcluster/ --channel alerts --protocol-version 1 --until 'data.level=critical'": { code: 0, check: (r) => expect((json(r.stdout).at(-1)!.data as { level: string }).level).toBe('critical') },
  'evtail socketcluster ws://localhost:8000/socketcluster/ --channel sensor/1 sensor/2 --protocol-version 1': { stopWhen: (o) => /"channel":"sensor\/1"/.test(o) && /"channel":"sensor\/2"/.test(o), code: 130 },
  'evtail socketcluster wss://sc.example.com/socketcluster/ --channel orders --auth-token-file ~/.sc-jwt': { skip: 'needs a JWT signed with the server\'s auth key; the auth-token path is tested against a real socketcluster-server in test/e2e/socketcluster.test.ts' },
  "evtail socketcluster wss://sc.example.com/socketcluster/ --channel trades -o ndjson | jq -c '{id, price: .data.price}'": { stop: 2, code: 130, stdout: /^{"id":"\d+","price":[\d.]+}$/m },
  'evtail socketcluster wss://sc.example.com/socketcluster/ --channel a --channel b --type headline': { stop: 2, code: 130, check: (r) => expect(json(r.stdout).every((e) => e.type === 'headline')).toBe(true) },
  '*/15 * * * * evtail socketcluster wss://sc.example.com/socketcluster/ --channel heartbeat -n 1 --timeout 60s -q >/dev/null || alert "SC feed: exit $?"': { code: 0, check: noAlert },
  "evtail socketcluster ws://localhost:8000/socketcluster/ --channel builds --until 'data.status=done' --timeout 5m -o ndjson": { code: 0, check: (r) => expect((json(r.stdout).at(-1)!.data as { status: string }).status).toBe('done') },
  // --- output formats and jq
  "evtail demo -o ndjson | jq -c '{type, id}'                               # a compact index of the stream": { ...TAIL, stdout: /^{"type":"twitter\.post\.new","id":"tc-1"}$/m },
  "evtail demo --rate 100 -o ndjson -n 100 | jq -r '.type' | sort | uniq -c   # event counts by type (in a second)": { code: 0, withinMs: 5000, check: (r) => expect(lines(r.stdout).map((l) => l.trim())).toEqual(['25 truth_social.post.new', '75 twitter.post.new']) },
  'evtail demo -o ndjson | jq -c \'select(.data.data.type == "quote")\'       # only quotes': { stop: 1, code: 130, stdout: /"type":"quote"/ },
  'evtail demo -o ndjson --meta | jq -c \'select(.type | startswith("evtail."))\'   # where the gaps are': { stop: 1, code: 130, stdout: /^{"time":"[^"]+","provider":"tweetcatcher","type":"evtail\.connected"/m },
  // --- cron and CI
  '*/15 * * * * evtail -p mytweets -n 1 --timeout 2m -q >/dev/null || echo "tweetcatcher check failed: exit $?" | mail -s evtail ops@example.com': { code: 0, check: noAlert },
  '*/30 * * * * evtail -p se --idle-timeout 10m --duration 29m --stats -q >/dev/null 2>>/var/log/evtail.log; [ $? -eq 6 ] && alert "StreamElements feed quiet"': { skip: 'watches for 29 minutes by design; the exit codes it relies on (6 quiet, 0 at --duration) are tested in test/e2e/smoke.test.ts' },
  'npx evtail doshii --client-id "$DOSHII_CLIENT_ID" --match type=order_created --match data.status=pending -n 1 --timeout 60s --format ndjson --stats > order-event.json': { code: 0, stderr: /"evtail":"stats"/, check: (_r, sh) => expect(json(readFileSync(path.join(sh.home, 'order-event.json'), 'utf8')).map((e) => [e.type, (e.data as { status: string }).status])).toEqual([['order_created', 'pending']]) },
  "$ evtail demo --match 'data.amount>>10'": { code: 2, stderr: /--match "data\.amount>>10": unexpected ">" after ">"\n\s+\^/ },
  // --- record and replay
  'evtail streamelements --token-file ~/.se-jwt --topic channel.activities --topic channel.tips --record se.ndjson   # every frame in and out, secrets redacted': { stopWhen: (o) => (o.match(/"topic":"channel\.tips"/g) ?? []).length >= 2, code: 130, check: (_r, sh) => expect(readFileSync(path.join(sh.home, 'se.ndjson'), 'utf8')).not.toContain('mytoken') },
  'evtail replay se.ndjson                                                   # at the recorded pace': { code: 0, withinMs: 12_000, stdout: /"topic":"channel\.tips"/, after: '--record se.ndjson' },
  "evtail replay se.ndjson --speed 10 --type 'channel.tips'                  # ten times faster, filtered": { code: 0, after: '--record se.ndjson', check: (r) => expect(json(r.stdout).length).toBeGreaterThanOrEqual(2) },
  'evtail replay se.ndjson --as-fast-as-possible -o ndjson | jq -c .type     # for tests and debugging': { code: 0, after: '--record se.ndjson', stdout: /^"channel\.tips"$/m },
  // --- configuration and profiles
  'evtail -p mytweets                 # the profile names its provider': { ...TAIL, stdout: /"provider":"tweetcatcher"/ },
  'evtail tweetcatcher -p mytweets -n 5': { code: 0, check: (r) => expect(json(r.stdout)).toHaveLength(5) },
  'EVTAIL_PROFILE=mytweets evtail tweetcatcher': { ...TAIL, stdout: /"provider":"tweetcatcher"/ },
  'evtail profiles': { code: 0, stdout: /^mytweets\s+tweetcatcher\s+ws:\/\/127\.0\.0\.1:\d+\/websocket$[\s\S]*^desk  tips, tweets, venue-12$/m },
  'evtail profiles --names': { code: 0, stdout: /^mytweets\nse\nvenue-0001\ntips\ntweets\nvenue-12\nsupport\ndesk\n$/ },
  // --- several streams at once
  'evtail -p tips -p tweets                                  # two streams, one merged output': { stopWhen: (o) => /"source":"tips"/.test(o) && /"source":"tweets"/.test(o), code: 130 },
  'evtail -p desk -o ndjson | jq -c \'select(.source=="tips")\'': { stop: 2, code: 130, check: (r) => expect(json(r.stdout).every((e) => e.source === 'tips')).toBe(true) },
  'evtail -p desk --keep-going --stats                       # one stream refused: report it, keep the others': { stopWhen: (o) => ['tips', 'tweets', 'venue-12'].every((src) => o.includes(`"source":"${src}"`)), code: 130, stderr: /stats/ },
  // --- shell completion
  'source <(evtail completion bash)                                          # this shell only': { code: 0, check: (r) => expect(r.stderr).toBe('') },
  'evtail completion bash > ~/.local/share/bash-completion/completions/evtail   # every new bash': { code: 0, check: (_r, sh) => expect(readFileSync(path.join(sh.home, '.local/share/bash-completion/completions/evtail'), 'utf8')).toMatch(/complete -F _evtail evtail/) },
  'evtail completion zsh > "${fpath[1]}/_evtail"                               # zsh (through bashcompinit)': { skip: '${fpath[1]} is a zsh variable: in bash it is empty, and zsh is not installed here; the zsh script is checked in test/e2e/completion-profiles.test.ts' },
  'evtail completion fish > ~/.config/fish/completions/evtail.fish': { code: 0, check: (_r, sh) => expect(readFileSync(path.join(sh.home, '.config/fish/completions/evtail.fish'), 'utf8')).toMatch(/^complete -c evtail/m) },
  // --- mocks
  'evtail mock tweetcatcher --port 42069                 # serves ws://127.0.0.1:42069/websocket': MOCK_SERVER(/^ws:\/\/127\.0\.0\.1:\d+\/websocket$/m),
  'evtail tweetcatcher --url ws://127.0.0.1:42069/websocket --token anything': { ...TAIL, stdout: /"provider":"tweetcatcher"/ },
  'evtail mock tweetcatcher --drop-after 10 --faulty 1   # drop the first connection after 10 events': MOCK_SERVER(/^ws:\/\/127\.0\.0\.1:\d+\/websocket$/m),
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'evtail-recipes-'));
/** The webhook handlers: one that takes every event (200), one that refuses them (400: not retried, dead-lettered). */
const hooks = {
  byPath: new Map<string, number>(),
  signedByPath: new Map<string, number>(),
  count: (p: string) => hooks.byPath.get(p) ?? 0,
  signed: (p: string) => hooks.signedByPath.get(p) ?? 0,
};
async function startHandler(status: number): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const p = (req.url ?? '/').split('?')[0]!;
      if (status === 200) {
        hooks.byPath.set(p, hooks.count(p) + 1);
        if (Object.keys(req.headers).some((h) => /signature/i.test(h))) hooks.signedByPath.set(p, hooks.signed(p) + 1);
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise((r) => {
    server.closeAllConnections();
    server.close(r);
  }));
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}
let shell: Shell;
const closers: (() => Promise<unknown>)[] = [];

/** A generic feed for `evtail ws`: JSON trades with amounts, ticker arrays, text frames, a GraphQL server, an echo. */
async function startFeed(): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (p) => (p.has('graphql-transport-ws') ? 'graphql-transport-ws' : false) });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws) => {
    let n = 0;
    const timer = setInterval(() => {
      n += 1;
      const items: unknown[] = [
        { type: 'trade', id: `T-${n}`, amount: (n * 37) % 200, pair: 'XBT/USD', data: { kind: 'trade' } },
        'server says hello',
        [42, { a: ['64210.5', 1] }, 'ticker', 'XBT/USD'],
        { type: 'heartbeat' },
      ];
      for (const item of items) ws.send(typeof item === 'string' ? item : JSON.stringify(item));
      if (n === 5) ws.send(JSON.stringify({ type: 'deploy.finished', id: 'd-1' }));
    }, 40);
    ws.on('close', () => clearInterval(timer));
    ws.on('message', (m) => {
      const text = String(m);
      if (text.includes('connection_init')) return ws.send(JSON.stringify({ type: 'connection_ack' }));
      if (text.includes('"subscribe"') && text.includes('"id":"1"')) return ws.send(JSON.stringify({ id: '1', type: 'next', payload: { data: { orderCreated: { id: 1, total: 9 } } } }));
      if (!text.startsWith('{')) ws.send(JSON.stringify({ type: 'echo', text }));
    });
  });
  closers.push(() => new Promise((r) => wss.close(r)));
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
}

/** A real socketcluster-server publishing on the channels the recipes name. */
async function startSc(protocolVersion: 1 | 2): Promise<string> {
  const httpServer = http.createServer();
  const server: AGServer = attach(httpServer, { protocolVersion });
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', () => r()));
  let n = 0;
  const timer = setInterval(() => {
    n += 1;
    const pub = (channel: string, data: unknown) => void server.exchange.transmitPublish(channel, data);
    pub('trades', { type: 'trade', id: String(n), price: 64000 + n });
    pub('news', { type: 'headline', id: `n-${n}`, text: 'Markets open higher' });
    pub('a', { type: n % 2 ? 'headline' : 'ticker', id: `a-${n}` });
    pub('b', { type: 'headline', id: `b-${n}` });
    pub('alerts', { level: n % 4 === 0 ? 'critical' : 'info', id: `al-${n}` });
    pub('builds', { status: n >= 4 ? 'done' : 'running', id: `bu-${n}` });
    pub('heartbeat', { type: 'beat' });
    pub('sensor/1', { v: n });
    pub('sensor/2', { v: -n });
  }, 60);
  closers.push(async () => {
    clearInterval(timer);
    server.closeAllListeners();
    await server.close(true);
    httpServer.closeAllConnections();
    await new Promise<void>((r) => httpServer.close(() => r()));
  });
  return `ws://127.0.0.1:${(httpServer.address() as { port: number }).port}/socketcluster/`;
}

async function startWorld(): Promise<void> {
  const tc = await startTweetCatcherMock({ host: '127.0.0.1', port: 0, rate: 20, heartbeatInterval: 45_000 });
  const doshii = await startDoshiiMock({ host: '127.0.0.1', port: 0, rate: 20 });
  const se = await startStreamElementsMock({ host: '127.0.0.1', port: 0, rate: 20, token: ['mytoken', 'limited:channel.activities'] });
  const webinateNumeric = await startWebinateMock({ host: '127.0.0.1', port: 0, rate: 20, generation: 'numeric' });
  closers.push(() => webinateNumeric.close());
  const webinate = await startWebinateMock({ host: '127.0.0.1', port: 0, rate: 20, approvedSocketDomains: [...DEFAULT_APPROVED_SOCKET_DOMAINS, 'app\\.example\\.com'] });
  const push = await startPushMock({ host: '127.0.0.1', port: 0, rate: 5 });
  const weni = await startWeniMock({ host: '127.0.0.1', port: 0, rate: 5 });
  for (const m of [tc, doshii, se, webinate, push, weni]) closers.push(() => m.close());
  // The resume recipes name the urn a fresh server issues first (b548ea75c1c-36d92a5f): have it issued, as an
  // earlier chat would have, before any recipe runs.
  const first = await runInProcess(['push', '--url', push.url, '--channel-uuid', '9f4c2b1e-7a3d-4e5f-8b6a-0c1d2e3f4a5b', '--host-api', 'https://push.example.org', '-o', 'ndjson', '-n', '1', '-q']);
  expect(first.lines[0]).toContain('"channel":"b548ea75c1c-36d92a5f"');
  const [feed, sc2, sc1] = await Promise.all([startFeed(), startSc(2), startSc(1)]);
  const nats = await new NatsServer().start();
  const [handler, refusing] = await Promise.all([startHandler(200), startHandler(400)]);
  closers.push(() => nats.close());
  const host = (url: string) => url.replace(/^(wss?:\/\/[^/]+).*$/, '$1');
  shell = makeShell(dir, {
    urls: { tweetcatcher: tc.url, doshii: doshii.url, streamelements: se.url, webinate: webinate.url, push: push.url, 'push-weni': weni.url },
    rewrites: [
      ['ws://127.0.0.1:42069/websocket', tc.url],
      ['wss://live-socket.doshii.co', host(doshii.url)],
      ['ws://127.0.0.1:8101/app/socket/v3', doshii.url],
      ['ws://127.0.0.1:8102/socketcluster/', push.url],
      ['ws://127.0.0.1:8105/ws', weni.url],
      ['ws://127.0.0.1:8103', se.url],
      ['ws://127.0.0.1:8104', webinate.url],
      ['ws://localhost:8080/events', feed],
      ['ws://localhost:8080/chat', feed],
      ['ws://localhost:8080', webinate.url],
      ['wss://users.example.com:8080', webinate.url],
      ['ws://users.internal:8080', webinate.url],
      ['wss://stream.example.com/feed', feed],
      ['wss://ws.kraken.com', feed],
      ['wss://api.example.com/ws', feed],
      ['ws://localhost:4000/graphql', feed],
      ['wss://sc.example.com/socketcluster/', sc2],
      ['ws://localhost:8000/socketcluster/', sc1],
      ['ws://127.0.0.1:8000/socketcluster/', sc1],
      ['nats://127.0.0.1:4222', nats.url],
      ['nats://nats.internal:4222', nats.url],
      ['/etc/users-api-key', path.join(dir, 'home/.users-api-key')],
      ['localhost:3000', handler],
      ['localhost:4242', handler],
    ],
    numericRewrites: [['ws://localhost:8080', webinateNumeric.url]],
    deadLetterRewrites: [['localhost:3000', refusing]],
  });
}


const runnable = Object.entries(catalogue).filter((e): e is [string, Spec] => !('skip' in e[1]));

/** What bash runs of a recipe line: the line without its trailing comment (an unquoted `#` after a blank). */
export function commandOf(line: string): string {
  const comment = maskQuotes(line)?.search(/\s#/) ?? -1;
  return (comment >= 0 ? line.slice(0, comment) : line).trimEnd();
}

/**
 * Recipes that are one run: the same command (in two docs, or twice with different comments) run the same way (the
 * same stop, stdin and time allowed; a stopWhen of its own makes a run of its own). Each keeps its own test and its
 * own checks, made on the one run.
 */
function runKey(line: string, spec: Spec): string {
  if (spec.stopWhen || spec.after) return line;
  return JSON.stringify([commandOf(line), spec.stop ?? null, spec.stdin ?? null, spec.withinMs ?? null]);
}

/** The first runnable recipe that is the same run as this one (itself if none comes before it). */
function firstOfRun(line: string, spec: Spec): string {
  const key = runKey(line, spec);
  return runnable.find(([l, s]) => runKey(l, s) === key)![0];
}

/** The recipe a recipe needs to have run first (`after`): exactly one line contains the text. */
function prerequisite(line: string, spec: Spec): string | undefined {
  if (spec.after === undefined) return undefined;
  const found = runnable.filter(([l]) => l !== line && l.includes(spec.after!)).map(([l]) => l);
  if (found.length !== 1) throw new Error(`recipe "${line}": after "${spec.after}" names ${found.length} recipes, not one`);
  return found[0];
}

/**
 * The runnable recipes cut into `shards` parts of about equal length (by the time each may take), a recipe always
 * in the part of the one it needs; within a part, the catalogue's order.
 */
export function shardsOfRecipes(shards: number): [string, Spec][][] {
  // A recipe goes with the one it needs, and with the first of its run (so that the run is made once).
  const root = (line: string): string => {
    const before = prerequisite(line, catalogue[line] as Spec);
    if (before !== undefined) return root(before);
    const first = firstOfRun(line, catalogue[line] as Spec);
    return first === line ? line : root(first);
  };
  const chains = new Map<string, [string, Spec][]>();
  for (const [line, spec] of runnable) {
    const r = root(line);
    if (!chains.has(r)) chains.set(r, []);
    chains.get(r)!.push([line, spec]);
  }
  const parts = Array.from({ length: shards }, () => ({ ms: 0, lines: new Set<string>() }));
  for (const chain of chains.values()) {
    const lightest = parts.reduce((a, b) => (b.ms < a.ms ? b : a));
    for (const [line, spec] of chain) {
      lightest.lines.add(line);
      lightest.ms += spec.withinMs ?? 8000;
    }
  }
  return parts.map((p) => runnable.filter(([line]) => p.lines.has(line)));
}

const runs = new Map<string, Promise<RunResult>>();
async function runAndCheck(line: string, spec: Spec): Promise<void> {
  const key = runKey(line, spec);
  if (!runs.has(key)) runs.set(key, runRecipe(line, shell, { stopAfterLines: spec.stop, stopWhen: spec.stopWhen, stdin: spec.stdin, timeoutMs: (spec.withinMs ?? 8000) + 4000 }));
  const r = await runs.get(key)!;
  const why = `\n--- stdout:\n${r.stdout.slice(-1500)}\n--- stderr:\n${r.stderr.slice(-1500)}`;
  if (spec.stop !== undefined || spec.stopWhen) expect({ interrupted: r.interrupted, why }).toEqual({ interrupted: true, why });
  expect({ code: r.code, why }).toEqual({ code: spec.code ?? 0, why });
  if (spec.stdout) expect(r.stdout).toMatch(spec.stdout);
  if (spec.stderr) expect(r.stderr).toMatch(spec.stderr);
  spec.check?.(r, shell);
  expect(r.ms).toBeLessThan(spec.withinMs ?? 8000);
}

/** At most this many recipes run at once (jest's own maxConcurrency is 5). */
const AT_ONCE = 5;

/**
 * Run every recipe of the part and make its checks, AT_ONCE at a time, in the given order; a recipe that needs an
 * earlier one waits for it to finish. Each recipe's outcome (undefined, or the error its checks threw) is kept for
 * its test. This runs in beforeAll: jest lets code load modules only while a test or hook runs, and a one-command
 * recipe runs in this process (runRecipe), where evtail loads some of its modules when it needs them.
 */
async function runPart(ordered: readonly (readonly [string, Spec])[], outcomes: Map<string, Promise<unknown>>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ordered.length) {
      const [line, spec] = ordered[next++]!;
      const before = prerequisite(line, spec);
      const outcome = (async () => {
        // Started already: it comes earlier in the catalogue (a recipe after one that is after another).
        if (before !== undefined && !outcomes.has(before)) throw new Error(`recipe "${line}" comes before "${before}", which it needs`);
        if (before !== undefined) await outcomes.get(before);
        await runAndCheck(line, spec);
      })().then(() => undefined, (err: unknown) => err);
      outcomes.set(line, outcome);
      await outcome;
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
}

/** The tests of part `shard` (1-based) of `shards`; part 1 also checks that the catalogue covers the docs. */
export function recipeSuite(shard: number, shards: number): void {
  beforeAll(startWorld);
  afterAll(async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  if (shard === 1) {
    const found = recipesInDocs();
    describe('the recipes test covers the docs', () => {
      test('every command in README.md and docs/ has an entry here (run, or the reason it cannot run)', () => {
        const missing = found.filter((r) => !(r.line in catalogue)).map((r) => `${r.file}: ${r.line}`);
        expect(missing).toEqual([]);
      });
      test('every entry here is still a command in the docs', () => {
        const inDocs = new Set(found.map((r) => r.line));
        expect(Object.keys(catalogue).filter((k) => !inDocs.has(k))).toEqual([]);
      });
      test('a recipe that is one evtail command runs in-process (bash still reads the line); anything else runs in bash', () => {
        expect(isOneEvtailCommand("evtail demo --match 'data.amount>>10'   # a > in quotes")).toBe(true);
        expect(isOneEvtailCommand('EVTAIL_PROFILE=mytweets evtail tweetcatcher')).toBe(true);
        expect(isOneEvtailCommand('*/15 * * * * evtail demo -n 1')).toBe(true);
        expect(isOneEvtailCommand('npx evtail demo -n 1')).toBe(true);
        expect(isOneEvtailCommand('evtail demo -o ndjson | jq -c .type')).toBe(false);
        expect(isOneEvtailCommand('evtail demo -n 1 -q >/dev/null || alert down')).toBe(false);
        expect(isOneEvtailCommand('EVTAIL_TOKEN="$(cat ~/.tweetcatcher-token)" evtail tweetcatcher')).toBe(false);
        expect(isOneEvtailCommand('source <(evtail completion bash)')).toBe(false);
        expect(isOneEvtailCommand('jq . x.json')).toBe(false);
        expect(runnable.filter(([line]) => isOneEvtailCommand(line)).length).toBeGreaterThan(runnable.length / 2);
      });
      test('the ones that cannot run are few, and each says why', () => {
        const skipped = Object.entries(catalogue).filter(([, e]) => 'skip' in e);
        for (const [, e] of skipped) expect((e as { skip: string }).skip.length).toBeGreaterThan(20);
        expect(skipped.length).toBeLessThan(Object.keys(catalogue).length / 4);
      });
      test(`every runnable recipe is in exactly one of the ${shards} parts, with the one it needs`, () => {
        const parts = shardsOfRecipes(shards);
        expect(parts.flat().map(([line]) => line).sort()).toEqual(runnable.map(([line]) => line).sort());
        for (const part of parts) {
          const lines = new Set(part.map(([line]) => line));
          for (const [line, spec] of part) {
            const before = prerequisite(line, spec);
            if (before !== undefined) expect({ line, with: lines.has(before) }).toEqual({ line, with: true });
            expect({ line, withTwin: lines.has(firstOfRun(line, spec)) }).toEqual({ line, withTwin: true });
          }
        }
      });
    });
  }

  // A recipe that needs an earlier one waits for it to finish, and comes after every recipe that needs none, so
  // waiting never holds back the rest.
  const mine = shardsOfRecipes(shards)[shard - 1]!;
  const ordered = [...mine.filter(([, s]) => !s.after), ...mine.filter(([, s]) => s.after)];
  const outcomes = new Map<string, Promise<unknown>>();
  const allowed = ordered.reduce((ms, [, spec]) => ms + (spec.withinMs ?? 8000) + 4000, 30_000);
  beforeAll(() => runPart(ordered, outcomes), allowed);
  describe('recipes', () => {
    test.each(ordered.map(([line]) => line))('%s', async (line) => {
      if (!outcomes.has(line)) throw new Error('the recipe was not run (see the error of beforeAll)');
      const err = await outcomes.get(line);
      if (err !== undefined) throw err;
    });
  });
}
