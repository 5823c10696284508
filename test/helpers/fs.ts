import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, lstatSync, readlinkSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp folder, removed after the test run by `cleanupTempDirs` (read-only run files included). */
const created: string[] = [];
export const tempDir = (prefix = 'dl-lab-test-'): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
};

const makeWritable = (dir: string): void => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      chmodSync(path, 0o755);
      makeWritable(path);
    } else if (entry.isFile()) chmodSync(path, 0o644);
  }
};

export const cleanupTempDirs = (): void => {
  for (const dir of created.splice(0)) {
    try {
      makeWritable(dir);
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Every file, link and folder under `dir` with its content hash and mode, to prove "nothing changed". */
export const snapshotTree = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const full = join(dir, relPath);
      const stat = lstatSync(full);
      if (entry.isDirectory()) {
        out[`${relPath}/`] = `dir ${stat.mode.toString(8)}`;
        walk(relPath);
      } else if (entry.isSymbolicLink()) out[relPath] = `link ${readlinkSync(full)}`;
      else out[relPath] = `${createHash('sha256').update(readFileSync(full)).digest('hex')} ${stat.mode.toString(8)}`;
    }
  };
  walk('');
  return out;
};

export const readJson = <T = any>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
