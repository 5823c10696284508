import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
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

  it('refuses words after NAME that are not after `--` (yo drops the `--`: the command must not silently become the demo)', async () => {
    // What yo hands the generator for `yo dl-lab:sweep gy --seeds 0 -- python3 train.py {out}`: the `--` is gone.
    await assert.rejects(runGenerator('sweep', { cwd: root, args: ['gy', 'python3', 'train.py', '{out}'], options: { seeds: '0', quiet: true } }), {
      name: 'UserError',
      message: 'unexpected arguments after NAME: python3 train.py {out}; a trial command goes after `--` (dl-lab sweep NAME [options] -- <command>; yo removes the `--`, so run sweeps with a command through dl-lab)',
    });
    assert.equal(existsSync(join(root, 'artifacts/experiments/gy')), false);
  });
});
