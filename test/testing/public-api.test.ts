import { describe, expect, it } from 'vitest';
import * as netlint from '../../src/index.js';
import { AddressSet, builtinRegistry, defineRule, insertAfter, lintText, loadPolicies, parseCidr, RuleRegistry, toEslintResults } from '../../src/index.js';
import * as testing from '../../src/testing/index.js';
import { RuleTester } from '../../src/testing/index.js';

// What a plugin author imports: `netlint` for defineRule and edit builders, `netlint/testing`
// for the RuleTester.
const logPrefix = defineRule({
  meta: {
    id: 'log-without-prefix',
    inputs: ['iptables'],
    category: 'style',
    description: 'Require --log-prefix on LOG targets.',
    messages: { missing: 'Missing --log-prefix on LOG in chain {{chain}}.', addPrefix: 'Add --log-prefix "{{chain}}: ".' },
    fix: 'safe',
    defaultOptions: {},
  },
  create(context) {
    return {
      IptablesRule(node) {
        const target = node.target;
        if (target?.name !== 'LOG' || target.hasFlag('--log-prefix')) return;
        const fix = { messageId: 'addPrefix', data: { chain: node.chain }, edits: () => [insertAfter(target, ` --log-prefix "${node.chain}: "`)] };
        context.report({ node: target, messageId: 'missing', data: { chain: node.chain }, fix });
      },
    };
  },
});

const code = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j LOG\nCOMMIT\n';

new RuleTester({ kind: 'iptables' }).run('log-without-prefix', logPrefix, {
  valid: [{ name: 'LOG with a prefix', code: '*filter\n:INPUT DROP [0:0]\n-A INPUT -j LOG --log-prefix "in: "\nCOMMIT\n' }],
  invalid: [
    {
      name: 'LOG without a prefix',
      code,
      errors: [{ messageId: 'missing', data: { chain: 'INPUT' }, line: 3, column: 35, endColumn: 41 }],
      output: code.replace('-j LOG', '-j LOG --log-prefix "INPUT: "'),
    },
  ],
});

describe('the public API', () => {
  it('exports values by name, no default', () => {
    expect(Object.keys(netlint).sort()).toEqual(
      [
        'AddressSet',
        'ConfigError',
        'ConfigResolver',
        'FormatterError',
        'RuleRegistry',
        'builtinRegistry',
        'defineRule',
        'describeAddressSet',
        'formatAddress',
        'formatRange',
        'insertAfter',
        'insertBefore',
        'lintFiles',
        'lintText',
        'loadFormatter',
        'loadPolicies',
        'parseAddress',
        'parseCidr',
        'parseMaskedAddress',
        'parseText',
        'presetRules',
        'rangeToCidrs',
        'removeNode',
        'replaceNode',
        'rulesMetaFor',
        'testPolicies',
        'toEslintResults',
      ].sort(),
    );
    expect(Object.keys(testing)).toEqual(['RuleTester']);
  });

  it('lints with the built-in rules plus a plugin rule, and prints ESLint results', () => {
    const registry = new RuleRegistry([...builtinRegistry().all(), logPrefix]);
    const result = lintText(code, { filePath: 'iptables-save.txt', registry, config: { rules: { 'log-without-prefix': 'warn' }, settings: {} } });
    expect(result.findings.map((f) => [f.ruleId, f.line, f.severity])).toEqual([['log-without-prefix', 3, 1]]);
    const [eslint] = toEslintResults([result], { cwd: process.cwd() });
    expect(eslint.messages[0]).toMatchObject({ ruleId: 'log-without-prefix', fix: { text: ' --log-prefix "INPUT: "' } });
  });

  it('does address math', () => {
    expect(AddressSet.fromCidrs(['10.0.0.0/8']).subtract(AddressSet.fromCidrs(['10.1.0.0/16'])).toCidrs()).toHaveLength(8);
    expect(parseCidr('fd00::/8')).toMatchObject({ family: 'ipv6' });
  });

  it('loads policies as rules', () => {
    expect(typeof loadPolicies).toBe('function');
    expect(loadPolicies([]).rules).toEqual([]);
  });
});
