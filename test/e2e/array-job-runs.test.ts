import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCli } from '../helpers/cli-async.js';
import { cleanupTempDirs, readJson } from '../helpers/fs.js';
import { assertVerifies, runDirOf, scaffoldProject } from '../helpers/project.js';

// No training, no PyTorch: what is tested is the array's tasks sealing their runs into one project at once.
describe('simulated Slurm array: 32 concurrent `dl-lab run` processes write into one project', function () {
  this.timeout(300_000); // ~25 s on 2 idle cores: 32 Node processes at ~1.3 s of CPU each
  after(cleanupTempDirs);

  it('gives 32 valid runs, no collision, each recording its own array task id and numbers', async () => {
    const root = await scaffoldProject({ name: 'array-job' });
    const tasks = Array.from({ length: 32 }, (_, task) => task);
    for (const task of tasks) {
      const out = join(root, 'tmp', `slurm-777_${task}`);
      mkdirSync(out, { recursive: true });
      const metrics = {
        metrics: { val_accuracy: task / 100, task },
        metric_definitions: {
          val_accuracy: { definition: 'Validation accuracy', unit: 'fraction', higher_is_better: true },
          task: { definition: 'Slurm array task id', unit: 'index', higher_is_better: false },
        },
        primary_metric: 'val_accuracy',
        results: { val_accuracy: task / 100 },
        best_checkpoint: { path: 'best.pt', selected_by: 'val_accuracy', epoch: 2, metric_value: task / 100 },
        history: [{ epoch: 1, val_accuracy: 0 }, { epoch: 2, val_accuracy: task / 100 }],
      };
      writeFileSync(join(out, 'metrics.json'), JSON.stringify(metrics));
      writeFileSync(join(out, 'best.pt'), `weights of task ${task}`);
    }
    const tag = (task: number) => `seed${task}-777`;
    const results = await Promise.all(
      tasks.map(
        (task) =>
          startCli(['run', tag(task), '--metrics', `tmp/slurm-777_${task}/metrics.json`, '--quiet'], {
            cwd: root,
            env: { SLURM_JOB_ID: String(1000 + task), SLURM_ARRAY_JOB_ID: '777', SLURM_ARRAY_TASK_ID: String(task), SLURM_ARRAY_TASK_COUNT: '32' },
          }).done,
      ),
    );
    results.forEach((result, task) => assert.equal(result.status, 0, `task ${task}: ${result.stderr}`));
    assert.deepEqual(readdirSync(join(root, 'artifacts/runs')).filter((entry) => entry !== 'README.md').sort(), tasks.map(tag).sort(), 'one folder per task, no staging left');
    for (const task of tasks) {
      const dir = runDirOf(root, tag(task));
      const manifest = readJson(join(dir, 'manifest.json'));
      assert.equal(manifest.tag, tag(task));
      assert.equal(manifest.environment.cluster.slurm.array_task_id, String(task));
      assert.equal(manifest.environment.cluster.slurm.job_id, String(1000 + task));
      assert.equal(manifest.environment.cluster.variables.SLURM_ARRAY_JOB_ID, '777');
      assert.equal(manifest.code.git.dirty, false, `task ${task}: the other tasks' runs do not dirty the tree`);
      assert.equal(readJson(join(dir, 'summary.json')).metrics.task, task);
      assert.equal(readFileSync(join(dir, 'checkpoints/best.pt'), 'utf8'), `weights of task ${task}`);
    }
    assertVerifies(root, tasks.map(tag));
  });
});
