import { afterAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../src/errors.js';
import type { OptionSpec } from '../../src/providers/spec.js';
import { interpolateString } from '../../src/config/interpolate.js';
import { CODE_PLACES, isGroupOrWorldReadable, loadConfig, MAX_CONFIG_BYTES, SEARCH_PLACES, secretsWrittenInFile } from '../../src/config/load.js';

const FIXTURES = path.resolve('fixtures/config');
const made: string[] = [];

/** A fresh directory holding `files` (relative path → content). */
function tmpTree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'evtail-config-'));
  made.push(root);
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return root;
}

afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** Resolve with the UsageError a promise rejects with (fails the test if it resolves or throws something else). */
async function usageError(p: Promise<unknown>): Promise<UsageError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const e = err as UsageError;
    expect(e.exitCode).toBe(2);
    expect(e.message).not.toContain('\n');
    return e;
  }
  throw new Error('expected a UsageError, got success');
}

// A package.json without an "evtail" key marks the project root, so the search stays inside the tmp dir.
const ROOT_PKG = JSON.stringify({ name: 'tmp-project' });

const CONTENT: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'tmp-project', evtail: { format: 'raw', maxEvents: 1 } }),
  '.tailrc': 'format: raw\nmaxEvents: 1\n',
  '.tailrc.json': '{"format": "raw", "maxEvents": 1}',
  '.tailrc.yaml': 'format: raw\nmaxEvents: 1\n',
  '.tailrc.yml': 'format: raw\nmaxEvents: 1\n',
  '.tailrc.js': 'module.exports = { format: "raw", maxEvents: 1 };\n',
  '.tailrc.cjs': 'module.exports = { format: "raw", maxEvents: 1 };\n',
  '.tailrc.mjs': 'export default { format: "raw", maxEvents: 1 };\n',
  'evtail.config.js': 'module.exports = { format: "raw", maxEvents: 1 };\n',
  'evtail.config.cjs': 'module.exports = { format: "raw", maxEvents: 1 };\n',
  'evtail.config.mjs': 'export default { format: "raw", maxEvents: 1 };\n',
};

