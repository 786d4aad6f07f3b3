import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRuleOptions } from '../../src/cli/args.js';
import { ConfigResolver, mergeRules } from '../../src/config/resolver.js';
import { builtinRegistry } from '../../src/engine/builtin.js';
import { ConfigError } from '../../src/engine/errors.js';
import { lintFiles } from '../../src/engine/lint-files.js';
import { recommendedConfig } from '../../src/engine/presets.js';
import { copyPlugin, DOCKER_DUMP, ACCEPT_ALL_DUMP, tempTree } from './helpers.js';

const MASQ = 'masquerade-without-random-fully';
const DUP = 'iptables-duplicate-rule';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function tree(files: Record<string, string>): string {
  const t = tempTree(files);
  cleanups.push(t.cleanup);
  return t.root;
}

async function resolverAt(root: string, options: Partial<Parameters<typeof ConfigResolver.create>[0]> = {}) {
  return ConfigResolver.create({ cwd: root, ...options });
}

/** The ConfigError a promise rejects with. */
async function configError(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config discovery', () => {
  it('uses the nearest config file walking up from each file', async () => {
    const root = tree({
      'netlint.config.yaml': `rules:\n  ${MASQ}: warn\n`,
      'team/netlint.config.json': `{ "rules": { "${MASQ}": "off" } }\n`,
      'team/deep/er/a.rules': DOCKER_DUMP,
      'other/b.rules': DOCKER_DUMP,
    });
    const r = await resolverAt(root);
    const deep = await r.resolve(path.join(root, 'team/deep/er/a.rules'), 'iptables');
    expect(deep.rules[MASQ]).toBe('off');
    expect(deep.configFiles).toEqual([path.join(root, 'team/netlint.config.json')]);
    const other = await r.resolve(path.join(root, 'other/b.rules'), 'iptables');
    expect(other.rules[MASQ]).toBe('warn');
    expect(other.configFiles).toEqual([path.join(root, 'netlint.config.yaml')]);
  });

  it('caches per folder: files of one folder share one loaded config', async () => {
    const root = tree({ 'netlint.config.yaml': 'rules: {}\n', 'x/a.rules': '', 'x/b.rules': '' });
    const r = await resolverAt(root);
    const a = await r.prepare(path.join(root, 'x/a.rules'));
    const b = await r.prepare(path.join(root, 'x/b.rules'));
    expect(a).toBeDefined();
    expect(a).toBe(b);
  });

  it('prefers .yaml over .yml, .json and .mjs in one folder', async () => {
    const root = tree({
      'netlint.config.json': `{ "rules": { "${MASQ}": "off" } }`,
      'netlint.config.yaml': `rules: { ${MASQ}: warn }\n`,
    });
    const config = await (await resolverAt(root)).resolve(path.join(root, 'f.rules'));
    expect(config.rules[MASQ]).toBe('warn');
  });

  it('without a config file, netlint:recommended applies', async () => {
    const root = tree({ 'a.rules': DOCKER_DUMP });
    const config = await (await resolverAt(root)).resolve(path.join(root, 'a.rules'));
    expect(config.rules).toEqual(recommendedConfig(builtinRegistry()).rules);
    expect(config.configFiles).toBeUndefined();
  });

  it('--config uses only that file; --no-config-lookup uses none', async () => {
    const root = tree({
      'netlint.config.yaml': `rules: { ${MASQ}: warn }\n`,
      'ci/strict.yaml': `extends: netlint:strict\n`,
    });
    const explicit = await resolverAt(root, { configFile: 'ci/strict.yaml' });
    expect((await explicit.resolve(path.join(root, 'a.rules'))).rules[DUP]).toBe('error');
    const none = await resolverAt(root, { lookup: false });
    expect((await none.resolve(path.join(root, 'a.rules'))).rules).toEqual(recommendedConfig(builtinRegistry()).rules);
    expect((await configError(resolverAt(root, { configFile: 'nope.yaml' }))).message).toMatch(/Cannot read the config file "nope.yaml"/);
  });

  it('loads a .mjs config (default export)', async () => {
    const root = tree({ 'netlint.config.mjs': `export default { rules: { '${MASQ}': ['warn', { ignoreChains: ['X'] }] } };\n` });
    const config = await (await resolverAt(root)).resolve(path.join(root, 'a.rules'));
    expect(config.rules[MASQ]).toEqual(['warn', { ignoreChains: ['X'] }]);
  });
});

