/**
 * The last segment of a file path, after its last `/` or `\` (a path from Windows, or a
 * `--stdin-filename`), as the kind detector and the parsers read it: one search from the end
 * instead of splitting the whole path, for every file of a run.
 */
export function baseName(filePath: string): string {
  return filePath.slice(Math.max(filePath.lastIndexOf('/'), filePath.lastIndexOf('\\')) + 1);
}
