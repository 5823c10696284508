import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stand-in training script for sweep tests (Node, so no Python is needed): `node trial.mjs
 * <seed> <out> <mode>` writes <out>/metrics.json and a checkpoint, or fails as `mode` says —
 * `exit3` on seed 1, `bad-metrics` on seed 1 (exit 0, metrics without definitions),
 * `crash-after-metrics` on seed 1 (writes its metrics and checkpoint, then exits 3), `sleep`
 * (writes <out>/pid whole, by a rename, so a test never reads it empty; then waits 60 s; a new
 * attempt after an interrupted one, DL_LAB_TRIAL `<tag>.r2`…, trains at once), `sigterm`: seed 1 dies
 * of a SIGTERM it sends itself (no handler, as a plain script dies of Slurm's), `unclosed-logs`:
 * seed 1 gets a SIGTERM and handles it as dl_lab_log does (its metrics file says "interrupted",
 * then exit 143 = 128 + 15), seed 2 exits 3 with its metrics file still "running" (a log never
 * closed), `ckpt-outside`: the checkpoint is written to <cwd>/tmp/outside-<seed>.bin, not into <out>.
 */
export const TRIAL_SCRIPT = `
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const [seed, out, mode] = [Number(process.argv[2]), process.argv[3], process.argv[4] ?? 'ok'];
console.log('training seed ' + seed);
if (mode === 'sleep' && !/[.]r[0-9]+$/.test(process.env.DL_LAB_TRIAL ?? '')) { writeFileSync(join(out, 'pid.part'), String(process.pid)); renameSync(join(out, 'pid.part'), join(out, 'pid')); setTimeout(() => {}, 60000); }
else if (mode === 'sigterm' && seed === 1) { process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 60000); }
else if (mode === 'exit3' && seed === 1) { console.error('RuntimeError: loss diverged at epoch 7'); process.exit(3); }
else {
  const accuracy = 0.9 + seed / 100;
  const metrics = {
    metrics: { accuracy }, primary_metric: 'accuracy', results: { accuracy },
    metric_definitions: mode === 'bad-metrics' && seed === 1 ? {} : { accuracy: { definition: 'test accuracy', unit: 'fraction', higher_is_better: true } },
    history: [{ epoch: 1, accuracy: 0.5 }, { epoch: 2, accuracy }],
    best_checkpoint: { path: 'best.bin', selected_by: 'accuracy', epoch: 2, metric_value: accuracy },
  };
  if (mode === 'ckpt-outside') {
    mkdirSync('tmp', { recursive: true });
    metrics.best_checkpoint.path = join(process.cwd(), 'tmp', 'outside-' + seed + '.bin');
  }
  writeFileSync(mode === 'ckpt-outside' ? metrics.best_checkpoint.path : join(out, 'best.bin'), Buffer.alloc(64, seed));
  if (mode === 'unclosed-logs' && seed === 1) {
    process.on('SIGTERM', () => {
      writeFileSync(join(out, 'metrics.json'), JSON.stringify({ ...metrics, status: 'interrupted', status_reason: 'SIGTERM (terminated)' }));
      console.error('dl_lab_log: interrupted by SIGTERM');
      process.exit(143);
    });
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => {}, 60000);
  } else {
    writeFileSync(join(out, 'metrics.json'), JSON.stringify(mode === 'unclosed-logs' && seed === 2 ? { ...metrics, status: 'running' } : metrics));
    if (mode === 'crash-after-metrics' && seed === 1) { console.error('RuntimeError: CUDA out of memory'); process.exit(3); }
    if (mode === 'unclosed-logs' && seed === 2) { console.error('Segmentation fault'); process.exit(3); }
  }
}
`;

export const writeTrialScript = (root: string): string => {
  writeFileSync(join(root, 'trial.mjs'), TRIAL_SCRIPT);
  return 'trial.mjs';
};
