import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { natStatementsOf, type NftDocument } from '../../src/model/nft.js';
import { SourceText } from '../../src/model/source.js';
import { nftParser } from '../../src/parsers/nft/index.js';
import { commandsAvailable, describeIf, Netns, withNetns } from '../helpers/netns.js';

const FIXTURES = resolve('test/fixtures/nft');
const valid = readdirSync(FIXTURES).filter((f) => f.endsWith('.nft'));
const rejected = [
  ...readdirSync(join(FIXTURES, 'malformed')).map((f) => `malformed/${f}`),
  ...readdirSync(join(FIXTURES, 'legacy')).map((f) => `legacy/${f}`),
];

function nftUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `nft tests need Linux (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'nft tests need root (ip netns add)';
  const missing = commandsAvailable(['ip', 'nft']);
  if (missing) return `${missing} (Debian packages nftables, iproute2)`;
  try {
    return withNetns((ns) => {
      const r = ns.exec('nft', ['list', 'ruleset']);
      return r.status === 0 ? undefined : `nft does not work in a network namespace: ${r.stderr.trim()}`;
    });
  } catch (err) {
    return `cannot create a network namespace: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function parse(text: string) {
  const result = nftParser.parse(new SourceText(text), 'ruleset.nft');
  return { doc: result.documents[0].root as NftDocument, findings: result.findings.map((f) => `${f.line}:${f.column} ${f.message}`) };
}

/** Per chain, the NAT statements as kind, address, port and canonical flags. */
function natSummary(doc: NftDocument): string[] {
  const out: string[] = [];
  for (const t of doc.tables) {
    for (const c of t.chains) {
      for (const r of c.rules) {
        for (const n of natStatementsOf(r)) {
          const to = n.to ? ` to ${n.to.address?.value ?? ''}${n.to.port ? `:${n.to.port.value}` : ''}` : '';
          out.push(`${t.family} ${t.name} ${c.name}: ${n.kind}${n.family ? ` ${n.family.value}` : ''}${to} ${n.flags.map((f) => f.canonical).join(',')}`);
        }
      }
    }
  }
  return out.sort();
}

/**
 * The fixtures checked against nft itself, in a throwaway network namespace: valid ones must pass
 * `nft -c -f`, malformed and legacy ones must fail it, and a ruleset nft loads and lists back must
 * parse to the same NAT statements.
 */
describeIf('nft parser against nft itself', nftUnavailable(), () => {
  const ns = new Netns();
  beforeAll(() => {
    ns.create();
  });
  afterAll(() => {
    ns.destroy();
  });

  for (const file of valid) {
    it(`nft -c accepts ${file}; nft's own listing of it parses to the same NAT statements`, () => {
      const path = join(FIXTURES, file);
      const check = ns.exec('nft', ['-c', '-f', path]);
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);

      ns.run('nft', ['flush', 'ruleset']);
      ns.run('nft', ['-f', path]);
      const listing = ns.run('nft', ['-a', 'list', 'ruleset']);
      const ours = parse(readFileSync(path, 'utf8'));
      const theirs = parse(listing);
      expect(theirs.findings).toEqual([]);
      expect(natSummary(theirs.doc)).toEqual(natSummary(ours.doc));
      // `nft -a` puts a `# handle N` on every table, chain and rule.
      for (const t of theirs.doc.tables) {
        expect(t.handle).toBeTypeOf('number');
        for (const c of t.chains) {
          expect(c.handle).toBeTypeOf('number');
          for (const r of c.rules) expect(r.handle).toBeTypeOf('number');
        }
      }
    });
  }

  for (const file of rejected) {
    it(`nft -c rejects ${file} (which the parser flags or, for legacy spellings, accepts on purpose)`, () => {
      const r = ns.exec('nft', ['-c', '-f', join(FIXTURES, file)]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/Error:/);
    });
  }
});
