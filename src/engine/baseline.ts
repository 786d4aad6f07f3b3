import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../fixes/write-atomic.js';
import type { Finding } from '../model/finding.js';
import { SourceText } from '../model/source.js';
import { ConfigError } from './errors.js';
import type { LintFileResult } from './lint.js';
import { cryptoLib } from './lazy-require.js';

/** The baseline file format's version. */
export const BASELINE_VERSION = 1;

/** Findings a baseline never accepts: the file must stay readable and netlint must work. */
const NEVER_BASELINED = new Set(['parse-error', 'internal-error']);

/** One accepted finding. */
export interface BaselineEntry {
  /** The file, relative to the baseline file's folder, with `/` separators. */
  file: string;
  ruleId: string;
  /** Hash of the rule id, file and normalised flagged text: not line numbers, so edits elsewhere keep it. */
  fingerprint: string;
  /** 0 for the first finding with this fingerprint in the file (in text order), 1 for the next... */
  occurrence: number;
  /** The normalised flagged text (shortened), for people reviewing the baseline. */
  snippet: string;
}

export interface Baseline {
  version: typeof BASELINE_VERSION;
  entries: BaselineEntry[];
}

/**
 * The flagged text of a finding, normalised: its first line and (for multi-line findings) its
 * last line, whitespace collapsed. For an empty range, the line it sits on.
 */
export function flaggedText(finding: Finding, source: SourceText): string {
  const first = source.slice(source.lineRange(finding.line));
  let endLine = finding.endLine;
  // A range ending at column 1 ends with the previous line's terminator.
  if (endLine > finding.line && finding.endColumn === 1) endLine--;
  const text = endLine > finding.line ? `${first}\n${source.slice(source.lineRange(endLine))}` : first;
  return text.replace(/\s+/g, ' ').trim();
}

/** A stable key for the finding, with its snippet. Relative `file` is computed by the caller. */
function fingerprintOf(ruleId: string, file: string, text: string): string {
  return cryptoLib().createHash('sha256').update(`${ruleId}\0${file}\0${text}`).digest('hex').slice(0, 32);
}

interface Fingerprinted {
  finding: Finding;
  entry: BaselineEntry;
}

/** Fingerprints of the (unsuppressed, baselinable) findings of results, with occurrence indices. */
function fingerprint(results: readonly LintFileResult[], baseDir: string): Fingerprinted[] {
  const out: Fingerprinted[] = [];
  for (const result of results) {
    const source = new SourceText(result.text);
    const file = relativeFile(result.filePath, baseDir);
    const counts = new Map<string, number>();
    const findings = result.findings
      .filter((f) => !f.suppressions?.length && !NEVER_BASELINED.has(f.ruleId))
      .sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1] || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
    for (const finding of findings) {
      const text = flaggedText(finding, source);
      const fp = fingerprintOf(finding.ruleId, file, text);
      const occurrence = counts.get(fp) ?? 0;
      counts.set(fp, occurrence + 1);
      out.push({ finding, entry: { file, ruleId: finding.ruleId, fingerprint: fp, occurrence, snippet: text.length > 160 ? `${text.slice(0, 157)}...` : text } });
    }
  }
  return out;
}

/** The baseline's path form of a file: relative to the baseline's folder, `/` separators. */
export function relativeFile(filePath: string, baseDir: string): string {
  if (!path.isAbsolute(filePath)) return filePath.split(path.sep).join('/');
  return path.relative(baseDir, filePath).split(path.sep).join('/');
}

const entryKey = (e: Pick<BaselineEntry, 'file' | 'fingerprint' | 'occurrence'>) => `${e.file}\0${e.fingerprint}\0${e.occurrence}`;

/**
 * A baseline of the current findings. Entries of `previous` for files that were not linted
 * this time are kept, so writing after linting part of a repository loses nothing.
 */
export function createBaseline(results: readonly LintFileResult[], baseDir: string, previous?: Baseline): Baseline {
  const linted = new Set(results.map((r) => relativeFile(r.filePath, baseDir)));
  const entries = fingerprint(results, baseDir).map((f) => f.entry);
  if (previous) entries.push(...previous.entries.filter((e) => !linted.has(e.file)));
  return { version: BASELINE_VERSION, entries: sortEntries(entries) };
}