describe('loadConfig: searching', () => {
  it('searches exactly the documented places: data by search, JavaScript only when named', () => {
    expect(Object.keys(CONTENT)).toEqual([...SEARCH_PLACES, ...CODE_PLACES]);
    expect(SEARCH_PLACES).toEqual(['package.json', '.tailrc', '.tailrc.json', '.tailrc.yaml', '.tailrc.yml']);
  });

  it.each([...CODE_PLACES])('never runs a searched %s; reports it, and runs it when named by --config', async (place) => {
    const marker = (dir: string) => path.join(dir, 'ran');
    const dir = tmpTree({ 'package.json': ROOT_PKG, 'sub/keep': '' });
    const body = `require('node:fs').writeFileSync(${JSON.stringify(marker(dir))}, 'x');`;
    const code = place.endsWith('.mjs')
      ? `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(marker(dir))}, 'x'); export default { format: "raw" };\n`
      : `${body}\nmodule.exports = { format: "raw" };\n`;
    fs.writeFileSync(path.join(dir, place), code);
    const skipped: string[] = [];
    expect(await loadConfig({ cwd: path.join(dir, 'sub'), env: {}, onSkippedCode: (f) => skipped.push(f) })).toBeUndefined();
    expect(fs.existsSync(marker(dir))).toBe(false);
    expect(skipped).toEqual([path.join(dir, place)]);
    const named = await loadConfig({ configPath: path.join(dir, place), cwd: '/', env: {} });
    expect(named?.defaults).toEqual({ format: 'raw' });
    expect(fs.existsSync(marker(dir))).toBe(true);
  });

  it('does not report a JavaScript config further up than the data config in use', async () => {
    const root = tmpTree({ '.tailrc.js': 'module.exports = {};', 'proj/.tailrc.yaml': 'format: raw\n' });
    const skipped: string[] = [];
    const config = await loadConfig({ cwd: path.join(root, 'proj'), env: {}, onSkippedCode: (f) => skipped.push(f) });
    expect(config?.filepath).toBe(path.join(root, 'proj', '.tailrc.yaml'));
    expect(skipped).toEqual([]);
  });

  it.each([...SEARCH_PLACES])('finds %s', async (place) => {
    const files: Record<string, string> = { [place]: CONTENT[place]! };
    if (place !== 'package.json') files['package.json'] = ROOT_PKG;
    const dir = tmpTree(files);
    const config = await loadConfig({ cwd: dir, env: {} });
    expect(config).toEqual({
      filepath: path.join(dir, place),
      defaults: { format: 'raw', maxEvents: 1 },
      profiles: {},
      unresolved: {},
      interpolated: [],
    });
  });

  it('reads JSON in a .tailrc without extension', async () => {
    const dir = tmpTree({ 'package.json': ROOT_PKG, '.tailrc': '{"format": "ndjson"}' });
    expect((await loadConfig({ cwd: dir, env: {} }))?.defaults).toEqual({ format: 'ndjson' });
  });

  it('takes the first place in order when several exist', async () => {
    const dir = tmpTree({
      'package.json': ROOT_PKG,
      '.tailrc.yaml': 'format: raw\n',
      '.tailrc.json': '{"format": "ndjson"}',
      'evtail.config.js': 'module.exports = { format: "pretty" };',
    });
    expect((await loadConfig({ cwd: dir, env: {} }))?.filepath).toBe(path.join(dir, '.tailrc.json'));
  });

  it('prefers the "evtail" key of package.json, and skips a package.json without one', async () => {
    const withKey = tmpTree({ 'package.json': CONTENT['package.json']!, '.tailrc': 'format: ndjson\n' });
    expect((await loadConfig({ cwd: withKey, env: {} }))?.filepath).toBe(path.join(withKey, 'package.json'));
    const without = tmpTree({ 'package.json': ROOT_PKG, '.tailrc': 'format: ndjson\n' });
    expect((await loadConfig({ cwd: without, env: {} }))?.filepath).toBe(path.join(without, '.tailrc'));
  });

  it('walks up from a subdirectory to the project root', async () => {
    const root = tmpTree({ 'package.json': ROOT_PKG, '.tailrc.yml': 'format: raw\n', 'a/b/keep': '' });
    const config = await loadConfig({ cwd: path.join(root, 'a', 'b'), env: {} });
    expect(config?.filepath).toBe(path.join(root, '.tailrc.yml'));
  });

  it('stops at the nearest package.json (the project root)', async () => {
    const root = tmpTree({ '.tailrc': 'format: raw\n', 'proj/package.json': ROOT_PKG, 'proj/sub/keep': '' });
    expect(await loadConfig({ cwd: path.join(root, 'proj', 'sub'), env: {} })).toBeUndefined();
  });

  it('finds its own .tailrc in a directory with no package.json at all', async () => {
    const dir = tmpTree({ '.tailrc': 'format: raw\n' });
    expect((await loadConfig({ cwd: dir, env: {} }))?.filepath).toBe(path.join(dir, '.tailrc'));
  });

  it('skips an empty file and goes on searching', async () => {
    const dir = tmpTree({ 'package.json': ROOT_PKG, '.tailrc': '', '.tailrc.yaml': 'format: raw\n' });
    expect((await loadConfig({ cwd: dir, env: {} }))?.filepath).toBe(path.join(dir, '.tailrc.yaml'));
  });
});

