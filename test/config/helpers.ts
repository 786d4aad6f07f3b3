import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Creates a temporary folder holding `files` (paths relative to it); `cleanup` removes it. */
export function tempTree(files: Record<string, string>, prefix = 'netlint-config-'): { root: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  writeTree(root, files);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

/** Copies the fixture plugin folder `name` (under test/fixtures/plugins) into `dir`. */
export function copyPlugin(name: string, dir: string): string {
  const target = path.join(dir, name);
  cpSync(path.resolve(__dirname, '../fixtures/plugins', name), target, { recursive: true });
  return target;
}

/** A Docker-style nat dump: one MASQUERADE without --random-fully (line 3). */
export const DOCKER_DUMP = `*nat
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
COMMIT
`;

/** A filter dump whose INPUT chain accepts everything (line 5), for the acme plugin's rule. */
export const ACCEPT_ALL_DUMP = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -j ACCEPT
COMMIT
`;
