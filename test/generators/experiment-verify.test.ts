import assert from 'node:assert/strict';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { runDirOf, scaffoldProject, verifyTag } from '../helpers/project.js';
import { captureOutput, tamperRunFile } from '../helpers/runs.js';
import { resealRun, sealTrial, writePlan } from '../helpers/experiments.js';
import { formatViolation } from '../../core/contract/validate.js';
import { stringifyJson } from '../../core/json-file.js';
import { TABLE_ANALYSIS_BYTES } from '../../core/run/analysis-document.js';
import { collectReportRuns } from '../../core/report/report-data.js';
import { verifyEachRun } from '../../core/verify/verify-each-run.js';
import { listRunTags, verifyProject } from '../../core/verify/verify-project.js';
import { verifyRun } from '../../core/verify/verify-run.js';

/** verify on experiment records: the members must be there, verified, with the recorded seals; every statistic must recompute. */
describe('dl-lab verify on experiment records', () => {
  let root: string;
  let experiment = 0;

  /** A fresh experiment of three seeds, aggregated; returns its name. `steps`: the members' history, when not the 3-epoch one. */
  const aggregated = async (steps?: number): Promise<string> => {
    const name = `exp${experiment++}`;
    writePlan(root, name, { base: {} }, [0, 1, 2]);
    for (const [seed, accuracy] of [0.91, 0.93, 0.95].entries()) {
      const history = steps === undefined ? undefined : Array.from({ length: steps }, (_, epoch) => ({ epoch, val_accuracy: accuracy - 1 / (epoch + 2) + seed * 1e-3 }));
      await sealTrial(root, name, { variant: 'base', seed, accuracy, ...(history && { changes: { history } }) });
    }
    await captureOutput(() => runGenerator('aggregate', { cwd: root, args: [name] }));
    assert.equal((await verifyTag(root, name)).ok, true);
    return name;
  };
  const problems = async (tag: string): Promise<string[]> => (await verifyTag(root, tag)).problems.map(formatViolation);

  before(async () => {
    root = await scaffoldProject();
  });
  after(cleanupTempDirs);

  it('a member run removed: the record fails, naming it; dl-lab verify exits with the error', async () => {
    const name = await aggregated();
    rmSync(runDirOf(root, `${name}-base-s1`), { recursive: true, force: true });
    assert.deepEqual(await problems(name), [`artifacts/runs/${name}/experiment.json: /members/1: member run artifacts/runs/${name}-base-s1 does not exist (removed?)`]);
    await assert.rejects(captureOutput(() => runGenerator('verify', { cwd: root, args: [name] })), /1 run\(s\) failed verification: exp0\n {2}- artifacts\/runs\/exp0\/experiment\.json: \/members\/1: member run/);
  });

  it('a member run altered: the record fails because the member fails verification', async () => {
    const name = await aggregated();
    tamperRunFile(root, `${name}-base-s2`, 'analysis.json', (text) => text.replace('0.95', '0.99'));
    const [problem] = await problems(name);
    assert.match(problem, new RegExp(`^artifacts/runs/${name}/experiment\\.json: /members/2: member run ${name}-base-s2 fails verification: artifacts/runs/${name}-base-s2/analysis\\.json: sha256 `));
  });

  it('a member run altered and re-sealed: its seal no longer matches the recorded one', async () => {
    const name = await aggregated();
    tamperRunFile(root, `${name}-base-s0`, 'analysis.json', (text) => text.replace('0.91', '0.97'));
    resealRun(root, `${name}-base-s0`);
    assert.equal((await verifyTag(root, `${name}-base-s0`)).ok, true);
    assert.match((await problems(name))[0], new RegExp(`/members/0/seal: member run ${name}-base-s0 has seal [0-9a-f]{12}…, not the recorded [0-9a-f]{12}… \\(re-sealed since\\?\\)$`));
  });

  it('a statistic edited: the byte check fails; edited and re-sealed, the statistic does not recompute', async () => {
    const name = await aggregated();
    tamperRunFile(root, name, 'experiment.json', (text) => text.replace(/"mean": 0\.93\d*/, '"mean": 0.95'));
    assert.match((await problems(name))[0], new RegExp(`^artifacts/runs/${name}/experiment\\.json: sha256 `));
    resealRun(root, name);
    assert.deepEqual(await problems(name), [
      `artifacts/runs/${name}/experiment.json: /statistics/base/val_accuracy/mean: 0.95 does not recompute from the member runs (they give 0.93)`,
    ]);

    const other = await aggregated();
    tamperRunFile(root, other, 'analysis.json', (text) => text.replace(/("base\.val_accuracy\.std": )[0-9.e-]+/, '$10.001'));
    resealRun(root, other);
    assert.match((await problems(other))[0], new RegExp(`^artifacts/runs/${other}/analysis\\.json: /results/base\\.val_accuracy\\.std: 0\\.001 does not recompute from the member runs \\(they give 0\\.0199`));
  });

  it('verify of a project and the report verify each member once, within its record, with what verifying it alone gives', async () => {
    const project = await scaffoldProject();
    const name = 'once';
    writePlan(project, name, { base: {} }, [0, 1, 2]);
    for (const [seed, accuracy] of [0.91, 0.93, 0.95].entries()) await sealTrial(project, name, { variant: 'base', seed, accuracy });
    await captureOutput(() => runGenerator('aggregate', { cwd: project, args: [name] }));
    await sealTrial(project, 'other', { variant: 'base', seed: 0 }); // a run of no record
    tamperRunFile(project, `${name}-base-s2`, 'summary.json', (text) => text.replace('0.95', '0.96'));
    const tags = await listRunTags(project);
    assert.deepEqual(tags, [name, `${name}-base-s0`, `${name}-base-s1`, `${name}-base-s2`, 'other-base-s0']);
    const alone = await Promise.all(tags.map((tag) => verifyRun(project, runDirOf(project, tag))));
    assert.deepEqual(alone.map((run) => run.ok), [false, true, true, false, true]);

    const told: number[] = [];
    const verified = new Array(tags.length);
    const verifications = await verifyEachRun(project, tags.map((tag) => runDirOf(project, tag)), (index, verification) => {
      told.push(index);
      verified[index] = verification;
    });
    assert.equal(verifications, 5, 'the record, its 3 members within it, the other run (8 before: each member a second time)');
    assert.deepEqual([...told].sort(), [0, 1, 2, 3, 4], 'each run told once');
    assert.deepEqual(verified, alone);
    assert.deepEqual((await verifyProject(project)).runs, alone.map((run, index) => ({ tag: tags[index], ...run })));
    const report = await collectReportRuns(project);
    assert.deepEqual(
      report.map(({ run }) => [run.tag, run.verify.ok, run.group]).sort(),
      [[name, false, name], [`${name}-base-s0`, true, name], [`${name}-base-s1`, true, name], [`${name}-base-s2`, false, name], ['other-base-s0', true, 'other-base']],
    );
  });

  it('a mean-history value edited and re-sealed: the problem names the step and the column, not the whole history', async () => {
    const name = await aggregated();
    let recorded = '';
    tamperRunFile(root, name, 'analysis.json', (text) => {
      const history = text.indexOf('"history"');
      const at = text.indexOf('"base.val_accuracy.mean": ', history);
      const end = text.indexOf(',', at);
      recorded = text.slice(at + '"base.val_accuracy.mean": '.length, end);
      return `${text.slice(0, at)}"base.val_accuracy.mean": 0.5${text.slice(end)}`;
    });
    resealRun(root, name);
    assert.deepEqual(await problems(name), [`artifacts/runs/${name}/analysis.json: /history/0/base.val_accuracy.mean: 0.5 does not recompute from the member runs (they give ${recorded})`]);
  });

  it('a record of 12,000-step members (the record read as a table): an edit past the first rows compared at once, and a removed last step, are named by their step', async () => {
    const name = await aggregated(12_000);
    assert.ok(statSync(join(runDirOf(root, name), 'analysis.json')).size >= TABLE_ANALYSIS_BYTES, 'the record is read as a table');
    assert.ok(statSync(join(runDirOf(root, `${name}-base-s0`), 'analysis.json')).size < TABLE_ANALYSIS_BYTES, 'its members as rows');
    const edit = (change: (history: Array<Record<string, number>>) => void): void =>
      tamperRunFile(root, name, 'analysis.json', (text) => {
        const analysis = JSON.parse(text);
        change(analysis.history);
        return stringifyJson(analysis);
      });
    let recorded = 0;
    edit((history) => {
      recorded = history[5000]['base.val_accuracy.mean'];
      history[5000]['base.val_accuracy.mean'] = 0.5;
    });
    resealRun(root, name);
    assert.deepEqual(await problems(name), [`artifacts/runs/${name}/analysis.json: /history/5000/base.val_accuracy.mean: 0.5 does not recompute from the member runs (they give ${recorded})`]);
    edit((history) => {
      history[5000]['base.val_accuracy.mean'] = recorded;
      history.pop();
    });
    resealRun(root, name);
    assert.match((await problems(name))[0], new RegExp(`^artifacts/runs/${name}/analysis\\.json: /history/11999: absent does not recompute from the member runs \\(they give \\{"epoch":11999,"base\\.val_accuracy\\.mean":`));
  });
});
