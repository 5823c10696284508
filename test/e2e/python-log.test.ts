import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadMetricsInput } from '../../core/metrics-input.js';
import { pythonPackageName } from '../../core/scaffold/framework.js';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { runDirOf } from '../helpers/project.js';
import { noPythonMessage, pythonWith, runPython, startPython, type Python } from '../helpers/python.js';
import { requirePart } from '../helpers/requirement.js';

const MODULES = ['torch', 'numpy', 'jsonschema'];
const NAME = 'log-torch';
const PACKAGE = pythonPackageName(NAME);

/** Deterministic "random" kill moments (a seeded LCG), so a failure can be replayed. */
const randomFractions = (count: number, seed: number): number[] => {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  });
};

const waitFor = async (condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
};

const historyLines = (file: string): number => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0);

describe('dl_lab_log.py: the scaffolded train.py keeps its metrics file valid as it trains', function () {
  this.timeout(900_000); // 20 killed trainings + 20 seals on 2 shared cores
  let python: Python | undefined;
  let root: string;

  before(function () {
    python = pythonWith(MODULES);
    requirePart(this, python !== undefined, noPythonMessage(MODULES));
    root = join(tempDir('dl-lab-log-'), NAME);
    const app = runCli(['--name', NAME, '--out', root, '--yes'], { cwd: tempDir() });
    assert.equal(app.status, 0, app.stderr);
  });
  after(cleanupTempDirs);

  const seal = (tag: string, metrics: string, extra: string[] = []) => {
    const sealed = runCli(['run', tag, '--metrics', metrics, '--quiet', ...extra], { cwd: root });
    assert.equal(sealed.status, 0, `${tag}: ${sealed.stderr}`);
    return readJson(join(runDirOf(root, tag), 'summary.json'));
  };

  it('a completed training: status "completed", the history in metrics.history.jsonl, sealed and verified', () => {
    const trained = runPython(python!, ['train.py', '--out', 'tmp/run'], { cwd: root });
    assert.equal(trained.status, 0, trained.stderr);
    assert.deepEqual(readdirSync(join(root, 'tmp/run')).sort(), ['best.pt', 'config.json', 'metrics.history.jsonl', 'metrics.json']);
    const { input } = loadMetricsInput(join(root, 'tmp/run/metrics.json'));
    assert.equal(input.status, 'completed');
    assert.equal(input.history?.length, 40);
    const summary = seal('M1', 'tmp/run/metrics.json', ['--checkpoint', 'tmp/run/best.pt']);
    assert.equal(summary.status, undefined, 'a completed run keeps the 1.0 shape');
    assert.deepEqual(readJson(join(runDirOf(root, 'M1'), 'analysis.json')).history, input.history);
  });

  it('SIGKILL at 20 random moments: every metrics file on disk parses and validates, and dl-lab run seals it', async () => {
    // How long training writes the log, measured here: kill moments are spread over it (and a little past it).
    const reference = startPython(python!, ['train.py', '--out', 'tmp/kill-reference'], { cwd: root });
    await waitFor(() => existsSync(join(root, 'tmp/kill-reference/metrics.json')), 'the reference log');
    const opened = Date.now();
    assert.equal((await reference.done).status, 0);
    const window = Date.now() - opened;

    const seen = { running: 0, completed: 0, history: new Set<number>() };
    for (const [index, fraction] of randomFractions(20, 16).entries()) {
      const out = `tmp/kill-${index}`;
      const training = startPython(python!, ['train.py', '--out', out], { cwd: root });
      await waitFor(() => existsSync(join(root, out, 'metrics.json')), `${out}/metrics.json`);
      await sleep(Math.round(fraction * window * 1.1));
      training.child.kill('SIGKILL');
      await training.done;

      const label = `${out}/metrics.json (killed ${Math.round(fraction * window * 1.1)} ms after the log opened)`;
      const { input } = loadMetricsInput(join(root, out, 'metrics.json'), label); // parses, validates, history committed intact
      assert.ok(input.status === 'running' || input.status === 'completed', `${label}: status ${input.status}`);
      seen[input.status === 'running' ? 'running' : 'completed']++;
      seen.history.add(input.history?.length ?? 0);
      const summary = seal(`killed-${index}`, `${out}/metrics.json`);
      assert.deepEqual(
        [summary.status, summary.status_reason],
        input.status === 'running' ? ['interrupted', 'the log was never closed'] : [undefined, undefined],
        label,
      );
      assert.equal(readJson(join(runDirOf(root, `killed-${index}`), 'analysis.json')).history.length, input.history?.length ?? 0);
    }
    assert.ok(seen.running >= 10, `most kills land during training (${seen.running} running, ${seen.completed} completed)`);
    assert.ok(seen.history.size >= 5, `the kills land at different epochs: ${[...seen.history].sort((a, b) => a - b).join(', ')}`);
    const verify = runCli(['verify'], { cwd: root });
    assert.equal(verify.status, 0, verify.stdout);
  });

  it('SIGTERM (Slurm\'s time limit) marks the run interrupted, exits 143, and it seals as interrupted', async () => {
    const training = startPython(python!, ['train.py', '--out', 'tmp/term'], { cwd: root });
    await waitFor(() => historyLines(join(root, 'tmp/term/metrics.history.jsonl')) >= 3, 'three epochs');
    training.child.kill('SIGTERM');
    const { status } = await training.done;
    assert.equal(status, 143);
    const { input } = loadMetricsInput(join(root, 'tmp/term/metrics.json'));
    assert.equal(input.status, 'interrupted');
    assert.match(input.status_reason ?? '', /^SIGTERM \(terminated: Slurm's time limit, scancel or kill\)$/);
    assert.ok((input.history?.length ?? 0) >= 3);
    const summary = seal('terminated', 'tmp/term/metrics.json');
    assert.deepEqual([summary.status, summary.status_reason], ['interrupted', input.status_reason]);
  });

  it('an exception (training diverges: the logger refuses Infinity) marks the run failed with its message; paper and check-paper refuse it by name', () => {
    const config = readJson(join(root, 'configs/default.json'));
    config.training.lr = 1e38;
    mkdirSync(join(root, 'tmp'), { recursive: true });
    writeFileSync(join(root, 'tmp/diverge.json'), JSON.stringify(config));
    const trained = runPython(python!, ['train.py', '--config', 'tmp/diverge.json', '--out', 'tmp/diverged'], { cwd: root });
    assert.equal(trained.status, 1);
    assert.match(trained.stderr, /ValueError: dl_lab_log: train_loss is (inf|nan) \(JSON has no NaN or Infinity; did training diverge\?\)/);
    const summary = seal('diverged', 'tmp/diverged/metrics.json');
    assert.equal(summary.status, 'failed');
    assert.match(summary.status_reason, /^ValueError: dl_lab_log: train_loss is (inf|nan) \(JSON has no NaN or Infinity; did training diverge\?\)$/);

    const paper = runCli(['paper', 'diverged'], { cwd: root });
    assert.equal(paper.status, 1);
    assert.match(paper.stderr, /run diverged did not complete: it is failed \(ValueError: dl_lab_log: train_loss is/);
    assert.ok(!existsSync(join(root, 'paper')), 'nothing written');
    writeFileSync(join(root, 'draft.md'), '# Results\n\nTest accuracy: \\dlresult{diverged}{test_accuracy}.\n');
    const check = runCli(['check-paper', 'draft.md'], { cwd: root });
    assert.equal(check.status, 1);
    assert.match(check.stderr, /draft\.md:3:\d+: not-completed-run: run diverged did not complete: it is failed/);
  });

  it('resumed_from(tag, checkpoint) links the new run to its parent; verify checks the link', () => {
    const script = [
      'import sys',
      `from ${PACKAGE} import dl_lab_log as dl`,
      'with dl.start("tmp/resume/metrics.json"):',
      '    dl.define("val_loss", "Mean BCE on the validation split.", "nats", higher_is_better=False, display_digits=3)',
      '    dl.primary("val_loss")',
      '    dl.resumed_from("M1", "artifacts/runs/M1/checkpoints/best.pt")',
      '    dl.log(41, val_loss=0.09)',
      '    dl.result("val_loss", 0.09)',
    ].join('\n');
    const resumed = runPython(python!, ['-c', script], { cwd: root, env: { PYTHONPATH: 'src' } });
    assert.equal(resumed.status, 0, resumed.stderr);
    seal('M1-resumed', 'tmp/resume/metrics.json');
    const parent = readJson(join(runDirOf(root, 'M1'), 'manifest.json'));
    const checkpoint = parent.outputs.find((output: { role: string }) => output.role === 'checkpoint');
    assert.deepEqual(readJson(join(runDirOf(root, 'M1-resumed'), 'manifest.json')).parent, { tag: 'M1', seal: parent.seal.digest, checkpoint_sha256: checkpoint.sha256 });
    const verify = runCli(['verify', 'M1-resumed'], { cwd: root });
    assert.equal(verify.status, 0, verify.stdout);
  });

  it('torchrun with 2 CPU processes (gloo): one metrics file, written by rank 0 only', () => {
    const launched = runPython(python!, ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '--redirects', '1', '--tee', '1', 'train.py', '--out', 'tmp/ddp'], { cwd: root });
    assert.equal(launched.status, 0, launched.stderr);
    assert.deepEqual(readdirSync(join(root, 'tmp/ddp')).sort(), ['best.pt', 'config.json', 'metrics.history.jsonl', 'metrics.json']);
    const { input } = loadMetricsInput(join(root, 'tmp/ddp/metrics.json'));
    assert.deepEqual(input.history?.map((entry) => entry.epoch), Array.from({ length: 40 }, (_, i) => i + 1), 'each epoch logged once');
    assert.match(input.notes ?? '', /world size 2/);
    seal('M2-ddp', 'tmp/ddp/metrics.json');

    // Each rank logs its own rank: only rank 0's value reaches the file.
    const script = [
      'import os, torch.distributed as dist',
      `from ${PACKAGE} import dl_lab_log as dl`,
      'dist.init_process_group("gloo")',
      'with dl.start("tmp/ranks/metrics.json"):',
      '    dl.define("rank", "Global rank of the process that wrote this entry.", "index", higher_is_better=False, display_digits=0)',
      '    dl.primary("rank")',
      '    dl.log(0, rank=int(os.environ["RANK"]))',
      '    dist.barrier()',
      'dist.destroy_process_group()',
    ].join('\n');
    writeFileSync(join(root, 'tmp/ranks.py'), `${script}\n`);
    const ranks = runPython(python!, ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '--redirects', '1', '--tee', '1', 'tmp/ranks.py'], { cwd: root, env: { PYTHONPATH: 'src' } });
    assert.equal(ranks.status, 0, ranks.stderr);
    assert.equal(readFileSync(join(root, 'tmp/ranks/metrics.history.jsonl'), 'utf8'), '{"epoch":0,"rank":0}\n');
    const head = readJson(join(root, 'tmp/ranks/metrics.json'));
    assert.deepEqual(head.metrics, { rank: 0 });
    assert.equal(head.history_file.sha256, createHash('sha256').update('{"epoch":0,"rank":0}\n').digest('hex'));
  });

  it('without torchrun, Slurm\'s SLURM_PROCID picks the writer: task 1 writes nothing', () => {
    const script = `from ${PACKAGE} import dl_lab_log as dl\nwith dl.start("tmp/task1/metrics.json"):\n    dl.define("x", "A number.", "1", True)\n    dl.primary("x")\n    dl.log(1, x=1.0)\n`;
    const env = { PYTHONPATH: 'src', SLURM_PROCID: '1', RANK: '' };
    const task = runPython(python!, ['-c', script], { cwd: root, env });
    assert.equal(task.status, 0, task.stderr);
    assert.equal(existsSync(join(root, 'tmp/task1')), false);
  });
});