describe('overrides', () => {
  const CONFIG = `rules:
  ${MASQ}: error
overrides:
  - files: ["clusters/legacy/**"]
    excludedFiles: ["clusters/legacy/keep/**"]
    rules: { ${MASQ}: off }
  - kinds: [cni]
    rules: { cni-schema: warn }
    settings: { internalNetworks: [10.0.0.0/8] }
  - files: ["nodes/**"]
    kinds: [iptables]
    rules: { ${DUP}: off }
`;

  it('apply by glob, relative to the config folder, minus excludedFiles', async () => {
    const root = tree({ 'netlint.config.yaml': CONFIG });
    const r = await resolverAt(root);
    expect((await r.resolve(path.join(root, 'clusters/legacy/n1/a.rules'), 'iptables')).rules[MASQ]).toBe('off');
    expect((await r.resolve(path.join(root, 'clusters/legacy/keep/a.rules'), 'iptables')).rules[MASQ]).toBe('error');
    expect((await r.resolve(path.join(root, 'clusters/new/a.rules'), 'iptables')).rules[MASQ]).toBe('error');
  });

  it('apply by input kind, with their settings', async () => {
    const root = tree({ 'netlint.config.yaml': CONFIG });
    const r = await resolverAt(root);
    const cni = await r.resolve(path.join(root, 'x/10-bridge.conflist'), 'cni');
    expect(cni.rules['cni-schema']).toBe('warn');
    expect(cni.settings).toEqual({ internalNetworks: ['10.0.0.0/8'] });
    const ipt = await r.resolve(path.join(root, 'x/10-bridge.conflist'), 'iptables');
    expect(ipt.rules['cni-schema']).toBeUndefined();
    expect(ipt.settings).toEqual({});
  });

  it('with files and kinds, both must match', async () => {
    const root = tree({ 'netlint.config.yaml': `extends: netlint:recommended\n${CONFIG.replace(/^rules:\n.*\n/, '')}` });
    const r = await resolverAt(root);
    expect((await r.resolve(path.join(root, 'nodes/a.rules'), 'iptables')).rules[DUP]).toBe('off');
    expect((await r.resolve(path.join(root, 'nodes/a.nft'), 'nft')).rules[DUP]).toBe('warn');
    expect((await r.resolve(path.join(root, 'other/a.rules'), 'iptables')).rules[DUP]).toBe('warn');
  });

  it('lintFiles lints each document with the config of its kind', async () => {
    const root = tree({
      'netlint.config.yaml': `overrides:\n  - kinds: [iptables]\n    rules: { ${MASQ}: warn }\n`,
      'node/iptables.rules': DOCKER_DUMP,
    });
    const r = await resolverAt(root);
    const { results } = await lintFiles(['.'], { cwd: root, configs: r });
    expect(results[0].findings.map((f) => [f.ruleId, f.severity])).toEqual([[MASQ, 1]]);
  });
});

