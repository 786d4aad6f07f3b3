import type { InputKind, SourceDocument } from '../document.js';
import type { Fact } from '../facts.js';
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

const cache = new WeakMap<SourceDocument, Fact[]>();

/** The facts a document states, extracted once. */
export function factsOf(document: SourceDocument): Fact[] {
  let facts = cache.get(document);
  if (!facts) {
    facts = extractors[document.kind]?.(document) ?? [];
    cache.set(document, facts);
  }
  return facts;
}

/** The facts of every document of a scope, in document order. */
export function factsOfAll(documents: readonly SourceDocument[]): Fact[] {
  return documents.flatMap(factsOf);
}
