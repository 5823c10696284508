import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, readdir, rename, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { runContractViolations, type RunDocuments } from '../contract/run-contract.js';
import { throwIfViolations } from '../contract/validate.js';
import { UserError } from '../errors.js';
import { emitJsonText } from '../json-chunks.js';
import { stringifyJson } from '../json-file.js';
import { outputEntries, runChecksums, type OutputEntry, type RunFile } from './outputs.js';
import { ANALYSIS, CHECKPOINT_RECORD, MANIFEST, SHA256SUMS, SUMMARY, runFilePath } from './paths.js';
import { openStaging, type Staging } from './staging.js';
import { sha256Hex } from '../hash.js';

export interface RunToPublish {
  /** Absolute directory the run becomes (`<root>/artifacts/runs/<tag>` or an `--out-dir`). */
  targetDir: string;
  /** The same directory relative to the root the run's paths are relative to ('.' for `--out-dir`). */
  runDir: string;
  summary: object;
  analysis: object;
  checkpointRecord: object;
  /** Every other file: figures, the code patch, a copied checkpoint. */
  extraFiles: readonly RunFile[];
  /** Builds the manifest once the outputs (with their sha256) are known. */
  buildManifest: (outputs: OutputEntry[]) => object;
  /** The staging folder, when the caller already placed files in it (a checkpoint); else one is made. */
  staging?: Staging;
}

export interface PublishedRun { targetDir: string; manifest: object; outputs: OutputEntry[]; results: Record<string, number> }

type InMemoryFile = Extract<RunFile, { bytes: Uint8Array }>;

const jsonFile = (name: string, role: RunFile['role'], value: object): InMemoryFile => ({ name, role, bytes: Buffer.from(stringifyJson(value)) });

/** Refuse to reuse a tag: a published run is never replaced. `--out-dir` may be an existing *empty* folder. */
export const assertTargetFree = async (targetDir: string, allowEmptyDir = false): Promise<void> => {
  const existing = await stat(targetDir).catch(() => undefined);
  if (!existing) return;
  if (allowEmptyDir && existing.isDirectory()) {
    if ((await readdir(targetDir)).length === 0) return;
  }
  throw new UserError(
    `${targetDir} already exists: a published run is never overwritten; choose a new tag (e.g. ${basename(targetDir)}-2)`,
    { file: targetDir, field: 'TAG' },
  );
};

/**
 * Validate the whole run, written to a staging folder beside the target, and publish it with one
 * rename, so no reader ever sees a partial run; when validation fails the staging folder is
 * removed and nothing is left. Published files are read-only.
 */
export const publishRun = async (run: RunToPublish): Promise<PublishedRun> => {
  await assertTargetFree(run.targetDir, run.runDir === '.');
  const staging = run.staging ?? (await openStaging(run.targetDir));
  try {
    const files: RunFile[] = [
      jsonFile(SUMMARY, 'summary', run.summary),
      // The one document that grows with the training (its history): written as it is serialized.
      placeJsonFile(staging.dir, ANALYSIS, 'analysis', run.analysis),
      jsonFile(CHECKPOINT_RECORD, 'checkpoint-record', run.checkpointRecord),
      ...run.extraFiles,
    ];
    const outputs = outputEntries(run.runDir, files);
    const manifest = run.buildManifest(outputs);
    const label = (name: string) => runFilePath(run.runDir === '.' ? run.targetDir : run.runDir, name);
    const docs: RunDocuments = { manifest, summary: run.summary, analysis: run.analysis, checkpointRecord: run.checkpointRecord };
    throwIfViolations(
      runContractViolations(docs, { manifest: label(MANIFEST), summary: label(SUMMARY), analysis: label(ANALYSIS), checkpointRecord: label(CHECKPOINT_RECORD) }),
      'the run does not satisfy the contract; nothing was written',
    );
    const manifestFile = jsonFile(MANIFEST, 'other', manifest);
    const checksums: RunFile = { name: SHA256SUMS, role: 'other', bytes: Buffer.from(runChecksums(run.runDir, outputs, sha256Hex(manifestFile.bytes))) };
    // The manifest and SHA256SUMS go last: a staging folder that has them is complete. With them,
    // the folders' entries are made durable too, before the rename publishes the run.
    await writeRunFiles(staging.dir, files);
    await writeRunFiles(staging.dir, [manifestFile, checksums], () => syncDirectories(staging.dir, [...files, manifestFile, checksums]));
    try {
      await rename(staging.dir, run.targetDir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
        throw new UserError(`${run.targetDir} was published by another process meanwhile; choose a new tag`, { file: run.targetDir, field: 'TAG' });
      }
      throw error;
    }
    staging.close();
    return { targetDir: run.targetDir, manifest, outputs, results: (run.analysis as { results: Record<string, number> }).results };
  } catch (error) {
    await staging.discard();
    throw error;
  }
};

/**
 * Writes `value` as `name` into the staging folder in pieces, hashing them as they go, so a
 * 300,000-entry history never exists as one 43 MB string or Buffer (bench/README.md). The bytes
 * are stringifyJson's. The file is made read-only and durable with the others (writeRunFiles).
 */
const placeJsonFile = (dir: string, name: string, role: RunFile['role'], value: object): RunFile => {
  const hash = createHash('sha256');
  let size = 0;
  const fd = openSync(join(dir, name), 'wx', 0o644);
  try {
    emitJsonText(value, (piece) => {
      const bytes = Buffer.from(piece);
      hash.update(bytes);
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written);
      size += bytes.length;
    });
  } finally {
    closeSync(fd);
  }
  return { name, role, placed: true, sha256: hash.digest('hex'), size };
};

/**
 * Write run files read-only (a published run is never edited in place) and durably: every file is
 * written, then all are fsynced together, with `alsoSync` (fsyncs one after another each waited
 * for their own journal commit), and only then does the call return.
 */
const writeRunFiles = async (dir: string, files: readonly RunFile[], alsoSync: () => Promise<void> = async () => {}): Promise<void> => {
  const written: FileHandle[] = [];
  try {
    for (const file of files) {
      const path = join(dir, file.name);
      await mkdir(dirname(path), { recursive: true });
      if ('bytes' in file) {
        const handle = await open(path, 'wx', 0o644);
        written.push(handle);
        await handle.writeFile(file.bytes);
        await handle.chmod(0o444);
      } else {
        // Already in place (a checkpoint copied or linked in while it was hashed): made read-only and durable here.
        const handle = await open(path, 'r');
        written.push(handle);
        await handle.chmod(0o444);
      }
    }
    await Promise.all([...written.map((handle) => handle.sync()), alsoSync()]);
  } finally {
    await Promise.all(written.map((handle) => handle.close()));
  }
};

/** fsync the folders the files were created in, so their names are as durable as their bytes. */
const syncDirectories = async (root: string, files: readonly RunFile[]): Promise<void> => {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync there
  const dirs = new Set([root, ...files.map((file) => dirname(join(root, file.name)))]);
  await Promise.all(
    [...dirs].map(async (dir) => {
      const handle = await open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }),
  );
};