describe('extends', () => {
  it('presets: recommended, strict (every rule at error), all', async () => {
    const root = tree({
      'rec/netlint.config.yaml': 'extends: netlint:recommended\n',
      'strict/netlint.config.yaml': 'extends: [netlint:strict]\n',
      'all/netlint.config.yaml': 'extends: netlint:all\n',
    });
    const r = await resolverAt(root);
    const rec = await r.resolve(path.join(root, 'rec/a.rules'));
    expect(rec.rules[DUP]).toBe('warn');
    const strict = await r.resolve(path.join(root, 'strict/a.rules'));
    expect(strict.rules[DUP]).toBe('error');
    expect(Object.values(strict.rules).every((s) => s === 'error')).toBe(true);
    const all = await r.resolve(path.join(root, 'all/a.rules'));
    expect(Object.keys(all.rules).sort()).toEqual(builtinRegistry().all().map((x) => x.meta.id).sort());
  });

  it('chains: a file extending a file extending a preset; later layers win, options survive a bare severity', async () => {
    const root = tree({
      'base/team.yaml': `extends: netlint:strict\nrules:\n  ${MASQ}: [error, { ignoreChains: [KUBE-POSTROUTING] }]\nsettings:\n  internalNetworks: [10.0.0.0/8]\n  nested: { a: 1, b: 2 }\n`,
      'repo/netlint.config.yaml': `extends: ../base/team.yaml\nrules:\n  ${MASQ}: warn\n  ${DUP}: off\nsettings:\n  nested: { b: 3 }\n`,
    });
    const config = await (await resolverAt(root)).resolve(path.join(root, 'repo/a.rules'));
    expect(config.rules[MASQ]).toEqual(['warn', { ignoreChains: ['KUBE-POSTROUTING'] }]);
    expect(config.rules[DUP]).toBe('off');
    expect(config.rules['cni-schema']).toBe('error');
    expect(config.settings).toEqual({ internalNetworks: ['10.0.0.0/8'], nested: { a: 1, b: 3 } });
    expect(config.configFiles).toEqual([path.join(root, 'repo/netlint.config.yaml'), path.join(root, 'base/team.yaml')]);
  });

  it('npm shareable configs, resolved from the config folder: JSON package and ESM-only package', async () => {
    const root = tree({
      'node_modules/netlint-config-corp/package.json': JSON.stringify({ name: 'netlint-config-corp', main: 'config.json' }),
      'node_modules/netlint-config-corp/config.json': JSON.stringify({ rules: { [DUP]: 'error' }, settings: { internalNetworks: ['fd00::/8'] } }),
      'node_modules/@acme/netlint-config/package.json': JSON.stringify({ name: '@acme/netlint-config', type: 'module', exports: { '.': { import: './index.mjs' } } }),
      'node_modules/@acme/netlint-config/index.mjs': `export default { extends: 'netlint:recommended', rules: { '${MASQ}': 'warn' } };\n`,
      'netlint.config.yaml': 'extends: [corp, "@acme/netlint-config"]\n',
    });
    const config = await (await resolverAt(root)).resolve(path.join(root, 'a.rules'));
    // @acme's config comes later: its recommended preset resets DUP to warn.
    expect(config.rules[DUP]).toBe('warn');
    expect(config.rules[MASQ]).toBe('warn');
    expect(config.settings.internalNetworks).toEqual(['fd00::/8']);
    expect(config.configFiles).toHaveLength(3);
  });

  it('a missing shareable config, an unknown preset and a cycle are located errors', async () => {
    const missing = tree({ 'netlint.config.yaml': 'extends:\n  - netlint:recommended\n  - corp-standards\n' });
    const e1 = await configError(resolverAt(missing).then((r) => r.resolve(path.join(missing, 'a.rules'))));
    expect(e1).toMatchObject({ line: 3, column: 5, filePath: path.join(missing, 'netlint.config.yaml') });
    expect(e1.message).toMatch(/Cannot find the shareable config "corp-standards"/);

    const typo = tree({ 'netlint.config.yaml': 'extends: netlint:recomended\n' });
    const e2 = await configError(resolverAt(typo).then((r) => r.resolve(path.join(typo, 'a.rules'))));
    expect(e2.message).toMatch(/Unknown preset "netlint:recomended" \(did you mean "netlint:recommended"\?\)/);

    const cycle = tree({ 'a.yaml': 'extends: ./b.yaml\n', 'b.yaml': 'extends: ./a.yaml\n', 'netlint.config.yaml': 'extends: ./a.yaml\n' });
    const e3 = await configError(resolverAt(cycle).then((r) => r.resolve(path.join(cycle, 'x.rules'))));
    expect(e3.message).toMatch(/Circular extends: .*a\.yaml -> .*b\.yaml -> .*a\.yaml/);
  });
});