export interface BaselineMatch {
  /** The results, with accepted findings marked `suppressions: [{ kind: 'baseline' }]`. */
  results: LintFileResult[];
  /** How many findings the baseline accepted. */
  accepted: number;
  /** Entries for linted files that matched no finding (fixed, or changed). */
  unmatched: BaselineEntry[];
  /** The baseline without `unmatched` (for `--baseline-prune`). */
  pruned: Baseline;
}

/** Marks findings the baseline accepts as suppressed, and lists entries that no longer match. */
export function applyBaseline(results: readonly LintFileResult[], baseline: Baseline, baseDir: string): BaselineMatch {
  const byKey = new Map(baseline.entries.map((e) => [entryKey(e), e]));
  const matched = new Set<BaselineEntry>();
  const accepted = new Set<Finding>();
  for (const { finding, entry } of fingerprint(results, baseDir)) {
    const e = byKey.get(entryKey(entry));
    if (!e || e.ruleId !== entry.ruleId) continue;
    matched.add(e);
    accepted.add(finding);
  }
  const linted = new Set(results.map((r) => relativeFile(r.filePath, baseDir)));
  const unmatched = baseline.entries.filter((e) => linted.has(e.file) && !matched.has(e));
  const gone = new Set(unmatched);
  return {
    results: results.map((r) => ({
      ...r,
      findings: r.findings.map((f) =>
        accepted.has(f) ? { ...f, suppressions: [...(f.suppressions ?? []), { kind: 'baseline' as const, justification: 'accepted in the baseline' }] } : f,
      ),
    })),
    accepted: accepted.size,
    unmatched,
    pruned: { version: BASELINE_VERSION, entries: baseline.entries.filter((e) => !gone.has(e)) },
  };
}

function sortEntries(entries: BaselineEntry[]): BaselineEntry[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...entries].sort(
    (a, b) => cmp(a.file, b.file) || cmp(a.ruleId, b.ruleId) || cmp(a.snippet, b.snippet) || cmp(a.fingerprint, b.fingerprint) || a.occurrence - b.occurrence,
  );
}

/** The baseline as written: stable key order, entries sorted, two-space JSON, final newline. */
export function serializeBaseline(baseline: Baseline): string {
  const entries = sortEntries(baseline.entries).map(({ file, ruleId, fingerprint, occurrence, snippet }) => ({ file, ruleId, fingerprint, occurrence, snippet }));
  return `${JSON.stringify({ version: baseline.version, entries }, null, 2)}\n`;
}

/** Parses a baseline file's text; a malformed file is a `ConfigError` (exit 2). */
export function parseBaseline(text: string, filePath: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Invalid baseline: ${(err as Error).message}.`, filePath);
  }
  const bad = (what: string) => new ConfigError(`Invalid baseline: ${what}.`, filePath);
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw bad('expected a JSON object with "version" and "entries"');
  const { version, entries } = data as { version?: unknown; entries?: unknown };
  if (version !== BASELINE_VERSION) throw bad(`unsupported version ${JSON.stringify(version)} (this netlint reads version ${BASELINE_VERSION})`);
  if (!Array.isArray(entries)) throw bad('expected "entries" to be an array');
  entries.forEach((e, i) => {
    const ok =
      e && typeof e === 'object' &&
      typeof e.file === 'string' && typeof e.ruleId === 'string' && typeof e.fingerprint === 'string' &&
      Number.isInteger(e.occurrence) && e.occurrence >= 0;
    if (!ok) throw bad(`entries[${i}] needs "file", "ruleId", "fingerprint" and "occurrence"`);
  });
  return {
    version: BASELINE_VERSION,
    entries: (entries as BaselineEntry[]).map((e) => ({ file: e.file, ruleId: e.ruleId, fingerprint: e.fingerprint, occurrence: e.occurrence, snippet: typeof e.snippet === 'string' ? e.snippet : '' })),
  };
}

/** Reads a baseline file; a missing one is a `ConfigError`. */
export async function readBaseline(filePath: string): Promise<Baseline> {
  let text: string;
  try {
    text = await fs.readFile(filePath, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read the baseline: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, filePath);
  }
  return parseBaseline(text, filePath);
}

/** Writes a baseline atomically (creating its folder). */
export async function writeBaseline(filePath: string, baseline: Baseline): Promise<void> {
  await fs.mkdir(path.dirname(filePath), { recursive: true });
  await writeFileAtomic(filePath, serializeBaseline(baseline));
}
