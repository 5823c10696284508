import { lstat, readdir, readFile, realpath } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import type { RunManifest } from '../contract/generated/manifest.js';
import { runContractViolations } from '../contract/run-contract.js';
import type { Violation } from '../contract/validate.js';
import { sha256File } from '../hashing/sha256-file.js';
import { parseJson } from '../json-file.js';
import { RUNS_DIR, relativeInside } from '../project.js';
import { runChecksums, sealDigest } from '../run/outputs.js';
import { ANALYSIS, CHECKPOINT_RECORD, MANIFEST, SHA256SUMS, SUMMARY } from '../run/paths.js';
import { sha256Hex } from '../hash.js';

export interface RunVerification {
  /** The run directory relative to the root ('.' for a standalone `--out-dir` run). */
  runDir: string;
  ok: boolean;
  problems: Violation[];
}

const toPosix = (path: string): string => path.split(sep).join('/');

/** Every file (and symlink) below `dir`, as POSIX paths relative to `dir`. Symlinks are reported, never followed. */
const listTree = async (dir: string): Promise<{ files: string[]; links: string[] }> => {
  const files: string[] = [];
  const links: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) links.push(path);
      else if (entry.isDirectory()) await walk(path);
      else files.push(path);
    }
  };
  await walk('');
  return { files, links };
};

const parseDocument = (text: string, label: string, problems: Violation[]): unknown => {
  try {
    return parseJson(text, label);
  } catch (error) {
    problems.push({ file: label, pointer: '', message: (error as Error).message.replace(`${label}: `, '') });
    return undefined;
  }
};

const readJsonDocument = async (path: string, label: string, problems: Violation[]): Promise<unknown> => {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    problems.push({ file: label, pointer: '', message: `cannot read (${error.code ?? error.message})` });
    return undefined;
  });
  return text === undefined ? undefined : parseDocument(text, label, problems);
};

/**
 * Check one published run against its manifest: the contract (schemas and cross-file rules), every
 * output present as a regular file inside the run with the recorded size and sha256, no file that
 * the manifest does not list, no symlink, and the seal digest over the outputs.
 */
export const verifyRun = async (root: string, runDirAbs: string): Promise<RunVerification> => {
  const runDir = toPosix(relative(root, runDirAbs)) || '.';
  const label = (name: string) => (runDir === '.' ? name : `${runDir}/${name}`);
  const problems: Violation[] = [];
  const manifestBytes = await readFile(join(runDirAbs, MANIFEST)).catch((error: NodeJS.ErrnoException) => {
    problems.push({ file: label(MANIFEST), pointer: '', message: `cannot read (${error.code ?? error.message})` });
    return undefined;
  });
  if (!manifestBytes) return { runDir, ok: false, problems };
  const [manifest, summary, analysis, checkpointRecord] = await Promise.all([
    parseDocument(manifestBytes.toString('utf8'), label(MANIFEST), problems),
    ...[SUMMARY, ANALYSIS, CHECKPOINT_RECORD].map((name) => readJsonDocument(join(runDirAbs, name), label(name), problems)),
  ]);
  if (problems.length > 0) return { runDir, ok: false, problems };
  problems.push(
    ...runContractViolations(
      { manifest, summary, analysis, checkpointRecord },
      { manifest: label(MANIFEST), summary: label(SUMMARY), analysis: label(ANALYSIS), checkpointRecord: label(CHECKPOINT_RECORD) },
    ),
  );
  if (problems.length > 0) return { runDir, ok: false, problems };

  const m = manifest as RunManifest;
  const manifestLabel = label(MANIFEST);
  if (m.run_dir !== runDir) problems.push({ file: manifestLabel, pointer: '/run_dir', message: `'${m.run_dir}' but the run is at '${runDir}'` });
  const prefix = runDir === '.' ? '' : `${runDir}/`;
  const realRoot = await realpath(root);
  const listed = new Set<string>();
  await Promise.all(
    m.outputs.map(async (output, index) => {
      const pointer = `/outputs/${index}`;
      if (!output.path.startsWith(prefix)) {
        problems.push({ file: manifestLabel, pointer: `${pointer}/path`, message: `'${output.path}' is outside the run directory '${runDir}'` });
        return;
      }
      listed.add(output.path.slice(prefix.length));
      const absolute = join(root, output.path);
      const stat = await lstat(absolute).catch(() => undefined);
      if (!stat) return problems.push({ file: output.path, pointer: '', message: `missing (listed at ${manifestLabel}:${pointer})` });
      if (!stat.isFile()) return problems.push({ file: output.path, pointer: '', message: stat.isSymbolicLink() ? 'is a symlink, not a file' : 'is not a regular file' });
      if (relativeInside(realRoot, await realpath(absolute)) === undefined) {
        return problems.push({ file: output.path, pointer: '', message: 'resolves outside the project' });
      }
      if (stat.size !== output.bytes) {
        problems.push({ file: output.path, pointer: '', message: `size ${stat.size} differs from the recorded ${output.bytes} (${manifestLabel}:${pointer}/bytes)` });
      }
      const { sha256 } = await sha256File(absolute);
      if (sha256 !== output.sha256) {
        problems.push({ file: output.path, pointer: '', message: `sha256 ${sha256.slice(0, 12)}… differs from the recorded ${output.sha256.slice(0, 12)}… (${manifestLabel}:${pointer}/sha256)` });
      }
    }),
  );
  const { files, links } = await listTree(runDirAbs);
  for (const link of links) problems.push({ file: label(link), pointer: '', message: 'symlink inside a run (runs hold regular files only)' });
  for (const file of files) {
    if (file !== MANIFEST && file !== SHA256SUMS && !listed.has(file)) {
      problems.push({ file: label(file), pointer: '', message: 'not listed in manifest.json outputs (added after the run was sealed?)' });
    }
  }
  const expectedSums = runChecksums(runDir, m.outputs, sha256Hex(manifestBytes));
  const sums = await readFile(join(runDirAbs, SHA256SUMS), 'utf8').catch(() => undefined);
  if (sums === undefined) problems.push({ file: label(SHA256SUMS), pointer: '', message: 'missing' });
  else if (sums !== expectedSums) {
    problems.push({ file: label(SHA256SUMS), pointer: '', message: 'does not match manifest.json and its outputs (manifest.json or SHA256SUMS was edited)' });
  }
  if (runDir.startsWith(`${RUNS_DIR}/`) && m.tag !== basename(runDirAbs)) {
    problems.push({ file: manifestLabel, pointer: '/tag', message: `'${m.tag}' but the run folder is '${basename(runDirAbs)}'` });
  }
  const seal = sealDigest(m.outputs);
  if (seal !== m.seal.digest) problems.push({ file: manifestLabel, pointer: '/seal/digest', message: `seal ${m.seal.digest.slice(0, 12)}… does not match the outputs (${seal.slice(0, 12)}…)` });
  for (const [name, role] of [[SUMMARY, 'summary'], [ANALYSIS, 'analysis'], [CHECKPOINT_RECORD, 'checkpoint-record']] as const) {
    if (!listed.has(name)) problems.push({ file: manifestLabel, pointer: '/outputs', message: `${label(name)} (${role}) is not listed` });
  }
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { runDir, ok: problems.length === 0, problems };
};