describe('invalid configs', () => {
  async function errorOf(files: Record<string, string>): Promise<ConfigError> {
    const root = tree(files);
    const e = await configError(resolverAt(root).then((r) => r.resolve(path.join(root, 'a.rules'))));
    return e;
  }

  it('YAML: the offending node with line and column', async () => {
    const e = await errorOf({ 'netlint.config.yaml': `rules:\n  ${MASQ}: warning\n` });
    expect(e).toMatchObject({ line: 2, column: 36 });
    expect(e.message).toBe(`Expected "rules.${MASQ}" to be "off", "warn", "error", 0, 1 or 2, or [severity, { options }] (got "warning").`);
  });

  it('YAML: an unknown key at the key, with a suggestion', async () => {
    const e = await errorOf({ 'netlint.config.yaml': 'settings: {}\noverides:\n  - files: [a]\n' });
    expect(e).toMatchObject({ line: 2, column: 1 });
    expect(e.message).toBe('Unknown key "overides" in the config (did you mean "overrides"?).');
  });

  it('YAML: an override without files or kinds', async () => {
    const e = await errorOf({ 'netlint.config.yaml': 'overrides:\n  - rules: {}\n' });
    expect(e).toMatchObject({ line: 2, column: 5 });
    expect(e.message).toBe('Missing key "files" or "kinds" in "overrides[0]".');
  });

  it('YAML: an unknown input kind in an override', async () => {
    const e = await errorOf({ 'netlint.config.yaml': 'overrides:\n  - kinds: [iptables, ip6tables]\n    rules: {}\n' });
    expect(e).toMatchObject({ line: 2, column: 23 });
    expect(e.message).toMatch(/^Expected "overrides\[0\]\.kinds\[1\]" to be one of "iptables", /);
  });

  it('YAML syntax errors are located', async () => {
    const e = await errorOf({ 'netlint.config.yaml': 'rules:\n  a: b\n  a: c\n' });
    expect(e).toMatchObject({ line: 3, column: 3 });
    expect(e.message).toMatch(/^Invalid YAML: Map keys must be unique/);
  });

  it('JSON: the offending value with line and column; syntax errors too', async () => {
    const e = await errorOf({ 'netlint.config.json': `{\n  "rules": {\n    "${MASQ}": 3\n  }\n}\n` });
    expect(e).toMatchObject({ line: 3, column: 40, filePath: expect.stringMatching(/netlint\.config\.json$/) });
    expect(e.message).toMatch(/^Expected "rules\.masquerade-without-random-fully" to be .* \(got 3\)\.$/);
    const syntax = await errorOf({ 'netlint.config.json': '{\n  "rules": {,\n}\n' });
    expect(syntax).toMatchObject({ line: 2, column: 13 });
    expect(syntax.message).toMatch(/^Invalid JSON: /);
  });

  it('an unknown rule id names it, suggests the closest id, and points at the key', async () => {
    const e = await errorOf({ 'netlint.config.yaml': 'rules:\n  masquerade-without-random-fuly: error\n' });
    expect(e).toMatchObject({ line: 2, column: 3 });
    expect(e.message).toBe(`Unknown rule "masquerade-without-random-fuly" (did you mean "${MASQ}"?).`);
    const inOverride = await errorOf({ 'netlint.config.yaml': 'overrides:\n  - kinds: [cni]\n    rules:\n      random-fully: off\n' });
    expect(inOverride).toMatchObject({ line: 4, column: 7 });
    expect(inOverride.message).toBe(`Unknown rule "random-fully" (did you mean "${MASQ}"?).`);
  });

  it('rule options are checked against the rule schema', async () => {
    const e = await errorOf({ 'netlint.config.yaml': `rules:\n  ${MASQ}:\n    - error\n    - ignoreChains: KUBE-POSTROUTING\n` });
    expect(e).toMatchObject({ line: 4, column: 21 });
    expect(e.message).toBe(`Invalid options for rule "${MASQ}": expected "ignoreChains" to be an array of strings.`);
    const unknown = await errorOf({ 'netlint.config.yaml': `rules:\n  ${MASQ}: [error, { ignoreChain: [] }]\n` });
    expect(unknown.message).toBe(`Invalid options for rule "${MASQ}": unknown option "ignoreChain" (did you mean "ignoreChains"?).`);
    expect(unknown).toMatchObject({ line: 2, column: 46 });
  });

  it('settings.internalNetworks: each entry must be a CIDR', async () => {
    const e = await errorOf({ 'netlint.config.yaml': 'settings:\n  internalNetworks:\n    - 10.0.0.0/8\n    - 10.0.0.0/33\n' });
    expect(e).toMatchObject({ line: 4, column: 7 });
    expect(e.message).toBe('Invalid CIDR "10.0.0.0/33" in settings.internalNetworks: the prefix length "33" is not a number from 0 to 32.');
    const host = await errorOf({ 'netlint.config.yaml': 'settings:\n  internalNetworks: ["192.168.1.5/24", "fd00::/8"]\n' });
    expect(host.message).toMatch(/host bits are set; the network is 192\.168\.1\.0\/24/);
    const v6 = await errorOf({ 'netlint.config.yaml': 'overrides:\n  - kinds: [cni]\n    settings: { internalNetworks: ["fd00::zz/8"] }\n' });
    expect(v6.message).toMatch(/"fd00::zz" is not an IPv4 or IPv6 address/);
    expect(v6).toMatchObject({ line: 3, column: 36 });
  });
});

