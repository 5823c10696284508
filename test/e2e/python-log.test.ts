import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadMetricsInput } from '../../core/metrics-input.js';
import { pythonPackageName } from '../../core/scaffold/framework.js';
import { CLI, runCli } from '../helpers/cli.js';
import { mapLimit, startCli } from '../helpers/cli-async.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { runDirOf } from '../helpers/project.js';
import { PYTHON_ENV, noPythonMessage, pythonWith, runPython, startPython, type Python } from '../helpers/python.js';
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
    assert.deepEqual(readJson(join(runDirOf(root, 'M1'), 'analysis.json')).history, input.history?.toJSON());
  });

  it('SIGKILL at 20 random moments: every metrics file on disk parses and validates, and dl-lab run seals it', async () => {
    // A moment = a random epoch to reach (-1: as soon as the log exists; 40: training's end) plus a random
    // part of an epoch: spread over the whole training whatever the machine's load makes an epoch cost.
    const seen = { running: 0, completed: 0, history: new Set<number>() };
    // Two trainings at a time (each is mostly PyTorch's import and a wait): half the wall time.
    await mapLimit(randomFractions(20, 1), 2, async (fraction, index) => {
      const out = `tmp/kill-${index}`;
      const epoch = Math.floor(fraction * 42) - 1;
      const extraMs = epoch < 0 ? 0 : Math.round(((fraction * 42) % 1) * 40);
      const training = startPython(python!, ['train.py', '--out', out], { cwd: root });
      let exited = false;
      void training.done.then(() => (exited = true));
      const reached = () => (epoch < 0 ? existsSync(join(root, out, 'metrics.json')) : historyLines(join(root, out, 'metrics.history.jsonl')) >= epoch);
      await waitFor(() => exited || reached(), `${out}: epoch ${epoch}`);
      await sleep(extraMs);
      training.child.kill('SIGKILL');
      await training.done;

      const label = `${out}/metrics.json (killed ${extraMs} ms after epoch ${epoch} was logged)`;
      const { input } = loadMetricsInput(join(root, out, 'metrics.json'), label); // parses, validates, history intact
      assert.ok(input.status === 'running' || input.status === 'completed', `${label}: status ${input.status}`);
      seen[input.status === 'running' ? 'running' : 'completed']++;
      seen.history.add(input.history?.length ?? 0);
      // Sealed without blocking this thread: the other training's kill moment must not wait for it.
      const sealed = await startCli(['run', `killed-${index}`, '--metrics', `${out}/metrics.json`, '--quiet'], { cwd: root }).done;
      assert.equal(sealed.status, 0, `killed-${index}: ${sealed.stderr}`);
      const summary = readJson(join(runDirOf(root, `killed-${index}`), 'summary.json'));
      assert.deepEqual(
        [summary.status, summary.status_reason],
        input.status === 'running' ? ['interrupted', 'the log was never closed'] : [undefined, undefined],
        label,
      );
      assert.equal(readJson(join(runDirOf(root, `killed-${index}`), 'analysis.json')).history.length, input.history?.length ?? 0);
    });
    assert.ok(seen.running >= 15, `most kills land during training (${seen.running} running, ${seen.completed} completed)`);
    assert.ok(seen.history.size >= 10, `the kills land at different epochs: ${[...seen.history].sort((a, b) => a - b).join(', ')}`);
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
    const checker = (project: string) => runPython(python!, ['-m', `${PACKAGE}.validate`, 'artifacts/runs/M1-resumed'], { cwd: project, env: { PYTHONPATH: 'src' } });
    assert.equal(checker(root).status, 0, 'the Python checker agrees');

    // Alter the parent's checkpoint (in a copy): both checkers now fail the child, at /parent.
    const copy = join(tempDir(), 'copy');
    cpSync(root, copy, { recursive: true });
    const parentCheckpoint = join(runDirOf(copy, 'M1'), 'checkpoints/best.pt');
    chmodSync(join(runDirOf(copy, 'M1'), 'checkpoints'), 0o755);
    chmodSync(parentCheckpoint, 0o644);
    writeFileSync(parentCheckpoint, 'other weights');
    const failed = runCli(['verify', 'M1-resumed'], { cwd: copy });
    assert.equal(failed.status, 1);
    assert.match(failed.stdout, /artifacts\/runs\/M1-resumed\/manifest\.json: \/parent: parent run M1 does not pass verification: artifacts\/runs\/M1\/checkpoints\/best\.pt: size/);
    const checked = checker(copy);
    assert.equal(checked.status, 1);
    assert.match(checked.stdout, /artifacts\/runs\/M1-resumed\/manifest\.json: \/parent: parent run M1 does not pass verification/);
  });

  it('torchrun with 2 CPU processes (gloo): one metrics file, written by rank 0 only', () => {
    const launched = runPython(python!, ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2', '--redirects', '1', '--tee', '1', 'train.py', '--out', 'tmp/ddp'], { cwd: root });
    assert.equal(launched.status, 0, launched.stderr);
    assert.deepEqual(readdirSync(join(root, 'tmp/ddp')).sort(), ['best.pt', 'config.json', 'metrics.history.jsonl', 'metrics.json']);
    const { input } = loadMetricsInput(join(root, 'tmp/ddp/metrics.json'));
    assert.deepEqual(input.history?.slice().map((entry) => entry.epoch), Array.from({ length: 40 }, (_, i) => i + 1), 'each epoch logged once');
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
    assert.equal(head.history_file.bytes, Buffer.byteLength('{"epoch":0,"rank":0}\n'), 'closed by rank 0 after its one line');
    assert.equal(head.history_file.sha256, createHash('sha256').update('{"epoch":0,"rank":0}\n').digest('hex'));
  });

  it('launch/slurm.sbatch: SIGTERM to the whole job (Slurm\'s time limit) still seals the run, as interrupted', async () => {
    const env = { ...process.env, ...PYTHON_ENV, SLURM_SUBMIT_DIR: root, SLURM_JOB_ID: '73', PYTHON: python!.command, DL_LAB: `${process.execPath} ${CLI}` };
    // Its own process group, as Slurm signals every process of the job.
    const job = spawn('bash', [join(root, 'launch/slurm.sbatch')], { cwd: root, env, detached: true, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => job.on('close', (status) => resolve(status)));
    await waitFor(() => historyLines(join(root, 'tmp/slurm-73/metrics.history.jsonl')) >= 2, 'two epochs');
    process.kill(-job.pid!, 'SIGTERM');
    assert.equal(await exited, 143, 'the script exits with the training\'s status');
    const summary = readJson(join(runDirOf(root, 'run-73'), 'summary.json'));
    assert.deepEqual([summary.status, summary.status_reason], ['interrupted', "SIGTERM (terminated: Slurm's time limit, scancel or kill)"]);
  });

  it('without torchrun, Slurm\'s SLURM_PROCID picks the writer: task 1 writes nothing', () => {
    const script = `from ${PACKAGE} import dl_lab_log as dl\nwith dl.start("tmp/task1/metrics.json"):\n    dl.define("x", "A number.", "1", True)\n    dl.primary("x")\n    dl.log(1, x=1.0)\n`;
    const env = { PYTHONPATH: 'src', SLURM_PROCID: '1', RANK: '' };
    const task = runPython(python!, ['-c', script], { cwd: root, env });
    assert.equal(task.status, 0, task.stderr);
    assert.equal(existsSync(join(root, 'tmp/task1')), false);
  });
});

