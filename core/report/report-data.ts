import { join } from 'node:path';
import { dataDigests, flatten } from '../compare/differences.js';
import { loadedRun, type LoadedRun } from '../compare/run-record.js';
import type { MetricDefinitions } from '../contract/generated/summary.js';
import { formatViolation } from '../contract/validate.js';
import { RUNS_DIR } from '../project.js';
import { verifyEachRun } from '../verify/verify-each-run.js';
import { listRunTags } from '../verify/verify-project.js';
import { curveFigureFromHistory, thinCurveFigure, type CurveFigure } from '../figures/training-curves.js';
import { runFilePath } from '../run/paths.js';
import { RUN_DOCUMENTS, RunDocuments } from '../runs/run-documents.js';
import { runStatus } from '../runs/run-fields.js';
import { latestRecords, manifestExperiment, membershipByTag, readExperimentRecord, tagPrefixGroup, type ExperimentMembership, type ExperimentSummary } from './report-groups.js';

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
  /** summary.json `status` (contract 1.1; absent = completed), read even from a run that fails its schema. */
  status: string;
  status_reason: string | null;
  /** Where the run is listed: its experiment, else its tag up to the last `.` or `-`. */
  group: string;
  experiment: ExperimentMembership | null;
  /** Set on an experiment record (a folder written by `dl-lab aggregate`). */
  record: ExperimentSummary | null;
  /** The training curves as data (panels and series of `curveFigureFromHistory`), drawn in the page when the run is opened. */
  curves: CompactCurves | null;
}

/** A curve figure for the page: values to 4 significant digits, gaps as null (JSON has no NaN). */
export interface CompactCurves { epochs: number[]; panels: Array<{ title: string; series: Array<{ label: string; values: Array<number | null> }> }>; mark: number | null }

/** One run of the report (its history is not kept: the page gets the curves, as data, in `run.curves`). */
export interface ReportEntry { run: ReportRun }

/**
 * Columns a run's curves are thinned to for the page, which draws them a few hundred pixels wide:
 * a per-step history (300,000 entries) would otherwise put every point of every run in the page.
 */
const PAGE_CURVE_COLUMNS = 1000;

const compact = (value: number): number | null => (Number.isFinite(value) ? Number(value.toPrecision(4)) : null);

const compactCurves = (figure: CurveFigure): CompactCurves | null =>
  figure.panels.length === 0
    ? null
    : {
        epochs: Array.from(figure.epochs),
        panels: figure.panels.map((panel) => ({ title: panel.title, series: panel.series.map((series) => ({ label: series.label, values: Array.from(series.values, compact) })) })),
        mark: figure.markEpoch?.epoch ?? null,
      };

/** What is read from a run folder without its schema: how it ended and where it belongs (contract 1.1 fields may be newer than this build). */
interface Placement { status: string; status_reason: string | null; experiment: ExperimentMembership | null; record: ExperimentSummary | null }

const placementOf = (run: RunDocuments): Placement => {
  const reason = run.top('summary', 'status_reason');
  return {
    status: runStatus(run),
    status_reason: typeof reason === 'string' ? reason : null,
    experiment: manifestExperiment(run) ?? null,
    record: readExperimentRecord(run) ?? null,
  };
};

/** The run's documents for its placement: those verify already parsed, else read from the folder (defensively). */
const documentsOf = (loaded: LoadedRun, tag: string, dir: string): RunDocuments => {
  const documents = new RunDocuments(tag, dir);
  const docs = loaded.docs;
  if (!docs) return documents;
  const hasRecord = docs.manifest.outputs.some((output) => output.path === runFilePath(docs.manifest.run_dir, RUN_DOCUMENTS.experiment));
  documents.preset('manifest', docs.manifest as unknown as Record<string, unknown>).preset('summary', docs.summary as unknown as Record<string, unknown>);
  // A sealed run lists every file: without an experiment.json among its outputs there is none to look for.
  if (!hasRecord) documents.preset('experiment', undefined);
  return documents;
};

const entryOf = (loaded: LoadedRun, placement: Placement): ReportEntry => {
  const placed = { ...placement, group: tagPrefixGroup(loaded.tag), curves: null };
  const verify = { ok: loaded.verification.ok, problems: loaded.verification.problems.map(formatViolation) };
  const docs = loaded.docs;
  if (!docs) {
    return {
      run: {
        tag: loaded.tag, run_dir: loaded.verification.runDir, readable: false, created_at: null, demo: null, note: null, commit: null, branch: null, dirty: null,
        primary_metric: null, primary_value: null, verify, metrics: {}, results: {}, definitions: {}, best_epoch: null, data: {}, hyperparameters: {}, environment: {},
        ...placed,
      },
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
      ...placed,
      curves: analysis.history.length === 0 ? null : compactCurves(thinCurveFigure(curveFigureFromHistory(analysis.history, summary.best_checkpoint?.epoch == null ? {} : { bestEpoch: summary.best_checkpoint.epoch }), PAGE_CURVE_COLUMNS)),
    },
  };
};

/** Newest first; runs without a readable date last, then by tag. */
const newestFirst = (a: ReportEntry, b: ReportEntry): number =>
  (b.run.created_at ?? '').localeCompare(a.run.created_at ?? '') || a.run.tag.localeCompare(b.run.tag);

/**
 * Each run's group: an experiment record and every member it lists (the latest version's list)
 * belong to the experiment; so does a trial whose manifest names its experiment (a sweep not yet
 * aggregated); every other run goes by its tag prefix.
 */
const assignGroups = (entries: ReportEntry[]): void => {
  const latest = latestRecords(entries.flatMap((entry) => (entry.run.record ? [entry.run.record] : [])));
  const members = membershipByTag(latest);
  for (const { run } of entries) {
    run.experiment = run.experiment ?? members.get(run.tag) ?? null;
    run.group = run.record?.name ?? run.experiment?.name ?? run.group;
  }
};

/** Every published run of the project, read and verified (as many at once as verify reads), grouped, newest first. */
export const collectReportRuns = async (root: string): Promise<ReportEntry[]> => {
  const tags = await listRunTags(root);
  const entries: ReportEntry[] = new Array(tags.length);
  const dirs = tags.map((tag) => join(root, RUNS_DIR, tag));
  await verifyEachRun(root, dirs, async (index, verification, documents) => {
    const loaded = await loadedRun(root, dirs[index], verification, documents);
    entries[index] = entryOf(loaded, placementOf(documentsOf(loaded, tags[index], dirs[index])));
  });
  assignGroups(entries);
  return entries.sort(newestFirst);
};
