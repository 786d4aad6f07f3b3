import type { ParseResult, SourceComment, SourceDocument } from '../../model/document.js';
import type { EthtoolDevice, EthtoolDocument, EthtoolFeature } from '../../model/evidence.js';
import { engineFinding, type Finding } from '../../model/finding.js';
import type { BaseNode } from '../../model/node.js';
import type { Range, SourceText } from '../../model/source.js';
import { contentLines, isBlank } from '../lines.js';

/** `Features for eth0:`; ethtool before 3.x printed `Offload parameters for eth0:`. */
const HEADER = /^(?:Features|Offload parameters) for (\S(?:.*\S)?):$/;
/**
 * `name: on|off` and what follows (ethtool's `dump_features`). Names of ethtool 2.6.x could hold
 * spaces (`generic segmentation offload: on`).
 */
const FEATURE = /^([A-Za-z0-9][\w.-]*(?: [\w.-]+)*):[ \t]+(on|off)\b/;
/** One marker after the state. */
const MARKER = /[ \t]*\[(fixed|requested on|requested off|not requested)\]/y;
/** stderr lines that `2>&1` captures mix into the output (`Cannot get device udp-fragmentation-offload settings: ...`). */
const DIAGNOSTIC = /^Cannot (?:get|set) /;

/**
 * Parses `ethtool -k DEV` output, one block per device, in one pass. Sub-features are recognised
 * by indentation (a tab, or spaces in pasted text). Never throws: each bad line gives one
 * `parse-error` and parsing goes on.
 */
export function parseEthtool(source: SourceText, filePath: string): ParseResult {
  const text = source.text;
  const findings: Finding[] = [];
  const comments: SourceComment[] = [];
  const root: EthtoolDocument = { type: 'EthtoolDocument', devices: [], range: [0, text.length] };
  const error = (message: string, range: Range) => findings.push(engineFinding(source, filePath, 'parse-error', message, range));

  let device: EthtoolDevice | undefined;
  let parent: EthtoolFeature | undefined;
  let inOrphanRun = false;

  for (const { lineStart, start, end } of contentLines(source)) {
    const line = text.slice(start, end);
    const indented = start > lineStart;

    if (line.charCodeAt(0) === 35 /* # */) {
      comments.push({ text: line, range: [start, end] });
      continue;
    }
    if (DIAGNOSTIC.test(line)) continue;

    const header = indented ? null : HEADER.exec(line);
    if (header) {
      const nameStart = end - 1 - header[1].length;
      device = {
        type: 'EthtoolDevice',
        name: header[1],
        nameRange: [nameStart, nameStart + header[1].length],
        range: [start, end],
        features: [],
      };
      root.devices.push(device);
      parent = undefined;
      inOrphanRun = false;
      continue;
    }

    const m = FEATURE.exec(line);
    if (!m) {
      error(`Invalid ethtool -k line: expected "name: on" or "name: off", or "Features for DEV:".`, [start, end]);
      continue;
    }
    if (!device) {
      if (!inOrphanRun) error('Feature lines before any "Features for DEV:" header are ignored.', [start, end]);
      inOrphanRun = true;
      continue;
    }

    const stateStart = start + m[0].length - m[2].length;
    const feature: EthtoolFeature = {
      type: 'EthtoolFeature',
      name: m[1],
      nameRange: [start, start + m[1].length],
      state: m[2] as 'on' | 'off',
      stateRange: [stateStart, stateStart + m[2].length],
      fixed: false,
      device: device.name,
      range: [start, end],
    };
    let pos = m[0].length;
    let bad = false;
    while (pos < line.length) {
      MARKER.lastIndex = pos;
      const mk = MARKER.exec(line);
      if (!mk) {
        bad = true;
        break;
      }
      if (mk[1] === 'fixed') feature.fixed = true;
      else feature.requested = mk[1] === 'requested on' ? 'on' : mk[1] === 'requested off' ? 'off' : 'none';
      pos = MARKER.lastIndex;
    }
    if (bad) {
      let at = pos;
      while (at < line.length && isBlank(line.charCodeAt(at))) at++;
      error(
        `Unknown marker "${line.slice(at)}" after feature "${m[1]}": expected [fixed], [requested on], [requested off] or [not requested].`,
        [start + at, end],
      );
      continue;
    }

    if (indented && parent) feature.parent = parent.name;
    else if (!indented) parent = feature;
    device.features.push(feature);
    device.range = [device.range[0], end];
  }

  const document: SourceDocument<EthtoolDocument> = { kind: 'ethtool-features', filePath, source, root, comments };
  return { documents: [document], findings };
}

/** Visits the document, then each device and its features, in text order. */
export function walkEthtool(document: SourceDocument, visit: (node: BaseNode) => void): void {
  const root = document.root as EthtoolDocument;
  visit(root);
  for (const device of root.devices) {
    visit(device);
    for (const feature of device.features) visit(feature);
  }
}