describe('dl_lab_log.py refuses bad calls where they happen, naming the key (standard library only)', () => {
  after(cleanupTempDirs);

  it('NaN, Infinity, undefined keys, non-numbers, a redefinition and a completed close without a primary metric; the files stay valid', function () {
    const python = pythonWith([]);
    requirePart(this, python !== undefined, noPythonMessage([]));
    const template = fileURLToPath(new URL('../../generators/app/templates/src/package/', import.meta.url));
    const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
import dl_lab_log as dl
log = dl.Log("m.json", handle_signals=False)
log.define("loss", "Mean loss.", "nats", False)
log.log(1, loss=0.5)
calls = [
    lambda: log.log(2, loss=float("nan")),
    lambda: log.log(2, loss=float("inf")),
    lambda: log.log(2, acc=0.1),
    lambda: log.result("acc", 1),
    lambda: log.log(2, loss=True),
    lambda: log.log(2, loss="0.1"),
    lambda: log.define("loss", "Another meaning.", "nats", False),
    lambda: log.define("lr", "Learning rate.", "1", "yes"),
    lambda: log.define("steps", "Optimizer steps taken.", "step", None),
    lambda: log.close(),
]
errors = []
for call in calls:
    try:
        call()
        errors.append(None)
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
print(json.dumps({"errors": errors, "history": open("m.history.jsonl").read(), "head": json.load(open("m.json"))}))
`;
    const dir = tempDir('dl-lab-log-calls-');
    const ran = runPython(python!, ['-c', script, template], { cwd: dir });
    assert.equal(ran.status, 0, ran.stderr);
    const { errors, history, head } = JSON.parse(ran.stdout);
    assert.deepEqual(errors, [
      'ValueError: dl_lab_log: loss is nan (JSON has no NaN or Infinity; did training diverge?)',
      'ValueError: dl_lab_log: loss is inf (JSON has no NaN or Infinity; did training diverge?)',
      "ValueError: dl_lab_log: log('acc'): 'acc' is not defined; call define('acc', definition, unit, higher_is_better) first",
      "ValueError: dl_lab_log: result('acc'): 'acc' is not defined; call define('acc', definition, unit, higher_is_better) first",
      'TypeError: dl_lab_log: loss must be a number, got True',
      'TypeError: dl_lab_log: loss must be a number, got str',
      "ValueError: dl_lab_log: loss is already defined differently: {'definition': 'Mean loss.', 'unit': 'nats', 'higher_is_better': False}",
      "TypeError: dl_lab_log: define('lr'): higher_is_better must be True, False or None (no direction)",
      null, // None: a count has no better direction (contract 1.1)
      'ValueError: dl_lab_log: a completed run names its primary metric: call primary(key) before closing',
    ]);
    assert.equal(history, '{"epoch":1,"loss":0.5}\n', 'refused calls write nothing');
    assert.equal(head.status, 'running');
    assert.deepEqual(loadMetricsInput(join(dir, 'm.json')).input.history?.toJSON(), [{ epoch: 1, loss: 0.5 }]);
  });

  it('the context manager: an exception marks the run failed with its type and message; SIGINT marks it interrupted (exit 130); SIGTERM exits 143 even when a cleanup raises', function () {
    const python = pythonWith([]);
    requirePart(this, python !== undefined, noPythonMessage([]));
    const template = fileURLToPath(new URL('../../generators/app/templates/src/package/', import.meta.url));
    const script = (body: string) => `
import os, signal, sys
sys.path.insert(0, sys.argv[1])
import dl_lab_log as dl
with dl.start("m.json"):
    dl.define("loss", "Mean loss.", "nats", False)
    dl.log(1, loss=0.5)
    ${body}
`;
    const dir = tempDir('dl-lab-log-ends-');
    const failed = runPython(python!, ['-c', script('raise RuntimeError("boom at step 2")'), template], { cwd: dir });
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /RuntimeError: boom at step 2/);
    assert.deepEqual([readJson(join(dir, 'm.json')).status, readJson(join(dir, 'm.json')).status_reason], ['failed', 'RuntimeError: boom at step 2']);
    const interrupted = runPython(python!, ['-c', script('os.kill(os.getpid(), signal.SIGINT)\n    dl.log(2, loss=0.4)'), template], { cwd: dir });
    assert.equal(interrupted.status, 130, interrupted.stderr);
    const head = readJson(join(dir, 'm.json'));
    assert.deepEqual([head.status, head.status_reason], ['interrupted', 'SIGINT (Ctrl-C)']);
    assert.deepEqual(loadMetricsInput(join(dir, 'm.json')).input.history?.toJSON(), [{ epoch: 1, loss: 0.5 }], 'nothing after the signal');
    // SIGTERM in the middle of torch.save: its zip writer, cut mid-file, raises as it closes.
    const cleanupFails = 'try:\n        os.kill(os.getpid(), signal.SIGTERM)\n    finally:\n        raise RuntimeError("unexpected pos")';
    const terminated = runPython(python!, ['-c', script(cleanupFails), template], { cwd: dir });
    assert.equal(terminated.status, 143, terminated.stderr);
    assert.match(terminated.stderr, /^dl_lab_log: after SIGTERM: RuntimeError: unexpected pos$/m);
    const ended = readJson(join(dir, 'm.json'));
    assert.deepEqual([ended.status, ended.status_reason], ['interrupted', "SIGTERM (terminated: Slurm's time limit, scancel or kill)"]);
  });
});
