import { SourceText } from '../model/source.js';
import { directoryUrl, fileUrl, relativeInside, relativeUri } from './paths.js';
import type {
  EslintFix,
  EslintLikeMessage,
  EslintLikeResult,
  EslintSuppression,
  Formatter,
  FormatterContext,
  FormatterRuleMeta,
} from './types.js';

/** The OASIS 2.1.0 (errata 01) schema; Sarif.Multitool accepts it as "final" (SARIF1011). */
const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const SRCROOT = '%SRCROOT%';

/** Default `tool.driver.informationUri`. */
export const NETLINT_INFORMATION_URI = 'https://www.npmjs.com/package/netlint';

// SemVer 2.0.0 (semver.org), for `semanticVersion`; `version` takes anything.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const ABSOLUTE_URI = /^[a-z][a-z0-9+.-]*:/i;

/** A SARIF text region: 1-based lines and columns (UTF-16 code units), and/or char offsets. */
export interface SarifRegion {
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  charOffset?: number;
  charLength?: number;
}

export interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
  index?: number;
}

export interface SarifPhysicalLocation {
  artifactLocation: SarifArtifactLocation;
  region: SarifRegion;
}

export interface SarifMessage {
  text: string;
}

export interface SarifFix {
  description?: SarifMessage;
  artifactChanges: {
    artifactLocation: SarifArtifactLocation;
    replacements: { deletedRegion: SarifRegion; insertedContent?: { text: string } }[];
  }[];
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning' | 'note';
  message: SarifMessage;
  locations: { physicalLocation: SarifPhysicalLocation }[];
  relatedLocations?: { id: number; message: SarifMessage; physicalLocation: SarifPhysicalLocation }[];
  fixes?: SarifFix[];
  suppressions?: { kind: 'inSource' | 'external'; justification?: string }[];
}

export interface SarifReportingDescriptor {
  id: string;
  name?: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: { text: string; markdown?: string };
  helpUri?: string;
  properties?: { tags: string[] };
}

/** The subset of a SARIF 2.1.0 log that netlint writes. */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: [
    {
      tool: {
        driver: {
          name: string;
          version: string;
          semanticVersion?: string;
          informationUri: string;
          rules: SarifReportingDescriptor[];
        };
      };
      originalUriBaseIds: Record<string, { uri: string }>;
      artifacts?: { location: SarifArtifactLocation; roles: ['analysisTarget'] }[];
      results: SarifResult[];
      columnKind: 'utf16CodeUnits';
    },
  ];
}

/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, valid against the OASIS schema
 * and clean under `Sarif.Multitool validate`. See {@link sarifLog}.
 */
export const sarif: Formatter = (results, context) => `${JSON.stringify(sarifLog(results, context), null, 2)}\n`;

/**
 * Builds the SARIF log: one run; `tool.driver.rules` for every rule that reported (metadata
 * from `rulesMeta`); each file an artifact relative to `%SRCROOT%` (= `cwd`); each message a
 * result with a region, its related locations, its fix and suggestions as `fixes`. Suppressed
 * messages are results with `suppressions` (`inSource` for directives and annotations,
 * `external` for a baseline).
 */