describe('loadConfig: --config', () => {
  it('loads exactly the given file, relative to cwd', async () => {
    const config = await loadConfig({ configPath: 'fixtures/config/full.yaml', cwd: process.cwd(), env: {} });
    expect(config?.filepath).toBe(path.join(FIXTURES, 'full.yaml'));
    expect(config?.defaults).toEqual({ format: 'ndjson', maxRetries: 3, timeout: '2m', token: 'top-level-token' });
    expect(config?.profiles).toEqual({
      mytweets: { provider: 'fake', token: 'profile-token', interval: '45s', topic: ['alpha', 'beta'] },
      quick: { maxEvents: 5, format: 'raw' },
    });
  });

  it('does not search when a path is given', async () => {
    const dir = tmpTree({ 'package.json': ROOT_PKG, '.tailrc': 'format: raw\n', 'other.json': '{"format": "ndjson"}' });
    const config = await loadConfig({ configPath: 'other.json', cwd: dir, env: {} });
    expect(config?.filepath).toBe(path.join(dir, 'other.json'));
  });

  it('reads any other extension as YAML', async () => {
    const dir = tmpTree({ 'my.conf': 'format: raw\n' });
    expect((await loadConfig({ configPath: 'my.conf', cwd: dir, env: {} }))?.defaults).toEqual({ format: 'raw' });
  });

  it('treats an empty file as an empty config', async () => {
    const config = await loadConfig({ configPath: path.join(FIXTURES, 'empty.yaml'), cwd: '/', env: {} });
    expect(config).toMatchObject({ defaults: {}, profiles: {} });
  });

  it('rejects a missing file', async () => {
    const dir = tmpTree({});
    const err = await usageError(loadConfig({ configPath: 'nope.yaml', cwd: dir, env: {} }));
    expect(err.message).toBe(`config file not found: ${path.join(dir, 'nope.yaml')}`);
  });

  it('rejects a directory', async () => {
    const dir = tmpTree({ 'sub/keep': '' });
    const err = await usageError(loadConfig({ configPath: 'sub', cwd: dir, env: {} }));
    expect(err.message).toContain('is a directory');
  });

  it('rejects a package.json without an "evtail" key', async () => {
    const dir = tmpTree({ 'package.json': ROOT_PKG });
    const err = await usageError(loadConfig({ configPath: 'package.json', cwd: dir, env: {} }));
    expect(err.message).toBe(`${path.join(dir, 'package.json')}: no "evtail" key`);
  });
});

describe('loadConfig: broken files', () => {
  it('names the file, line and problem of broken YAML, in one line', async () => {
    const file = path.join(FIXTURES, 'broken.yaml');
    const err = await usageError(loadConfig({ configPath: file, cwd: '/', env: {} }));
    expect(err.message).toMatch(new RegExp(`^${escape(file)}: invalid YAML at line \\d+, column \\d+: .+`));
  });

  it('names the file and position of broken JSON, without echoing its content', async () => {
    const file = path.join(FIXTURES, 'broken.json');
    const err = await usageError(loadConfig({ configPath: file, cwd: '/', env: {} }));
    expect(err.message).toMatch(new RegExp(`^${escape(file)}: invalid JSON( at line 3, column \\d+)?: .+`));
    expect(err.message).not.toContain('maxEvents');
  });

  it('reports a broken file found by the search too', async () => {
    const dir = tmpTree({ 'package.json': ROOT_PKG, '.tailrc.json': '{"token": "s3cret",}' });
    const err = await usageError(loadConfig({ cwd: dir, env: {} }));
    expect(err.message).toContain(`${path.join(dir, '.tailrc.json')}: invalid JSON`);
    expect(err.message).not.toContain('s3cret');
  });

  it('reports a JS config that throws', async () => {
    const dir = tmpTree({ 'package.json': ROOT_PKG, '.tailrc.cjs': 'throw new Error("boom in config");\n' });
    const err = await usageError(loadConfig({ configPath: path.join(dir, '.tailrc.cjs'), cwd: dir, env: {} }));
    expect(err.message).toBe(`${path.join(dir, '.tailrc.cjs')}: cannot load: boom in config`);
  });

  it('reports a syntax error in an ES module config as it is', async () => {
    const dir = tmpTree({ 'package.json': ROOT_PKG, '.tailrc.mjs': 'export default {\n' });
    const err = await usageError(loadConfig({ configPath: '.tailrc.mjs', cwd: dir, env: {} }));
    expect(err.message).toMatch(new RegExp(`^${escape(path.join(dir, '.tailrc.mjs'))}: cannot load: .*end of input`));
  });

  it('loads a .js config as ESM in a "type": "module" package', async () => {
    const dir = tmpTree({
      'package.json': JSON.stringify({ name: 'esm', type: 'module' }),
      'evtail.config.js': 'export default { format: "raw" };\n',
    });
    expect((await loadConfig({ configPath: 'evtail.config.js', cwd: dir, env: {} }))?.defaults).toEqual({ format: 'raw' });
  });

  it('rejects a file that is not a mapping', async () => {
    const file = path.join(FIXTURES, 'not-object.yaml');
    const err = await usageError(loadConfig({ configPath: file, cwd: '/', env: {} }));
    expect(err.message).toBe(`${file}: expected a mapping of options at the top level, got a list`);
  });

  it('rejects profiles that are not mappings', async () => {
    const dir = tmpTree({ 'a.yaml': 'profiles: [x]\n', 'b.yaml': 'profiles:\n  x: 3\n' });
    const a = await usageError(loadConfig({ configPath: 'a.yaml', cwd: dir, env: {} }));
    expect(a.message).toBe(`${path.join(dir, 'a.yaml')}: key "profiles": expected a mapping of profile names to options, got a list`);
    const b = await usageError(loadConfig({ configPath: 'b.yaml', cwd: dir, env: {} }));
    expect(b.message).toBe(`${path.join(dir, 'b.yaml')}: key "profiles.x": expected a mapping of options, got a number`);
  });

  it('reads an empty profile as a profile with no options', async () => {
    const dir = tmpTree({ 'c.yaml': 'profiles:\n  x:\n' });
    expect((await loadConfig({ configPath: 'c.yaml', cwd: dir, env: {} }))?.profiles).toEqual({ x: {} });
  });
});

