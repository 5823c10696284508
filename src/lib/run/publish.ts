import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { runContractViolations, type RunDocuments } from '../contract/run-contract.js';
import { throwIfViolations } from '../contract/validate.js';
import { UserError } from '../errors.js';
import { stringifyJson } from '../json-file.js';
import { outputEntries, type OutputEntry, type RunFile } from './outputs.js';
import { ANALYSIS, CHECKPOINT_RECORD, MANIFEST, SUMMARY, runFilePath } from './paths.js';


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
}

export interface PublishedRun { targetDir: string; manifest: object; outputs: OutputEntry[]; results: Record<string, number> }

const jsonFile = (name: string, role: RunFile['role'], value: object): RunFile => ({ name, role, bytes: Buffer.from(stringifyJson(value)) });

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

const writeDurably = async (path: string, bytes: Uint8Array): Promise<void> => {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/**
 * Validate the whole run, then write it to a staging folder beside the target and publish it
 * with one rename, so no reader ever sees a partial run and nothing is written when validation
 * fails. Published files are read-only.
 */
export const publishRun = async (run: RunToPublish): Promise<PublishedRun> => {
  const files: RunFile[] = [
    jsonFile(SUMMARY, 'summary', run.summary),
    jsonFile(ANALYSIS, 'analysis', run.analysis),
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

  const allowEmpty = run.runDir === '.';
  await assertTargetFree(run.targetDir, allowEmpty);
  const parent = dirname(run.targetDir);
  await mkdir(parent, { recursive: true });
  const staging = join(parent, `.staging-${basename(run.targetDir)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging);
    for (const file of [...files, jsonFile(MANIFEST, 'other', manifest)]) {
      const path = join(staging, file.name);
      await mkdir(dirname(path), { recursive: true });
      if ('bytes' in file) await writeDurably(path, file.bytes);
      else await copyFile(file.copyFrom, path);
      await chmod(path, 0o444);
    }
    try {
      await rename(staging, run.targetDir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
        throw new UserError(`${run.targetDir} was published by another process meanwhile; choose a new tag`, { file: run.targetDir, field: 'TAG' });
      }
      throw error;
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { targetDir: run.targetDir, manifest, outputs, results: (run.analysis as { results: Record<string, number> }).results };
};
