import type { RunDocs } from '../compare/run-record.js';
import { historyRows } from '../history-table.js';
import { dataDigests } from '../compare/differences.js';
import { allowedDifference, type Tolerance } from '../compare/tolerance.js';
import type { MetricDefinitions } from '../contract/generated/summary.js';
import type { OutputRole } from '../run/outputs.js';

export type CheckStatus = 'identical' | 'within tolerance' | 'diverged' | 'missing' | 'not reproducible by definition';

/** One thing of the source run set against the reproduction. */
export interface ReproCheck {
  kind: 'output' | 'data' | 'history' | 'metric' | 'result' | 'statistic';
  name: string;
  status: CheckStatus;
  source: number | string | null;
  reproduced: number | string | null;
  detail?: string;
}

/** Outputs that are training's own product and must come back byte for byte; summary/analysis hold the tag and are compared number by number, the patch is code state. */
const BITWISE_ROLES: ReadonlySet<OutputRole | undefined> = new Set(['figure', 'checkpoint-record', 'checkpoint', 'other']);

/** A metric whose definition says it is not reproducible (the demo's wall-clock `duration_seconds`). */
export const notReproducible = (definitions: MetricDefinitions, key: string): boolean => /not reproducible/i.test(definitions[key]?.definition ?? '');

/** identical (same float64), within a relative tolerance, or diverged. */
export const numberStatus = (a: number, b: number, tolerance: Tolerance): CheckStatus =>
  Object.is(a, b) ? 'identical' : Math.abs(a - b) <= allowedDifference(tolerance, Math.max(Math.abs(a), Math.abs(b))) ? 'within tolerance' : 'diverged';

const relativeDifference = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

const outputChecks = (source: RunDocs, reproduced: RunDocs): ReproCheck[] => {
  const byName = (docs: RunDocs) => {
    const prefix = docs.manifest.run_dir === '.' ? '' : `${docs.manifest.run_dir}/`;
    return new Map(docs.manifest.outputs.filter((o) => BITWISE_ROLES.has(o.role)).map((o) => [o.path.slice(prefix.length), o.sha256]));
  };
  const ours = byName(reproduced);
  return [...byName(source)].map(([name, sha256]): ReproCheck => {
    const again = ours.get(name);
    const status = again === undefined ? 'missing' : again === sha256 ? 'identical' : 'diverged';
    return { kind: 'output', name, status, source: sha256, reproduced: again ?? null };
  });
};

const dataChecks = (source: RunDocs, reproduced: RunDocs): ReproCheck[] => {
  const ours = dataDigests(reproduced.manifest);
  return Object.entries(dataDigests(source.manifest)).map(([name, sha256]) => {
    const again = ours[name];
    return { kind: 'data', name, status: again === undefined ? 'missing' : again === sha256 ? 'identical' : 'diverged', source: sha256, reproduced: again ?? null };
  });
};

/** One check per history column: every epoch's value, as a whole. */
const historyChecks = (source: RunDocs, reproduced: RunDocs, tolerance: Tolerance): ReproCheck[] => {
  const a = historyRows(source.analysis.history);
  const b = historyRows(reproduced.analysis.history);
  const keys = [...new Set(a.flatMap((row) => Object.keys(row)))].filter((key) => key !== 'epoch');
  return keys.map((key): ReproCheck => {
    const name = `${key} (${a.length} epochs)`;
    if (b.length !== a.length) return { kind: 'history', name, status: 'diverged', source: a.length, reproduced: b.length, detail: `${a.length} epochs recorded, ${b.length} reproduced` };
    let status: CheckStatus = 'identical';
    let worst = { epoch: 0, difference: 0 };
    a.forEach((row, index) => {
      const x = row[key];
      const y = b[index][key];
      const here = x === undefined || y === undefined ? (x === y ? 'identical' : 'missing') : numberStatus(x, y, tolerance);
      const rank = ['identical', 'within tolerance', 'diverged', 'missing'];
      if (rank.indexOf(here) > rank.indexOf(status)) status = here;
      const difference = x === undefined || y === undefined ? Infinity : relativeDifference(x, y);
      if (difference > worst.difference) worst = { epoch: row.epoch, difference };
    });
    const detail = status === 'identical' ? undefined : `largest relative difference ${worst.difference} at epoch ${worst.epoch}`;
    return { kind: 'history', name, status, source: null, reproduced: null, ...(detail ? { detail } : {}) };
  });
};

const numberChecks = (
  kind: 'metric' | 'result',
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
  definitions: MetricDefinitions,
  tolerance: Tolerance,
): ReproCheck[] =>
  Object.entries(a).map(([key, value]): ReproCheck => {
    const again = Object.hasOwn(b, key) ? b[key] : null;
    const status: CheckStatus = notReproducible(definitions, key) ? 'not reproducible by definition' : again === null ? 'missing' : numberStatus(value, again, tolerance);
    return { kind, name: key, status, source: value, reproduced: again };
  });

/** Set the reproduction against the source run: outputs and data byte for byte, history, metrics and results number by number. */
export const checkReproduction = (source: RunDocs, reproduced: RunDocs, tolerance: Tolerance): ReproCheck[] => [
  ...outputChecks(source, reproduced),
  ...dataChecks(source, reproduced),
  ...historyChecks(source, reproduced, tolerance),
  ...numberChecks('metric', source.summary.metrics, reproduced.summary.metrics, source.summary.metric_definitions, tolerance),
  ...numberChecks('result', source.analysis.results, reproduced.analysis.results, source.summary.metric_definitions, tolerance),
];

/** A reproduction fails when anything that should come back (bitwise, or within tolerance for numbers) did not. */
export const reproductionFailed = (checks: readonly ReproCheck[]): boolean => checks.some((check) => check.status === 'diverged' || check.status === 'missing');