export function sarifLog(results: readonly EslintLikeResult[], context: FormatterContext): SarifLog {
  const { cwd } = context;
  const artifactIndex = new Map<string, number>();
  for (const r of results) if (!artifactIndex.has(r.filePath)) artifactIndex.set(r.filePath, artifactIndex.size);

  const location = (filePath: string): SarifArtifactLocation => {
    const rel = relativeInside(filePath, cwd);
    // Outside `cwd` a relative reference would need `..`, which SARIF1002 rejects for files.
    const loc: SarifArtifactLocation = rel === undefined ? { uri: fileUrl(filePath) } : { uri: relativeUri(rel), uriBaseId: SRCROOT };
    const index = artifactIndex.get(filePath);
    if (index !== undefined) loc.index = index;
    return loc;
  };

  const ruleIds = new Set<string>();
  for (const r of results) for (const m of [...r.messages, ...r.suppressedMessages]) ruleIds.add(ruleIdOf(m));
  const rules = [...ruleIds].sort().map((id) => descriptor(id, context.rulesMeta?.[id]));
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));

  const sarifResults: SarifResult[] = [];
  for (const r of results) {
    // Offsets of fixes become lines and columns only with the text at hand (ESLint drops
    // `source` for files whose problems were all suppressed); char offsets are always given.
    const text = r.source === undefined ? undefined : new SourceText(r.source);
    const toResult = (m: EslintLikeMessage, suppressions?: EslintSuppression[]): SarifResult => {
      const id = ruleIdOf(m);
      const result: SarifResult = {
        ruleId: id,
        ruleIndex: ruleIndex.get(id)!,
        level: m.fatal || m.severity === 2 ? 'error' : m.severity === 1 ? 'warning' : 'note',
        message: { text: m.message },
        locations: [{ physicalLocation: { artifactLocation: location(r.filePath), region: regionOf(m) } }],
      };
      if (m.relatedLocations?.length) {
        result.relatedLocations = m.relatedLocations.map((rel, i) => ({
          id: i + 1,
          message: { text: rel.message },
          physicalLocation: { artifactLocation: location(rel.filePath), region: regionOf(rel) },
        }));
      }
      const fixes: SarifFix[] = [];
      const change = (fix: EslintFix, desc?: string): SarifFix => ({
        ...(desc ? { description: { text: desc } } : {}),
        artifactChanges: [{ artifactLocation: location(r.filePath), replacements: [replacement(fix, text)] }],
      });
      if (m.fix) fixes.push(change(m.fix));
      for (const s of m.suggestions ?? []) fixes.push(change(s.fix, s.desc));
      if (fixes.length) result.fixes = fixes;
      if (suppressions?.length) {
        result.suppressions = suppressions.map((s) => ({
          kind: s.kind === 'directive' || s.kind === 'annotation' ? 'inSource' : 'external',
          ...(s.justification ? { justification: s.justification } : {}),
        }));
      }
      return result;
    };
    for (const m of r.messages) sarifResults.push(toResult(m));
    for (const m of r.suppressedMessages) sarifResults.push(toResult(m, m.suppressions));
  }

  const version = context.toolVersion;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'netlint',
            version,
            ...(SEMVER.test(version) ? { semanticVersion: version } : {}),
            informationUri: context.informationUri ?? NETLINT_INFORMATION_URI,
            // Even when empty: GitHub code scanning requires the array (Multitool GH1018).
            rules,
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUrl(cwd) } },
        // Every linted file, clean ones too; `roles` also keeps the array from being
        // location-only, which SARIF2004 flags as wasted size.
        ...(artifactIndex.size
          ? { artifacts: [...artifactIndex.keys()].map((filePath) => ({ location: location(filePath), roles: ['analysisTarget'] as ['analysisTarget'] })) }
          : {}),
        results: sarifResults,
        // ESLint's (and netlint's) columns count UTF-16 code units.
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

function ruleIdOf(m: EslintLikeMessage): string {
  // Only results from ESLint itself lack a rule id (its parsing errors).
  return m.ruleId ?? (m.fatal ? 'parse-error' : 'unknown');
}

/** A region with start and end, as GitHub code scanning and SARIF2017 want; never below 1. */
function regionOf(p: { line: number; column: number; endLine?: number; endColumn?: number }): SarifRegion {
  const startLine = Math.max(p.line || 1, 1);
  const startColumn = Math.max(p.column || 1, 1);
  const region: SarifRegion = { startLine, startColumn };
  if (p.endLine !== undefined && p.endLine >= startLine) {
    region.endLine = p.endLine;
    if (p.endColumn !== undefined) region.endColumn = Math.max(p.endColumn, p.endLine === startLine ? startColumn : 1);
  }
  return region;
}

function replacement(fix: EslintFix, text: SourceText | undefined) {
  const [start, end] = fix.range;
  const deletedRegion: SarifRegion = {};
  if (text) {
    const from = text.positionAt(start);
    const to = text.positionAt(end);
    Object.assign(deletedRegion, { startLine: from.line, startColumn: from.column, endLine: to.line, endColumn: to.column });
  }
  deletedRegion.charOffset = start;
  deletedRegion.charLength = end - start;
  // No inserted content means a pure deletion (SARIF §3.57.3).
  return fix.text ? { deletedRegion, insertedContent: { text: fix.text } } : { deletedRegion };
}

function descriptor(id: string, meta: FormatterRuleMeta | undefined): SarifReportingDescriptor {
  // A friendly PascalCase name (SARIF2012); SARIF1001 forbids a name equal to the id.
  const name = id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
  // GitHub code scanning requires both descriptions and help text (Multitool GH2012), so a
  // rule without metadata (a plugin's, or results from elsewhere) gets a neutral stand-in.
  const description = meta?.description ?? `Findings of the rule "${id}".`;
  const d: SarifReportingDescriptor = {
    id,
    ...(name && name !== id ? { name } : {}),
    shortDescription: { text: description },
    fullDescription: { text: description },
    help: { text: meta?.helpText ?? description, ...(meta?.helpMarkdown ? { markdown: meta.helpMarkdown } : {}) },
  };
  // SARIF1005: help URIs must be absolute.
  if (meta?.docsUrl && ABSOLUTE_URI.test(meta.docsUrl)) d.helpUri = meta.docsUrl;
  if (meta?.category) d.properties = { tags: [meta.category] };
  return d;
}
