import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, readJson } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { runDirOf, scaffoldProject, verifyTag } from '../helpers/project.js';
import { writeTrialScript } from '../helpers/sweep.js';

describe('yo dl-lab:sweep (yeoman-test)', function () {
  this.timeout(120_000);
  let root: string;
  before(async () => {
    root = await scaffoldProject({ name: 'gen-sweep' });
  });
  after(cleanupTempDirs);

  it('runs a demo sweep in the generator lifecycle (camelCase options as yo passes them)', async () => {
    await runGenerator('sweep', { cwd: root, args: ['g'], options: { seeds: '0,5', grid: ['model.hidden=8,4'], jobs: 2, quiet: true } });
    const tags = readdirSync(join(root, 'artifacts/runs')).filter((name) => name.startsWith('g-')).sort();
    assert.deepEqual(tags, ['g-hidden4-s0', 'g-hidden4-s5', 'g-hidden8-s0', 'g-hidden8-s5']);
    for (const tag of tags) assert.deepEqual((await verifyTag(root, tag)).problems, [], tag);
    assert.equal(readJson(join(runDirOf(root, 'g-hidden4-s5'), 'manifest.json')).hyperparameters.model.hidden, 4);
  });

  it('takes the trial command after `--` among its arguments', async () => {
    const script = writeTrialScript(root);
    await runGenerator('sweep', { cwd: root, args: ['gc', '--', process.execPath, script, '{seed}', '{out}'], options: { seeds: '2', quiet: true } });
    assert.deepEqual(readJson(join(runDirOf(root, 'gc-base-s2'), 'analysis.json')).results, { accuracy: 0.92 });
    assert.deepEqual(readJson(join(root, 'artifacts/experiments/gc/plan.json')).command, [process.execPath, script, '{seed}', '{out}']);
  });
});
