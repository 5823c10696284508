import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunAnalysis } from '../contract/generated/analysis.js';
import type { RunManifest } from '../contract/generated/manifest.js';
import type { MetricDefinitions, RunSummary } from '../contract/generated/summary.js';
import { formatViolation } from '../contract/validate.js';
import { UserError } from '../errors.js';
import { RUNS_DIR, TAG_PATTERN } from '../project.js';
import { ANALYSIS, MANIFEST } from '../run/paths.js';
import { RunDocuments } from '../runs/run-documents.js';
import { describeStatus, statusOf } from '../run/run-status.js';
import { forEachRunDir } from '../run/read-limits.js';
import { SharedVerifications } from '../verify/shared-verifications.js';
import { verifyRun } from '../verify/verify-run.js';
import { dlLabCommand } from '../invocation.js';
import { EXPERIMENT_FILE } from '../experiments/versions.js';

/** A run a paper may cite: it exists and `verify` passes, so its numbers are exactly as sealed. */
export interface CitableRun {
  tag: string;
  /** `artifacts/runs/<TAG>` (POSIX, relative to the project root). */
  runDir: string;
  results: Record<string, number>;
  definitions: MetricDefinitions;
  /** The manifest's seal digest (sha256 over every output). */
  seal: string;
  demo: boolean;
  /** summary.json primary_metric (a results key or a metric). */
  primaryMetric: string | undefined;
  /** An experiment record (it holds experiment.json): its `<variant>.<key>.mean` results may be quoted as `m ± s`. */
  experiment?: boolean;
}

export type RunLookup =
  | { status: 'ok'; run: CitableRun }
  | { status: 'invalid-tag' | 'missing' | 'unverified'; tag: string; runDir: string; problems: string[] }
  /** Verified, but interrupted or failed (contract 1.1): a record, never a citable result. */
  | { status: 'not-completed'; tag: string; runDir: string; problems: string[]; ended: string };

export const runDirOf = (tag: string): string => `${RUNS_DIR}/${tag}`;

export const resultPointer = (tag: string, key: string): string => `${runDirOf(tag)}/${ANALYSIS}:results.${key}`;

/**
 * Find and verify one run of the project. Never throws for a bad run: the lookup says why it
 * cannot be cited (bad tag, no such folder, or `verify` problems: tampered, unsealed, invalid).
 * `shared`: the verifications of the other lookups of the same command (lookupRuns).
 */
export const lookupRun = async (root: string, tag: string, shared = new SharedVerifications(verifyRun)): Promise<RunLookup> => {
  const runDir = runDirOf(tag);
  if (!TAG_PATTERN.test(tag)) {
    return { status: 'invalid-tag', tag, runDir, problems: [`invalid tag ${JSON.stringify(tag)}: a tag is 1-128 characters of A-Z a-z 0-9 . _ - and starts with a letter or digit`] };
  }
  const runDirAbs = join(root, RUNS_DIR, tag);
  if (!existsSync(runDirAbs)) return { status: 'missing', tag, runDir, problems: [`no run ${tag}: ${runDir}/ does not exist`] };
  if (!existsSync(join(runDirAbs, MANIFEST))) {
    return { status: 'unverified', tag, runDir, problems: [`${runDir}/${MANIFEST}: missing (the run is not sealed)`] };
  }
  const verification = await shared.verifyAlone(root, runDirAbs);
  if (!verification.ok) return { status: 'unverified', tag, runDir, problems: verification.problems.map(formatViolation) };
  // verify passed: the documents parse and satisfy the contract, so they can be read as typed. Of
  // analysis.json only its results and demo flag are cut out: its history (82 MB in the record of
  // three 300,000-step seeds) is never parsed.
  const documents = new RunDocuments(tag, runDirAbs);
  const [manifest, summary] = [documents.get('manifest') as RunManifest | undefined, documents.get('summary') as RunSummary | undefined];
  const analysis = { results: documents.top('analysis', 'results') as RunAnalysis['results'] | undefined, demo: documents.top('analysis', 'demo') as boolean | undefined };
  documents.forget();
  if (!manifest || !summary || !analysis.results || analysis.demo === undefined) {
    return { status: 'unverified', tag, runDir, problems: [`${runDir}: changed since it was verified (read again: ${dlLabCommand('verify', tag)})`] };
  }
  if (statusOf(summary) !== 'completed') return { status: 'not-completed', tag, runDir, problems: [], ended: describeStatus(summary) };
  return {
    status: 'ok',
    run: {
      tag, runDir, results: analysis.results, definitions: summary.metric_definitions, seal: manifest.seal.digest, demo: analysis.demo, primaryMetric: summary.primary_metric,
      ...(existsSync(join(runDirAbs, EXPERIMENT_FILE)) ? { experiment: true } : {}),
    },
  };
};

/**
 * lookupRun of each tag, as many at once as verify reads runs, each run verified once: a record
 * cited with its members, or runs of one chain of resumptions, share their verifications.
 */
export const lookupRuns = async (root: string, tags: readonly string[]): Promise<RunLookup[]> => {
  const shared = new SharedVerifications(verifyRun);
  const lookups: RunLookup[] = new Array(tags.length);
  await forEachRunDir(tags.map((tag) => join(root, RUNS_DIR, tag)), async (index) => {
    lookups[index] = await lookupRun(root, tags[index], shared);
  });
  return lookups;
};

/** Why a lookup failed, as the headline of an error. */
export const lookupFailure = (lookup: Exclude<RunLookup, { status: 'ok' }>): string =>
  lookup.status === 'missing'
    ? `no run ${lookup.tag} (${lookup.runDir}/ does not exist${/^demo-seed\d+$/.test(lookup.tag) ? `; ${dlLabCommand('demo', `--seed ${lookup.tag.slice(9)}`)} makes it` : ''})`
  : lookup.status === 'invalid-tag' ? lookup.problems[0]
  : lookup.status === 'not-completed' ? `run ${lookup.tag} did not complete: it is ${lookup.ended}; only completed runs may be cited`
  : `run ${lookup.tag} does not pass verification (tampered, unsealed or invalid)`;

/** The runs named by `tags`, each verified; a missing, tampered or unsealed run is a UserError listing every problem. */
export const requireCitableRuns = async (root: string, tags: readonly string[]): Promise<CitableRun[]> => {
  const lookups = await lookupRuns(root, [...new Set(tags)]);
  const failed = lookups.filter((lookup): lookup is Exclude<RunLookup, { status: 'ok' }> => lookup.status !== 'ok');
  if (failed.length > 0) {
    const first = failed[0];
    const headline = failed.length === 1 ? `${lookupFailure(first)}; refusing to cite it` : `${failed.length} runs cannot be cited: ${failed.map((f) => f.tag).join(', ')}`;
    throw new UserError(headline, {
      file: first.runDir,
      details: failed.flatMap((f) => {
        const problems = f.status === 'unverified' ? f.problems : [];
        return failed.length === 1 ? problems : [lookupFailure(f), ...problems.map((p) => `  ${p}`)];
      }),
    });
  }
  return lookups.map((lookup) => (lookup as { run: CitableRun }).run).sort((a, b) => compareStrings(a.tag, b.tag));
};

/** Byte-order comparison (locale-independent, so output is the same on every machine). */
export const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
