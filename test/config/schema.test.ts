import { describe, expect, it } from 'vitest';
import { configSchemaDocument, configShapeProblems } from '../../src/config/validate.js';
import { INPUT_KINDS } from '../../src/model/document.js';

type Schema = Record<string, any>;
const schema = configSchemaDocument() as Schema;

describe('schemas/netlint-config.schema.json', () => {
  it('lists exactly the input kinds netlint knows for overrides[].kinds', () => {
    expect(schema.definitions.override.properties.kinds.items.enum).toEqual([...INPUT_KINDS]);
  });

  it('describes every top-level key, override key, setting and linter option', () => {
    const described = (props: Record<string, Schema>, where: string) => {
      for (const [key, s] of Object.entries(props)) {
        const target = s.$ref ? schema.definitions[s.$ref.replace('#/definitions/', '')] : s;
        expect(s.description ?? target.description, `${where}.${key}`).toBeTruthy();
      }
    };
    described(schema.properties, 'config');
    described(schema.definitions.override.properties, 'overrides[]');
    described(schema.definitions.settings.properties, 'settings');
    described(schema.definitions.linterOptions.properties, 'linterOptions');
  });

  it('accepts the example of DESIGN.md', () => {
    const config = {
      extends: ['netlint:recommended'],
      settings: { internalNetworks: ['10.0.0.0/8', 'fd00::/8'] },
      rules: { 'masquerade-without-random-fully': 'error', 'snat-to-in-vpc-services': ['warn', { ignoreDestinations: ['10.9.0.0/16'] }] },
      overrides: [{ files: ['clusters/legacy/**'], rules: { 'veth-rx-offload-on': 'off' } }],
      ignores: ['vendor/**'],
      plugins: ['netlint-plugin-acme', './local-rules'],
      policies: ['policies/*.yaml'],
    };
    expect(configShapeProblems(config)).toEqual([]);
  });

  it('words problems with paths', () => {
    expect(configShapeProblems({ rules: { a: ['error', {}, {}] }, plugins: 'x' }).map((p) => [p.path, p.message])).toEqual([
      [['rules', 'a'], 'Expected "rules.a" to be "off", "warn", "error", 0, 1 or 2, or [severity, { options }] (got ["error",{},{}]).'],
      [['plugins'], 'Expected "plugins" to be an array (got "x").'],
    ]);
  });
});
