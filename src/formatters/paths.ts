import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A result path as CI tools want it: relative to `cwd` with `/` separators when the file is
 * inside `cwd` (GitHub resolves it against the checkout), else the absolute path unchanged.
 */
export function displayPath(filePath: string, cwd: string): string {
  const rel = relativeInside(filePath, cwd);
  return rel === undefined ? filePath : rel;
}

/** The `/`-separated path of `filePath` inside `cwd`, or `undefined` when it is outside (or special). */
export function relativeInside(filePath: string, cwd: string): string | undefined {
  if (filePath === '<text>') return filePath;
  const rel = path.relative(cwd, filePath);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/** `file:` URL of a directory, with the trailing slash SARIF requires of a base URI. */
export function directoryUrl(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** `file:` URL of a file. */
export function fileUrl(filePath: string): string {
  return pathToFileURL(filePath).href;
}

/**
 * A relative path as an RFC 3986 relative reference: each segment percent-encoded, but `@`
 * and the sub-delimiters kept readable. `:` stays encoded, so a first segment never reads
 * as a scheme.
 */
export function relativeUri(relPath: string): string {
  return relPath
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%(?:40|24|26|2B|2C|3B|3D)/g, decodeURIComponent))
    .join('/');
}
