import { sha256Hex } from '../hash.js';
import { MANIFEST, runFilePath } from './paths.js';

/** What an output is for; figures come first in `manifest.outputs` (a paper tool takes the first figure). */
export type OutputRole = 'figure' | 'summary' | 'analysis' | 'checkpoint-record' | 'checkpoint' | 'patch' | 'other';

const ROLE_ORDER: readonly OutputRole[] = ['figure', 'summary', 'analysis', 'checkpoint-record', 'checkpoint', 'patch', 'other'];

/**
 * One file of a run, before it is published: bytes in memory, or a large file (a checkpoint)
 * already placed in the staging folder under `name` and hashed while it was put there.
 */
export type RunFile =
  | { name: string; role: OutputRole; bytes: Uint8Array }
  | { name: string; role: OutputRole; placed: true; sha256: string; size: number };

export interface OutputEntry { path: string; sha256: string; bytes: number; role: OutputRole }


/** Manifest `outputs[]` for these files: figures first, then by role, then by name. */
export const outputEntries = (runDir: string, files: readonly RunFile[]): OutputEntry[] =>
  [...files]
    .sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((file) => ({
      path: runFilePath(runDir, file.name),
      sha256: 'bytes' in file ? sha256Hex(file.bytes) : file.sha256,
      bytes: 'bytes' in file ? file.bytes.byteLength : file.size,
      role: file.role,
    }));

/**
 * The run's seal: sha256 of `sha256sum`-format lines ("<sha256>  <path>\n") of every output,
 * sorted by path in byte order, so `sha256sum`-style tools can recompute it.
 */
export const sealDigest = (outputs: ReadonlyArray<{ path: string; sha256: string }>): string => sha256Hex(sha256sumLines(outputs));

/** `sha256sum` output for these files: "<sha256>  <path>\n" per file, sorted by path in byte order. */
export const sha256sumLines = (files: ReadonlyArray<{ path: string; sha256: string }>): string =>
  [...files]
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)))
    .map((file) => `${file.sha256}  ${file.path}\n`)
    .join('');

/** The SHA256SUMS text of a run: every output and manifest.json, paths relative to the run directory. */
export const runChecksums = (runDir: string, outputs: ReadonlyArray<{ path: string; sha256: string }>, manifestSha256: string): string => {
  const prefix = runDir === '.' ? '' : `${runDir}/`;
  return sha256sumLines([
    ...outputs.map((o) => ({ path: o.path.startsWith(prefix) ? o.path.slice(prefix.length) : o.path, sha256: o.sha256 })),
    { path: MANIFEST, sha256: manifestSha256 },
  ]);
};
