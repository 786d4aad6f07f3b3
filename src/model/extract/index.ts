import type { InputKind, SourceDocument } from '../document.js';
import type { Fact } from '../facts.js';
import { memo } from '../memo.js';
import { extractCniFacts } from './cni.js';
import { extractDockerFacts } from './docker.js';
import { extractConntrackFacts, extractEthtoolFacts, extractKernelFacts, extractSysctlFacts } from './evidence.js';
import { extractIptablesFacts } from './iptables.js';
import { extractKubernetesFacts } from './kubernetes.js';
import { extractNftFacts } from './nft.js';

type Extractor = (document: SourceDocument) => Fact[];

/** Fact extractors by input kind (DESIGN.md pipeline step "extract"). */
const extractors: Partial<Record<InputKind, Extractor>> = {
  iptables: extractIptablesFacts,
  nft: extractNftFacts,
  cni: extractCniFacts,
  'docker-daemon': extractDockerFacts,
  kubernetes: extractKubernetesFacts,
  'ethtool-features': extractEthtoolFacts,
  kernel: extractKernelFacts,
  'conntrack-stats': extractConntrackFacts,
  sysctl: extractSysctlFacts,
};

const FACTS = Symbol('netlint.facts');

/** The facts a document states, extracted once (kept on the document: see `memo`). */
export function factsOf(document: SourceDocument): Fact[] {
  return memo(document, FACTS, () => extractors[document.kind]?.(document) ?? []);
}

/** The facts of every document of a scope, in document order. */
export function factsOfAll(documents: readonly SourceDocument[]): Fact[] {
  return documents.flatMap(factsOf);
}