describe('ignores and policies', () => {
  it('ignores are relative to the config folder; folders ignore what is below them', async () => {
    const root = tree({
      'repo/netlint.config.yaml': 'ignores: ["vendor/**", generated, "**/*.tmp.rules"]\n',
      'repo/vendor/x/a.rules': DOCKER_DUMP,
      'repo/generated/b.rules': DOCKER_DUMP,
      'repo/nodes/c.tmp.rules': DOCKER_DUMP,
      'repo/nodes/d.rules': DOCKER_DUMP,
    });
    const r = await resolverAt(root);
    const { results, skipped } = await lintFiles(['repo'], { cwd: root, configs: r });
    expect(results.map((x) => path.relative(root, x.filePath))).toEqual([path.join('repo', 'nodes', 'd.rules')]);
    expect(skipped.map((x) => path.relative(root, x)).sort()).toEqual(
      [path.join('repo', 'generated', 'b.rules'), path.join('repo', 'nodes', 'c.tmp.rules'), path.join('repo', 'vendor', 'x', 'a.rules')].sort(),
    );
  });

  it('policies: globs expanded to files, relative to the config folder; no match is an error', async () => {
    const root = tree({
      'netlint.config.yaml': 'policies: ["policies/*.yaml"]\n',
      'policies/b.yaml': 'id: policy-b\ndescription: B.\nseverity: warn\nsubject: { iptables: rule }\nrequire: { required: [target] }\nmessage: Missing target.\n',
      'policies/a.yaml': 'id: policy-a\ndescription: A.\nseverity: error\nsubject: { iptables: rule }\nrequire: { required: [target] }\nmessage: Missing target.\n',
      'policies/readme.md': '',
    });
    const config = await (await resolverAt(root)).resolve(path.join(root, 'a.rules'));
    expect(config.policies).toEqual([path.join(root, 'policies/a.yaml'), path.join(root, 'policies/b.yaml')]);
    // Each policy is a rule of the run, on at its own severity.
    expect(config.rules).toMatchObject({ 'policy-a': 'error', 'policy-b': 'warn' });
    const bad = tree({ 'netlint.config.yaml': 'policies: [p.yaml]\n', 'p.yaml': 'x: 1\n' });
    const invalid = await configError(resolverAt(bad).then((r) => r.resolve(path.join(bad, 'a.rules'))));
    expect(invalid.filePath).toBe(path.join(bad, 'p.yaml'));
    const none = tree({ 'netlint.config.yaml': 'policies:\n  - rego/*.yaml\n' });
    const e = await configError(resolverAt(none).then((r) => r.resolve(path.join(none, 'a.rules'))));
    expect(e).toMatchObject({ line: 2, column: 5 });
    expect(e.message).toMatch(/^No policy files match "rego\/\*\.yaml"/);
  });
});