describe('interpolation', () => {
  const file = path.join(FIXTURES, 'interpolate.yaml');

  it('replaces ${VAR}, uses ${VAR:-fallback} and keeps $${ literal, deep in lists', async () => {
    const config = await loadConfig({ configPath: file, cwd: '/', env: { EVT_TOKEN: 'tok', EVT_TOPIC: 'news' } });
    expect(config?.defaults).toEqual({
      url: 'wss://example.test/socket',
      token: 'tok',
      room: 'price: ${NOT_A_VAR}',
      topic: ['news', 'fixed'],
    });
    expect(config?.interpolated).toEqual(['url', 'token', 'topic', 'profiles.needs-missing.token']);
  });

  it('prefers the variable over the fallback', async () => {
    const config = await loadConfig({ configPath: file, cwd: '/', env: { EVT_HOST: 'h.test', EVT_TOKEN: 't', EVT_TOPIC: 'n' } });
    expect(config?.defaults['url']).toBe('wss://h.test/socket');
  });

  it('records an unset variable with the file, key path and variable, to raise when used', async () => {
    const config = await loadConfig({ configPath: file, cwd: '/', env: { EVT_TOKEN: 't', EVT_TOPIC: 'n' } });
    expect(config?.unresolved).toEqual({
      'profiles.needs-missing.token':
        `${file}: key "profiles.needs-missing.token": environment variable EVT_UNSET_SECRET is not set ` +
        '(set it, or write ${EVT_UNSET_SECRET:-fallback} for a default)',
    });
  });

  it('names the list index of an unset variable inside a list', async () => {
    const config = await loadConfig({ configPath: file, cwd: '/', env: { EVT_TOKEN: 't' } });
    expect(config?.unresolved?.['topic']).toContain('key "topic[0]": environment variable EVT_TOPIC is not set');
  });

  it('rejects a malformed reference at once', async () => {
    const dir = tmpTree({ 'a.yaml': 'profiles:\n  p:\n    token: "${OPEN"\n', 'b.yaml': 'url: "${1BAD}"\n' });
    const a = await usageError(loadConfig({ configPath: 'a.yaml', cwd: dir, env: {} }));
    expect(a.message).toBe(`${path.join(dir, 'a.yaml')}: key "profiles.p.token": unterminated "\${" (write "$\${" for a literal "\${")`);
    const b = await usageError(loadConfig({ configPath: 'b.yaml', cwd: dir, env: {} }));
    expect(b.message).toContain('key "url": invalid reference "${1BAD}"');
  });

  it.each<[string, NodeJS.ProcessEnv, string, string[]]>([
    ['plain', {}, 'plain', []],
    ['${A}', { A: 'x' }, 'x', []],
    ['a${A}b${B}c', { A: '1', B: '2' }, 'a1b2c', []],
    ['${A:-dflt}', {}, 'dflt', []],
    ['${A:-dflt}', { A: '' }, 'dflt', []],
    ['${A:-}', {}, '', []],
    ['${A}', { A: '' }, '', []],
    ['$${A}', { A: 'x' }, '${A}', []],
    ['$$${A}', { A: 'x' }, '$${A}', []], // a lone $, then the escape
    ['$A and $', { A: 'x' }, '$A and $', []],
    ['${A:-with spaces: ok}', {}, 'with spaces: ok', []],
    ['${MISSING}', {}, '', ['MISSING']],
  ])('interpolateString(%j)', (text, env, value, missing) => {
    expect(interpolateString(text, env)).toMatchObject({ ok: true, value, missing });
  });
});

