import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AnalysisDocument } from '../run/analysis-document.js';
import type { CheckpointRecord } from '../contract/generated/checkpoint.js';
import type { RunManifest } from '../contract/generated/manifest.js';
import type { RunSummary } from '../contract/generated/summary.js';
import { runContractViolations } from '../contract/run-contract.js';
import { formatViolation } from '../contract/validate.js';
import { UserError } from '../errors.js';
import { parseJson, readJsonValue } from '../json-file.js';
import { RUNS_DIR, TAG_PATTERN, findProjectRoot } from '../project.js';
import { ANALYSIS, CHECKPOINT_RECORD, MANIFEST, SUMMARY } from '../run/paths.js';
import { verifyRun, type ParsedRunDocuments, type RunVerification } from '../verify/verify-run.js';
import { verifyWithDocuments } from '../verify/verify-with-documents.js';

/** The four documents of a run, when they parse and satisfy the contract (else they cannot be read as a run). */
/** `analysis.history` is a HistoryTable when verify read a long history (analysis-document.ts). */
export interface RunDocs { manifest: RunManifest; summary: RunSummary; analysis: AnalysisDocument; checkpointRecord: CheckpointRecord }

/** A published run as compare, reproduce and report see it: its documents and whether it verifies. */
export interface LoadedRun {
  /** The manifest's tag, or the folder name when the manifest cannot be read. */
  tag: string;
  /** The root the manifest's paths are relative to (the project root, or the run itself for `--out-dir` runs). */
  root: string;
  runDirAbs: string;
  verification: RunVerification;
  /** Undefined when a document is missing, not JSON, or breaks the schemas: nothing can be read from it. */
  docs: RunDocs | undefined;
}

const readDocument = async (path: string, label: string): Promise<unknown> => {
  try {
    return parseJson(await readFile(path, 'utf8'), label);
  } catch {
    return undefined;
  }
};

/** Read and verify the run at `runDirAbs` (relative to `root`). Never throws for a damaged run: `verification` says what is wrong. */
export const loadRun = async (root: string, runDirAbs: string): Promise<LoadedRun> => {
  const { verification, documents } = await verifyWithDocuments(verifyRun, root, runDirAbs);
  return loadedRun(root, runDirAbs, verification, documents);
};

/**
 * The run at `runDirAbs` once verified: `checked`, the documents its verify parsed (given when they
 * satisfy the contract), else read here.
 */
export const loadedRun = async (root: string, runDirAbs: string, verification: RunVerification, checked: ParsedRunDocuments | undefined): Promise<LoadedRun> => {
  const folderName = runDirAbs.split(/[\\/]/).filter(Boolean).pop() ?? runDirAbs;
  if (checked) {
    const docs = checked as unknown as RunDocs;
    return { tag: docs.manifest.tag, root, runDirAbs, verification, docs };
  }
  // verify stopped before the contract check (e.g. an unreadable file elsewhere in the run): read the documents here.
  const names = [MANIFEST, SUMMARY, ANALYSIS, CHECKPOINT_RECORD];
  const [manifest, summary, analysis, checkpointRecord] = await Promise.all(names.map((name) => readDocument(join(runDirAbs, name), name)));
  const raw = { manifest, summary, analysis, checkpointRecord };
  const readable =
    [manifest, summary, analysis, checkpointRecord].every((doc) => doc !== undefined) &&
    runContractViolations(raw, { manifest: MANIFEST, summary: SUMMARY, analysis: ANALYSIS, checkpointRecord: CHECKPOINT_RECORD }).length === 0;
  const docs = readable ? (raw as unknown as RunDocs) : undefined;
  return { tag: docs?.manifest.tag ?? folderName, root, runDirAbs, verification, docs };
};

/** The root of a run folder given by path: its manifest's `run_dir` says how deep it sits below the root. */
const rootOfRunFolder = (dir: string, label: string): string => {
  const value = readJsonValue<{ run_dir?: unknown }>(join(dir, MANIFEST), `${label}/${MANIFEST}`);
  const runDir = typeof value?.run_dir === 'string' ? value.run_dir : '.';
  if (runDir === '.') return dir;
  const root = resolve(dir, ...runDir.split('/').map(() => '..'));
  // A run_dir that does not match where the folder is: verify will report it; fall back to the enclosing project.
  return resolve(root, runDir) === dir ? root : findProjectRoot(dir) ?? dir;
};

/**
 * Find a run named on the command line: a TAG of the enclosing project (artifacts/runs/<TAG>/),
 * or else a path to a run folder (e.g. one written by `demo --out-dir`). `field` names the argument in errors.
 */
export const resolveRun = async (cwd: string, given: string, field: string): Promise<LoadedRun> => {
  if (!given) throw new UserError(`${field} is required: a run tag (artifacts/runs/<TAG>/) or a run folder`, { field });
  const projectRoot = findProjectRoot(cwd);
  if (projectRoot && TAG_PATTERN.test(given) && existsSync(join(projectRoot, RUNS_DIR, given, MANIFEST))) {
    return loadRun(projectRoot, join(projectRoot, RUNS_DIR, given));
  }
  const dir = resolve(cwd, given);
  if (existsSync(join(dir, MANIFEST))) return loadRun(rootOfRunFolder(dir, given), dir);
  const where = projectRoot ? `no ${RUNS_DIR}/${given}/ in the project at ${projectRoot}` : 'not inside a dl-lab project';
  throw new UserError(`${field}: no run "${given}" (${where}, and no folder ${given}/ holding a ${MANIFEST})`, { file: given, field });
};

/** The run's documents, or a UserError listing why they cannot be read. */
export const requireDocs = (run: LoadedRun, field: string): RunDocs => {
  if (run.docs) return run.docs;
  throw new UserError(`${field}: run ${run.tag} (${run.verification.runDir}) cannot be read`, {
    file: run.verification.runDir,
    field,
    details: run.verification.problems.map(formatViolation),
  });
};

/** One-word verify status as shown in tables: "ok", or "FAILED (n problems)". */
export const verifyStatus = (run: LoadedRun): string =>
  run.verification.ok ? 'ok' : `FAILED (${run.verification.problems.length} problem${run.verification.problems.length === 1 ? '' : 's'})`;
