import { join } from 'node:path';
import { dataDigests, flatten } from '../compare/differences.js';
import { loadRun, type LoadedRun } from '../compare/run-record.js';
import type { History } from '../contract/generated/analysis.js';
import type { MetricDefinitions } from '../contract/generated/summary.js';
import { formatViolation } from '../contract/validate.js';
import { RUNS_DIR } from '../project.js';
import { listRunTags } from '../verify/verify-project.js';

/** What the report shows of one run (also embedded as JSON for the in-page compare view). */
export interface ReportRun {
  tag: string;
  run_dir: string;
  /** False when the run's documents cannot be read at all: only its verify problems are shown. */
  readable: boolean;
  created_at: string | null;
  demo: boolean | null;
  note: string | null;
  commit: string | null;
  branch: string | null;
  dirty: boolean | null;
  primary_metric: string | null;
  primary_value: number | null;
  verify: { ok: boolean; problems: string[] };
  metrics: Record<string, number>;
  results: Record<string, number>;
  definitions: MetricDefinitions;
  best_epoch: number | null;
  data: Record<string, string>;
  hyperparameters: Record<string, unknown>;
  environment: Record<string, string>;
}

/** The run's training history, kept out of the embedded JSON (the curves are drawn from it on the server). */
export interface ReportEntry { run: ReportRun; history: History }

const entryOf = (loaded: LoadedRun): ReportEntry => {
  const verify = { ok: loaded.verification.ok, problems: loaded.verification.problems.map(formatViolation) };
  const docs = loaded.docs;
  if (!docs) {
    return {
      run: {
        tag: loaded.tag, run_dir: loaded.verification.runDir, readable: false, created_at: null, demo: null, note: null, commit: null, branch: null, dirty: null,
        primary_metric: null, primary_value: null, verify, metrics: {}, results: {}, definitions: {}, best_epoch: null, data: {}, hyperparameters: {}, environment: {},
      },
      history: [],
    };
  }
  const { manifest, summary, analysis } = docs;
  const git = manifest.code.git;
  const primary = summary.primary_metric ?? null; // absent in a run that stopped before naming it (contract 1.1)
  const primaryValue = primary === null ? null : summary.metrics[primary] ?? analysis.results[primary] ?? null;
  const env = manifest.environment;
  return {
    run: {
      tag: manifest.tag,
      run_dir: loaded.verification.runDir,
      readable: true,
      created_at: manifest.created_at,
      demo: manifest.demo,
      note: manifest.note ?? null,
      commit: git.available ? git.commit : null,
      branch: git.available ? git.branch : null,
      dirty: git.available ? git.dirty : null,
      primary_metric: primary,
      primary_value: primaryValue,
      verify,
      metrics: summary.metrics,
      results: analysis.results,
      definitions: summary.metric_definitions,
      best_epoch: summary.best_checkpoint?.epoch ?? null,
      data: dataDigests(manifest),
      hyperparameters: flatten(manifest.hyperparameters),
      environment: {
        node: env.node,
        os: `${env.os.platform} ${env.os.release} ${env.arch}`,
        python: env.python.available ? `${env.python.version} (${env.python.packages.length} packages)` : 'not recorded',
        gpu: env.gpu.available ? env.gpu.gpus.map((gpu) => gpu.name).join(', ') || 'none' : 'not recorded',
      },
    },
    history: analysis.history,
  };
};

/** Newest first; runs without a readable date last, then by tag. */
const newestFirst = (a: ReportEntry, b: ReportEntry): number =>
  (b.run.created_at ?? '').localeCompare(a.run.created_at ?? '') || a.run.tag.localeCompare(b.run.tag);

/** Every published run of the project, read and verified. */
export const collectReportRuns = async (root: string): Promise<ReportEntry[]> => {
  const tags = await listRunTags(root);
  const loaded = await Promise.all(tags.map((tag) => loadRun(root, join(root, RUNS_DIR, tag))));
  return loaded.map(entryOf).sort(newestFirst);
};