describe('file permissions and secrets', () => {
  it('tells whether group or others may read a file', () => {
    if (process.platform === 'win32') return;
    const dir = tmpTree({ '.tailrc': 'token: x\n' });
    const file = path.join(dir, '.tailrc');
    fs.chmodSync(file, 0o600);
    expect(isGroupOrWorldReadable(file)).toBe(false);
    fs.chmodSync(file, 0o640);
    expect(isGroupOrWorldReadable(file)).toBe(true);
    fs.chmodSync(file, 0o604);
    expect(isGroupOrWorldReadable(file)).toBe(true);
    expect(isGroupOrWorldReadable(path.join(dir, 'missing'))).toBe(false);
  });

  it('lists the secret keys written in the file itself, not those from ${VAR}', async () => {
    const specs: OptionSpec[] = [{ key: 'token', flags: '--token <t>', description: '', kind: 'string', secret: true }];
    const full = await loadConfig({ configPath: path.join(FIXTURES, 'full.yaml'), cwd: '/', env: {} });
    expect(secretsWrittenInFile(full!, specs)).toEqual(['token', 'profiles.mytweets.token']);
    const interpolated = await loadConfig({ configPath: path.join(FIXTURES, 'interpolate.yaml'), cwd: '/', env: { EVT_TOKEN: 't' } });
    expect(secretsWrittenInFile(interpolated!, specs)).toEqual([]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('loadConfig: hostile files', () => {
  /** Nine levels of `&aN [*aN-1 × 9]`: 9^9 (387 million) strings once expanded. */
  const bomb = (): string => {
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 8; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]`);
    return lines.join('\n') + '\nurl: *a8\n';
  };

  it('a nine-level YAML alias bomb is exit 2 naming the file and the limit, within 2 s and 200 MB', async () => {
    const dir = tmpTree({ 'package.json': ROOT_PKG, '.tailrc.yaml': bomb() });
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const err = await usageError(loadConfig({ cwd: dir, env: {} }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    expect(err.message).toMatch(new RegExp(`^${escape(path.join(dir, '.tailrc.yaml'))}: more than 100,000 values once YAML aliases are expanded \\(the limit for a config file\\)`));
  });

  it('a file over the size limit is exit 2 naming the file and the limit, before it is parsed', async () => {
    const text = `{"format": "raw", "pad": "${'x'.repeat(MAX_CONFIG_BYTES)}"}`;
    const dir = tmpTree({ 'package.json': ROOT_PKG, '.tailrc.json': text });
    const err = await usageError(loadConfig({ cwd: dir, env: {} }));
    expect(err.message).toBe(`${path.join(dir, '.tailrc.json')}: the file is ${text.length.toLocaleString('en-US')} bytes, over the 1 MiB limit for a config file`);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('${%s} reads only the environment\'s own variables: not set', async (name) => {
    const dir = tmpTree({ 'package.json': ROOT_PKG, '.tailrc.yaml': `url: \${${name}}\n` });
    const config = await loadConfig({ cwd: dir, env: { PATH: '/bin' } });
    expect(config?.defaults.url).toBe('');
    expect(config?.unresolved?.url).toContain(`environment variable ${name} is not set`);
    expect(interpolateString(`\${${name}}`, {}).ok && interpolateString(`\${${name}}`, {})).toMatchObject({ value: '', missing: [name] });
  });
});