describe('plugins', () => {
  it('a local plugin: rules registered with the plugin prefix, configs via plugin:<name>/<config>', async () => {
    const root = tree({ 'netlint.config.yaml': 'plugins: [./netlint-plugin-acme]\nextends: [netlint:recommended, "plugin:acme/recommended"]\n', 'fw/iptables.rules': ACCEPT_ALL_DUMP });
    copyPlugin('netlint-plugin-acme', root);
    const r = await resolverAt(root);
    const config = await r.resolve(path.join(root, 'fw/iptables.rules'), 'iptables');
    expect(config.rules['acme/no-accept-all']).toBe('error');
    expect(config.plugins).toEqual(['acme']);
    expect(r.registry.has('acme/no-accept-all')).toBe(true);
    const { results } = await lintFiles(['fw'], { cwd: root, configs: r });
    expect(results[0].findings.map((f) => [f.ruleId, f.line, f.message])).toEqual([['acme/no-accept-all', 5, 'Disallowed ACCEPT of all traffic in chain INPUT.']]);
  });

  it('plugin rule options are validated with the plugin rule schema', async () => {
    const root = tree({ 'netlint.config.yaml': 'plugins: [./netlint-plugin-acme]\nrules:\n  acme/no-accept-all: [warn, { allowChain: [INPUT] }]\n' });
    copyPlugin('netlint-plugin-acme', root);
    const e = await configError(resolverAt(root).then((r) => r.resolve(path.join(root, 'a.rules'))));
    expect(e.message).toBe('Invalid options for rule "acme/no-accept-all": unknown option "allowChain" (did you mean "allowChains"?).');
  });

  it('a plugin rule without its plugin is an unknown rule', async () => {
    const root = tree({ 'netlint.config.yaml': 'rules:\n  acme/no-accept-all: error\n' });
    const e = await configError(resolverAt(root).then((r) => r.resolve(path.join(root, 'a.rules'))));
    expect(e.message).toBe('Unknown rule "acme/no-accept-all": no plugin "acme" is loaded by this config (add it to "plugins").');
  });

  it('a missing or invalid plugin is a ConfigError naming it and the config file', async () => {
    const root = tree({ 'netlint.config.yaml': 'plugins:\n  - netlint-plugin-nope\n' });
    const e = await configError(resolverAt(root).then((r) => r.resolve(path.join(root, 'a.rules'))));
    expect(e).toMatchObject({ filePath: path.join(root, 'netlint.config.yaml'), line: 2, column: 5 });
    expect(e.message).toMatch(/^Cannot find plugin "netlint-plugin-nope": it is not installed/);

    const bad = tree({ 'netlint.config.yaml': 'plugins: [./bad.mjs]\n', 'bad.mjs': 'export const nothing = 1;\n' });
    const e2 = await configError(resolverAt(bad).then((r) => r.resolve(path.join(bad, 'a.rules'))));
    expect(e2.message).toMatch(/^Invalid plugin "\.\/bad\.mjs" \(.*bad\.mjs\): expected it to export rules, configs or policies\.$/);

    const badRule = tree({ 'netlint.config.yaml': 'plugins: [./p.mjs]\n', 'p.mjs': 'export default { rules: { Bad_Id: { meta: { inputs: ["iptables"], messages: {} }, create() { return {}; } } } };\n' });
    const e3 = await configError(resolverAt(badRule).then((r) => r.resolve(path.join(badRule, 'a.rules'))));
    expect(e3.message).toMatch(/rule id "Bad_Id" is not kebab-case/);

    const noConfig = tree({ 'netlint.config.yaml': 'plugins: [./netlint-plugin-acme]\nextends: plugin:acme/strict\n' });
    copyPlugin('netlint-plugin-acme', noConfig);
    const e4 = await configError(resolverAt(noConfig).then((r) => r.resolve(path.join(noConfig, 'a.rules'))));
    expect(e4.message).toBe('Plugin "acme" has no config "strict"; it has "recommended".');
  });
});

