import assert from 'node:assert/strict';
import type { MemberData } from '../../core/experiments/members.js';
import { historyColumns } from '../../core/experiments/mean-history.js';
import { recordDocuments } from '../../core/experiments/record.js';
import { parseExperimentKey } from '../../core/experiments/result-keys.js';
import { summarize } from '../../core/experiments/statistics.js';
import { schemaViolations } from '../../core/contract/validate.js';
import type { RunSummary } from '../../core/contract/generated/summary.js';

const ACC = { definition: 'Test accuracy', unit: 'fraction', higher_is_better: true, display_digits: 3 };

/** A member as loadMember returns it: completed ones with their documents, others without numbers. */
const member = (variant: string, seed: number, status: 'completed' | 'failed' | 'interrupted' | 'missing', accuracy?: number, changes: Partial<RunSummary> = {}): MemberData => {
  const tag = `e-${variant}-s${seed}`;
  const base = { member: { tag, seal: status === 'missing' ? null : 'a'.repeat(64), variant, seed, status, exit_status: status === 'failed' ? 1 : status === 'missing' ? null : 0, ...(status === 'failed' ? { status_reason: 'exit status 1' } : {}) }, demo: false };
  if (status === 'missing') return base;
  const results: Record<string, number> = accuracy === undefined ? {} : { acc: accuracy };
  return {
    ...base,
    summary: { schema_version: '1.1', tag, demo: false, metrics: results, metric_definitions: { acc: ACC }, primary_metric: 'acc', best_checkpoint: { path: null, selected_by: 'acc', epoch: null, metric_value: null }, ...changes },
    analysis: { results, history: historyColumns([{ epoch: 1, acc: (accuracy ?? 0) - 0.1 }, { epoch: 2, acc: accuracy ?? 0 }]) },
  };
};
const inputs = (members: MemberData[]) => ({ name: 'e', tag: 'e', version: 1, previousVersion: null, planSha256: null, members, variants: { a: { overrides: {} }, b: { overrides: { lr: 0.1 } } } });

describe('experiment records (core/experiments/record.ts)', () => {
  it('pools only completed members; failed, interrupted and missing ones are listed with their exit status, never pooled', () => {
    const docs = recordDocuments(inputs([member('a', 0, 'completed', 0.9), member('a', 1, 'failed'), member('a', 2, 'completed', 0.94), member('b', 0, 'interrupted', 0.5), member('b', 1, 'missing')]));
    assert.deepEqual(schemaViolations('experiment', docs.experiment, 'experiment.json'), []);
    assert.deepEqual(docs.experiment.statistics, { a: { acc: summarize([0.9, 0.94]) }, b: {} });
    assert.deepEqual(docs.experiment.members.map((m) => [m.tag, m.status, m.exit_status]), [
      ['e-a-s0', 'completed', 0], ['e-a-s1', 'failed', 1], ['e-a-s2', 'completed', 0], ['e-b-s0', 'interrupted', 0], ['e-b-s1', 'missing', null],
    ]);
    assert.equal(docs.experiment.members[1].status_reason, 'exit status 1');
    assert.deepEqual(docs.summary.metrics, { members_total: 5, members_completed: 2, ...docs.analysis.results });
    assert.equal(docs.summary.primary_metric, 'a.acc.mean');
    assert.equal(docs.analysis.results['a.acc.n'], 2);
    assert.deepEqual(docs.analysis.history.toJSON(), [
      { epoch: 1, 'a.acc.mean': summarize([0.8, 0.84]).mean, 'a.acc.std': summarize([0.8, 0.84]).std! },
      { epoch: 2, 'a.acc.mean': summarize([0.9, 0.94]).mean, 'a.acc.std': summarize([0.9, 0.94]).std! },
    ]);
    assert.deepEqual(docs.analysis.uncertainty?.t_quantiles.map((q) => q.df), [1]);
  });

  it('a single completed seed: mean, median, min, max and n only (no spread keys, no t quantile); no completed member: the member count is primary', () => {
    const one = recordDocuments(inputs([member('a', 0, 'completed', 0.9)]));
    assert.deepEqual(Object.keys(one.analysis.results).sort(), ['a.acc.max', 'a.acc.mean', 'a.acc.median', 'a.acc.min', 'a.acc.n']);
    assert.deepEqual(one.analysis.uncertainty?.t_quantiles, []);
    const none = recordDocuments(inputs([member('a', 0, 'failed'), member('b', 0, 'missing')]));
    assert.equal(none.summary.primary_metric, 'members_completed');
    assert.deepEqual(none.analysis.results, {});
  });

  it('refuses to pool a result the members define differently, or members that rank by different primary metrics', () => {
    assert.throws(
      () => recordDocuments(inputs([member('a', 0, 'completed', 0.9), member('a', 1, 'completed', 0.9, { metric_definitions: { acc: { ...ACC, unit: 'percent' } } })])),
      /artifacts\/runs\/e-a-s1\/summary\.json defines 'acc' differently from artifacts\/runs\/e-a-s0: its values cannot be pooled/,
    );
    const other = member('a', 1, 'completed', 0.9);
    other.summary = { ...other.summary!, primary_metric: 'loss', metric_definitions: { acc: ACC, loss: ACC } };
    assert.throws(() => recordDocuments(inputs([member('a', 0, 'completed', 0.9), other])), /the member runs rank by different primary metrics \(acc, loss\)/);
  });

  it('splits a citable key back into variant, result key and statistic, with dots in both', () => {
    assert.deepEqual(parseExperimentKey('lr0.1.val.acc.ci95_low', ['lr0.1', 'lr0.01']), { variant: 'lr0.1', key: 'val.acc', stat: 'ci95_low' });
    assert.deepEqual(parseExperimentKey('base.acc.bootstrap_ci95_high', ['base']), { variant: 'base', key: 'acc', stat: 'bootstrap_ci95_high' });
    assert.equal(parseExperimentKey('base.acc.p99', ['base']), undefined);
  });
});