describe('--rule and linterOptions', () => {
  it('parses ID:SEVERITY, ID:JSON and ESLint object forms', () => {
    expect(parseRuleOptions([`${MASQ}:warn`, `${DUP}: 0`, `a:["error",{"x":1}]`, '{"b": "warn", "c": [1]}'])).toEqual({
      [MASQ]: 'warn',
      [DUP]: 'off',
      a: ['error', { x: 1 }],
      b: 'warn',
      c: ['warn'],
    });
    expect(() => parseRuleOptions(['nocolon'])).toThrow(/expected RULE-ID:SEVERITY/);
    expect(() => parseRuleOptions(['x:loud'])).toThrow(/expected the severity to be off, warn or error/);
    expect(() => parseRuleOptions(['x:[error'])).toThrow(/invalid JSON/);
  });

  it('--rule wins over config layers and keeps earlier options; unknown ids are refused', async () => {
    const root = tree({ 'netlint.config.yaml': `rules:\n  ${MASQ}: [error, { ignoreChains: [A] }]\n` });
    const r = await resolverAt(root, { cliRules: { [MASQ]: 'warn', [DUP]: ['error'] } });
    const config = await r.resolve(path.join(root, 'a.rules'));
    expect(config.rules[MASQ]).toEqual(['warn', { ignoreChains: ['A'] }]);
    expect(config.rules[DUP]).toBe('error');
    const e = await configError(resolverAt(root, { cliRules: { 'iptables-duplicate-rules': 'warn' } }));
    expect(e.message).toBe(`Invalid --rule: Unknown rule "iptables-duplicate-rules" (did you mean "${DUP}"?).`);
    const opts = await configError(resolverAt(root, { cliRules: { [MASQ]: ['warn', { nope: 1 }] } }));
    expect(opts.message).toMatch(/^Invalid --rule: Invalid options for rule "masquerade-without-random-fully": unknown option "nope"/);
  });

  it('linterOptions.reportUnusedDisableDirectives: severity or boolean; the CLI value wins', async () => {
    const root = tree({
      'netlint.config.yaml': 'linterOptions: { reportUnusedDisableDirectives: error }\noverrides:\n  - files: ["quiet/**"]\n    linterOptions: { reportUnusedDisableDirectives: false }\n',
    });
    const r = await resolverAt(root);
    expect((await r.resolve(path.join(root, 'a.rules'))).linterOptions).toEqual({ reportUnusedDisableDirectives: 'error' });
    expect((await r.resolve(path.join(root, 'quiet/a.rules'))).linterOptions).toEqual({ reportUnusedDisableDirectives: 'off' });
    const cli = await resolverAt(root, { reportUnusedDisableDirectives: 'warn' });
    expect((await cli.resolve(path.join(root, 'a.rules'))).linterOptions).toEqual({ reportUnusedDisableDirectives: 'warn' });
  });

  it('mergeRules: a bare severity keeps options, a new array replaces them', () => {
    expect(mergeRules({ a: ['error', { x: 1 }], b: 'warn' }, { a: 1, b: ['error', { y: 2 }], c: 0 })).toEqual({
      a: ['warn', { x: 1 }],
      b: ['error', { y: 2 }],
      c: 'off',
    });
  });
});
