import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startCli } from '../helpers/cli-async.js';
import { cleanupTempDirs, readJson, snapshotTree } from '../helpers/fs.js';
import { runDirOf, scaffoldProject, verifyTag } from '../helpers/project.js';
import { writeTrialScript } from '../helpers/sweep.js';

const tagsUnder = (root: string, prefix: string): string[] => readdirSync(join(root, 'artifacts/runs')).filter((name) => name.startsWith(prefix)).sort();
const sha256Of = (root: string, tag: string, path: string): string =>
  readJson(join(runDirOf(root, tag), 'manifest.json')).outputs.find((o: { path: string }) => o.path === `artifacts/runs/${tag}/${path}`).sha256;

/** Resolves once `check` holds (polled), or fails after `ms`. */
const waitFor = async (check: () => boolean, ms: number, what: string): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const alive = (pid: number): boolean => {
  // kill(0 or a negative number) signals a whole process group, which is always "alive".
  assert.ok(Number.isInteger(pid) && pid > 0, `not a pid: ${pid}`);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('dl-lab sweep, locally (built bin)', function () {
  this.timeout(120_000);
  let root: string;
  before(async () => {
    root = await scaffoldProject({ name: 'sweeps' });
  });
  after(cleanupTempDirs);

  it('a 2-variant × 3-seed demo sweep: six sealed runs tagged NAME-variant-sSEED, each recording its trial; the same sweep again runs nothing', async () => {
    const sweep = runCli(['sweep', 'lr', '--seeds', '0-2', '--grid', 'training.lr=0.5,0.1', '--jobs', '2'], { cwd: root });
    assert.equal(sweep.status, 0, sweep.stderr);
    assert.match(sweep.stdout, /^sweep lr: 2 variant\(s\) × 3 seed\(s\) = 6 trials\n6 trials completed, 0 failed, 0 interrupted this time\n/);
    const tags = ['lr-lr0.1-s0', 'lr-lr0.1-s1', 'lr-lr0.1-s2', 'lr-lr0.5-s0', 'lr-lr0.5-s1', 'lr-lr0.5-s2'];
    assert.deepEqual(tagsUnder(root, 'lr-'), tags);
    assert.equal(sweep.stderr.split('\n').filter((line) => /^sweep: \d\/6 trials done/.test(line)).length, 6, 'one progress line per finished trial without a TTY');
    for (const tag of tags) assert.deepEqual((await verifyTag(root, tag)).problems, [], tag);
    // The sweep ends with `dl-lab aggregate lr`: the sealed experiment record, every trial a member.
    assert.match(sweep.stdout, /\nwrote experiment record lr -> artifacts\/runs\/lr\/ \(version 1, seal [0-9a-f]{12}\)\nmembers: 6 completed of 6\n/);
    const record = readJson(join(runDirOf(root, 'lr'), 'experiment.json'));
    assert.deepEqual(record.members.map((m: { tag: string; status: string }) => `${m.tag} ${m.status}`).sort(), tags.map((tag) => `${tag} completed`));
    assert.deepEqual((await verifyTag(root, 'lr')).problems, []);
    // Every `next:` command the sweep printed runs as printed.
    const next = [...sweep.stdout.matchAll(/^next: (.*)$/gm)].map((match) => match[1]);
    assert.deepEqual(next, ['dl-lab verify lr', 'dl-lab paper lr --spread ci95', 'dl-lab compare lr:lr0.1 lr:lr0.5'], sweep.stdout);
    for (const command of next) {
      const [bin, ...args] = command.split(' ');
      assert.equal(bin, 'dl-lab');
      const result = runCli(args, { cwd: root });
      assert.equal(result.status, 0, `${command}\n${result.stdout}${result.stderr}`);
    }

    const manifest = readJson(join(runDirOf(root, 'lr-lr0.1-s2'), 'manifest.json'));
    assert.deepEqual(manifest.experiment, { name: 'lr', variant: 'lr0.1', seed: 2, overrides: { 'training.lr': 0.1 }, exit_status: null });
    assert.equal(manifest.seed, 2);
    assert.equal(manifest.hyperparameters.training.lr, 0.1);
    assert.equal(manifest.config.path, 'artifacts/experiments/lr/configs/lr-lr0.1-s2.json');
    assert.deepEqual(readJson(join(root, manifest.config.path)), { ...readJson(join(root, 'configs/default.json')), seed: 2, training: { ...readJson(join(root, 'configs/default.json')).training, lr: 0.1 } });
    const plan = readJson(join(root, 'artifacts/experiments/lr/plan.json'));
    assert.deepEqual(plan.variants, [{ name: 'lr0.5', overrides: { 'training.lr': 0.5 } }, { name: 'lr0.1', overrides: { 'training.lr': 0.1 } }]);
    assert.deepEqual(plan.trials.map((t: { tag: string }) => t.tag), ['lr-lr0.5-s0', 'lr-lr0.5-s1', 'lr-lr0.5-s2', 'lr-lr0.1-s0', 'lr-lr0.1-s1', 'lr-lr0.1-s2']);
    assert.equal(plan.command, null);

    // A trial in-process is the demo itself: lr 0.5 is the default, so seed 1 equals `dl-lab demo --seed 1`, byte for byte.
    assert.equal(runCli(['demo', '--seed', '1', '--quiet'], { cwd: root }).status, 0);
    assert.deepEqual(readJson(join(runDirOf(root, 'lr-lr0.5-s1'), 'analysis.json')).results, readJson(join(runDirOf(root, 'demo-seed1'), 'analysis.json')).results);
    assert.equal(sha256Of(root, 'lr-lr0.5-s1', 'checkpoints/best.json'), sha256Of(root, 'demo-seed1', 'checkpoints/best.json'));

    const again = runCli(['sweep', 'lr', '--seeds', '0-2', '--grid', 'training.lr=0.5,0.1'], { cwd: root });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /0 trials completed, 0 failed, 0 interrupted this time; 6 already sealed before/);
    assert.match(again.stdout, /experiment record lr is up to date \(version 1: same plan, same member runs\); nothing written/);
    const other = runCli(['sweep', 'lr', '--seeds', '0-3', '--grid', 'training.lr=0.5,0.1'], { cwd: root });
    assert.equal(other.status, 1);
    assert.equal(other.stderr, 'dl-lab sweep: error: artifacts/experiments/lr/plan.json already holds a different sweep named lr (other seeds, grid, command or base config); choose another NAME\n');
  });

  it('a command trial is sealed as `dl-lab run` seals it (checkpoint included); a failing one is sealed as failed with its exit status and log tail', async () => {
    const script = writeTrialScript(root);
    const sweep = runCli(['sweep', 'cmd', '--seeds', '0-2', '--', process.execPath, script, '{seed}', '{out}', 'exit3'], { cwd: root });
    assert.equal(sweep.status, 2, 'exit 2: a trial failed (and was sealed)');
    assert.match(sweep.stdout, /2 trials completed, 1 failed, 0 interrupted this time/);
    assert.match(sweep.stdout, /  failed: cmd-base-s1: exit status 3: RuntimeError: loss diverged at epoch 7 \(sealed; end of its log: artifacts\/runs\/cmd-base-s1\/logs\/tail.log\)/);
    for (const tag of ['cmd-base-s0', 'cmd-base-s1', 'cmd-base-s2']) assert.deepEqual((await verifyTag(root, tag)).problems, [], tag);

    const ok = runDirOf(root, 'cmd-base-s2');
    assert.deepEqual(readJson(join(ok, 'analysis.json')).results, { accuracy: 0.92 });
    assert.deepEqual(readFileSync(join(ok, 'checkpoints/best.bin')), Buffer.alloc(64, 2));
    // Moved out of {out}, the sweep's scratch, not copied: one file of one name, in the run.
    assert.equal(existsSync(join(root, 'artifacts/experiments/cmd/out/cmd-base-s2/best.bin')), false);
    assert.equal(statSync(join(ok, 'checkpoints/best.bin')).nlink, 1);
    assert.deepEqual(readJson(join(ok, 'manifest.json')).experiment, { name: 'cmd', variant: 'base', seed: 2, overrides: {}, exit_status: 0 });
    assert.equal(readJson(join(ok, 'summary.json')).status, undefined, 'a completed run has no status (1.0 readers see an ordinary run)');

    const failed = runDirOf(root, 'cmd-base-s1');
    const summary = readJson(join(failed, 'summary.json'));
    assert.equal(summary.status, 'failed');
    assert.equal(summary.status_reason, 'exit status 3: RuntimeError: loss diverged at epoch 7');
    // It wrote no metrics: sealed with none at all, never an invented key.
    assert.deepEqual([summary.metrics, summary.metric_definitions, summary.primary_metric], [{}, {}, undefined]);
    assert.deepEqual(readJson(join(failed, 'analysis.json')).results, {}, 'nothing to cite');
    assert.equal(readJson(join(failed, 'manifest.json')).experiment.exit_status, 3);
    assert.equal(readFileSync(join(failed, 'logs/tail.log'), 'utf8'), 'training seed 1\nRuntimeError: loss diverged at epoch 7\n');
    assert.equal(readFileSync(join(root, 'artifacts/experiments/cmd/logs/cmd-base-s1.log'), 'utf8'), 'training seed 1\nRuntimeError: loss diverged at epoch 7\n');
    // The experiment lists the failed trial: no cherry-picking by omission.
    const member = readJson(join(runDirOf(root, 'cmd'), 'experiment.json')).members.find((m: { tag: string }) => m.tag === 'cmd-base-s1');
    assert.deepEqual([member.status, member.exit_status], ['failed', 3]);
    assert.equal(readJson(join(runDirOf(root, 'cmd'), 'experiment.json')).statistics.base.accuracy.n, 2, 'statistics use the completed members only');
  });

  it('a checkpoint a trial leaves outside {out} is copied into its run, and stays where it is', async () => {
    const script = writeTrialScript(root);
    const sweep = runCli(['sweep', 'outside', '--seeds', '3', '--', process.execPath, script, '{seed}', '{out}', 'ckpt-outside'], { cwd: root });
    assert.equal(sweep.status, 0, sweep.stderr);
    assert.deepEqual(readFileSync(join(runDirOf(root, 'outside-base-s3'), 'checkpoints/best.bin')), Buffer.alloc(64, 3));
    assert.deepEqual(readFileSync(join(root, 'tmp/outside-3.bin')), Buffer.alloc(64, 3));
    assert.equal(statSync(join(root, 'tmp/outside-3.bin')).nlink, 1, 'not linked into the run either');
    assert.deepEqual((await verifyTag(root, 'outside-base-s3')).problems, []);
  });

  it('a trial that crashed after writing a valid metrics file is sealed as failed and keeps the numbers it logged', async () => {
    const script = writeTrialScript(root);
    const sweep = runCli(['sweep', 'crash', '--seeds', '1', '--', process.execPath, script, '{seed}', '{out}', 'crash-after-metrics'], { cwd: root });
    assert.equal(sweep.status, 2, sweep.stderr);
    const run = runDirOf(root, 'crash-base-s1');
    const summary = readJson(join(run, 'summary.json'));
    assert.deepEqual([summary.status, summary.status_reason], ['failed', 'exit status 3: RuntimeError: CUDA out of memory']);
    assert.deepEqual([summary.metrics, summary.primary_metric], [{ accuracy: 0.91 }, 'accuracy']);
    assert.deepEqual(readJson(join(run, 'analysis.json')).results, { accuracy: 0.91 });
    assert.deepEqual(readFileSync(join(run, 'checkpoints/best.bin')), Buffer.alloc(64, 1));
    assert.equal(existsSync(join(root, 'artifacts/experiments/crash/out/crash-base-s1/best.bin')), false, 'moved into the failed run too');
    assert.equal(readJson(join(run, 'manifest.json')).experiment.exit_status, 3);
    assert.equal(readFileSync(join(run, 'logs/tail.log'), 'utf8'), 'training seed 1\nRuntimeError: CUDA out of memory\n');
    assert.deepEqual((await verifyTag(root, 'crash-base-s1')).problems, []);
  });

  it("a trial's metrics file outranks its exit status on how it ended: 'interrupted' (SIGTERM, exit 143) is sealed as interrupted; 'running' (never closed) with exit 3 as failed", async () => {
    const script = writeTrialScript(root);
    const sweep = runCli(['sweep', 'unclosed', '--seeds', '0-2', '--jobs', '1', '--', process.execPath, script, '{seed}', '{out}', 'unclosed-logs'], { cwd: root });
    assert.equal(sweep.status, 2, sweep.stderr);
    assert.match(sweep.stdout, /^1 trial completed, 1 failed, 1 interrupted this time$/m);
    assert.match(sweep.stdout, /^ {2}interrupted: unclosed-base-s1: SIGTERM \(terminated\); exit status 143: dl_lab_log: interrupted by SIGTERM \(sealed; /m);
    assert.match(sweep.stdout, /^ {2}failed: unclosed-base-s2: exit status 3: Segmentation fault \(sealed; /m);
    const ended = (tag: string) => {
      const summary = readJson(join(runDirOf(root, tag), 'summary.json'));
      return [summary.status, summary.status_reason, summary.metrics, readJson(join(runDirOf(root, tag), 'manifest.json')).experiment.exit_status];
    };
    // The training's own reason first, then what the sweep saw of the process.
    assert.deepEqual(ended('unclosed-base-s1'), ['interrupted', 'SIGTERM (terminated); exit status 143: dl_lab_log: interrupted by SIGTERM', { accuracy: 0.91 }, 143]);
    assert.deepEqual(ended('unclosed-base-s2'), ['failed', 'exit status 3: Segmentation fault', { accuracy: 0.92 }, 3]);
    for (const tag of ['unclosed-base-s0', 'unclosed-base-s1', 'unclosed-base-s2', 'unclosed']) {
      const verify = runCli(['verify', tag], { cwd: root });
      assert.equal(verify.status, 0, `${tag}: ${verify.stdout}${verify.stderr}`);
    }
    assert.deepEqual(readJson(join(runDirOf(root, 'unclosed'), 'experiment.json')).members.map((m: { status: string }) => m.status), ['completed', 'interrupted', 'failed']);
  });

  it('a trial whose command dies of SIGTERM is interrupted, not failed, even before dl-lab has seen a SIGTERM of its own (Slurm signals the whole job)', async () => {
    const script = writeTrialScript(root);
    const sweep = runCli(['sweep', 'termed', '--seeds', '0-1', '--jobs', '1', '--', process.execPath, script, '{seed}', '{out}', 'sigterm'], { cwd: root });
    assert.equal(sweep.status, 2, sweep.stderr);
    assert.match(sweep.stdout, /^1 trial completed, 0 failed, 1 interrupted this time$/m);
    const summary = readJson(join(runDirOf(root, 'termed-base-s1'), 'summary.json'));
    assert.deepEqual([summary.status, summary.status_reason], ['interrupted', 'killed by SIGTERM (e.g. a Slurm preemption, time limit or scancel): training seed 1']);
    assert.equal(readJson(join(runDirOf(root, 'termed-base-s1'), 'manifest.json')).experiment.exit_status, null);
    const again = runCli(['sweep', 'termed', '--seeds', '0-1', '--jobs', '1', '--dry-run', '--', process.execPath, script, '{seed}', '{out}', 'sigterm'], { cwd: root });
    assert.match(again.stdout, /termed-base-s1\.r2 .* attempt 2: termed-base-s1 was interrupted\n/, 'run again, it is attempted again');
  });

  it('when every trial failed, the aggregate summary suggests no statistic to cite (there is none)', async () => {
    const script = writeTrialScript(root);
    const sweep = runCli(['sweep', 'allfail', '--seeds', '1', '--', process.execPath, script, '{seed}', '{out}', 'exit3'], { cwd: root });
    assert.equal(sweep.status, 2, sweep.stderr);
    assert.match(sweep.stdout, /\nmembers: 0 completed of 1 \(1 failed\)\n/);
    assert.deepEqual(readJson(join(runDirOf(root, 'allfail'), 'analysis.json')).results, {});
    assert.doesNotMatch(sweep.stdout, /cite statistics|e\.g\. base\./);
    assert.match(sweep.stdout, /\nno completed member: no statistics to cite\nnext: dl-lab verify allfail\n$/);
    const verify = runCli(['verify', 'allfail'], { cwd: root });
    assert.equal(verify.status, 0, verify.stderr);
  });

  it('exit 0 with invalid metrics is a failed trial too, with the validation error', async () => {
    const script = writeTrialScript(root);
    const sweep = runCli(['sweep', 'badm', '--seeds', '1', '--', process.execPath, script, '{seed}', '{out}', 'bad-metrics'], { cwd: root });
    assert.equal(sweep.status, 2, sweep.stderr);
    const summary = readJson(join(runDirOf(root, 'badm-base-s1'), 'summary.json'));
    assert.equal(summary.status, 'failed');
    assert.match(summary.status_reason, /^exit status 0 but invalid metrics file artifacts\/experiments\/badm\/out\/badm-base-s1\/metrics.json/);
    assert.doesNotMatch(summary.status_reason, /metrics file left out/, 'the invalid file is named once');
    assert.deepEqual([summary.metrics, summary.primary_metric], [{}, undefined]);
    assert.match(readFileSync(join(runDirOf(root, 'badm-base-s1'), 'logs/tail.log'), 'utf8'), /\/metrics: 'accuracy' has no entry in metric_definitions|accuracy/);
    assert.deepEqual((await verifyTag(root, 'badm-base-s1')).problems, []);
  });

  it('Ctrl-C stops cleanly: running commands are stopped, no run and no staging folder is left', async () => {
    const script = writeTrialScript(root);
    const args = ['sweep', 'stop', '--seeds', '0-3', '--jobs', '2', '--', process.execPath, script, '{seed}', '{out}', 'sleep'];
    const { child, done } = startCli(args, { cwd: root });
    const pidFile = (seed: number) => join(root, `artifacts/experiments/stop/out/stop-base-s${seed}/pid`);
    await waitFor(() => existsSync(pidFile(0)) && existsSync(pidFile(1)), 30_000, 'two trials to start');
    const pids = [0, 1].map((seed) => Number(readFileSync(pidFile(seed), 'utf8')));
    child.kill('SIGINT');
    const result = await done;
    assert.equal(result.status, 130, result.stderr);
    assert.match(result.stdout, /stopped by Ctrl-C: 4 trials not run or not finished, none of them written; the same command again runs them/);
    assert.deepEqual(tagsUnder(root, 'stop-'), []);
    assert.deepEqual(readdirSync(join(root, 'artifacts/runs')).filter((name) => name.startsWith('.')), [], 'no staging folder');
    await waitFor(() => pids.every((pid) => !alive(pid)), 10_000, 'the trial commands to end');
  });

  it('a Slurm task (--task I) stopped by SIGTERM (preemption, time limit, scancel) seals its trial as interrupted; requeued, it runs a new attempt <tag>.r2, then nothing', async () => {
    // The plan of the sweep stopped above is on disk; run one of its trials as an array task would.
    const { child, done } = startCli(['sweep', 'stop', '--task', '2'], { cwd: root });
    const pidFile = join(root, 'artifacts/experiments/stop/out/stop-base-s2/pid');
    await waitFor(() => existsSync(pidFile), 30_000, 'the trial to start');
    child.kill('SIGTERM');
    const result = await done;
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stdout, /^trial stop-base-s2: interrupted \(stopped by SIGTERM \(e.g. a Slurm preemption, time limit or scancel\): training seed 2\) in [0-9.]+ s; sealed as artifacts\/runs\/stop-base-s2\/\n$/);
    const summary = readJson(join(runDirOf(root, 'stop-base-s2'), 'summary.json'));
    assert.equal(summary.status, 'interrupted');
    assert.deepEqual((await verifyTag(root, 'stop-base-s2')).problems, []);
    // Slurm runs the task again (--requeue, a preempted node): a new attempt, sealed beside the interrupted run.
    const seal = readJson(join(runDirOf(root, 'stop-base-s2'), 'manifest.json')).seal.digest;
    const requeued = runCli(['sweep', 'stop', '--task', '2'], { cwd: root });
    assert.equal(requeued.status, 0, requeued.stderr);
    assert.match(
      requeued.stdout,
      /^trial stop-base-s2 was interrupted \(kept: artifacts\/runs\/stop-base-s2\/\); this task ran a new attempt, stop-base-s2\.r2\ntrial stop-base-s2\.r2: completed in [0-9.]+ s; sealed as artifacts\/runs\/stop-base-s2\.r2\/\n$/,
    );
    assert.equal(readJson(join(runDirOf(root, 'stop-base-s2'), 'manifest.json')).seal.digest, seal, 'the interrupted attempt is kept as it was');
    const retry = readJson(join(runDirOf(root, 'stop-base-s2.r2'), 'manifest.json'));
    assert.deepEqual(retry.experiment, { name: 'stop', variant: 'base', seed: 2, overrides: {}, exit_status: 0 });
    assert.deepEqual((await verifyTag(root, 'stop-base-s2.r2')).problems, []);
    // Requeued once more: the last attempt completed, so nothing runs.
    const again = runCli(['sweep', 'stop', '--task', '2'], { cwd: root });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, 'trial stop-base-s2.r2: already sealed as artifacts/runs/stop-base-s2.r2/ (completed); this task ran nothing again\n');
    // Both attempts are members of the experiment; only the completed one counts in its statistics.
    const aggregate = runCli(['aggregate', 'stop'], { cwd: root });
    assert.equal(aggregate.status, 0, aggregate.stderr);
    const record = readJson(join(runDirOf(root, 'stop'), 'experiment.json'));
    assert.deepEqual(
      record.members.map((m: { tag: string; seed: number; status: string }) => [m.tag, m.seed, m.status]),
      [['stop-base-s0', 0, 'missing'], ['stop-base-s1', 1, 'missing'], ['stop-base-s2', 2, 'interrupted'], ['stop-base-s2.r2', 2, 'completed'], ['stop-base-s3', 3, 'missing']],
    );
    assert.equal(record.statistics.base.accuracy.n, 1);
    const refused = runCli(['sweep', 'stop', '--task', '4'], { cwd: root });
    assert.equal(refused.status, 1);
    assert.equal(refused.stderr, 'dl-lab sweep: error: --task 4: sweep stop has trials 0 to 3\n');
  });

  it('the same sweep again, run locally, retries a trial whose Slurm task was interrupted: a new attempt <tag>.r2 beside it', async () => {
    const script = writeTrialScript(root);
    const args = ['sweep', 'pre', '--seeds', '0', '--', process.execPath, script, '{seed}', '{out}', 'sleep'];
    const pidFile = join(root, 'artifacts/experiments/pre/out/pre-base-s0/pid');
    // The plan, as a submission writes it (Ctrl-C seals nothing), then the array task, preempted.
    const local = startCli(args, { cwd: root });
    await waitFor(() => existsSync(pidFile), 30_000, 'the trial to start');
    local.child.kill('SIGINT');
    assert.equal((await local.done).status, 130);
    rmSync(pidFile);
    const task = startCli(['sweep', 'pre', '--task', '0'], { cwd: root });
    await waitFor(() => existsSync(pidFile), 30_000, 'the task to start');
    task.child.kill('SIGTERM');
    assert.equal((await task.done).status, 2);
    const dry = runCli([...args.slice(0, 4), '--dry-run', ...args.slice(4)], { cwd: root });
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /\(resuming: 1 still to run\)\n[\s\S]*\n {2}pre-base-s0\.r2 {2}\(config artifacts\/experiments\/pre\/configs\/pre-base-s0\.json\) {2}attempt 2: pre-base-s0 was interrupted\n/);
    const again = runCli(args, { cwd: root });
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /\n1 trial completed, 0 failed, 0 interrupted this time\n {2}retried: pre-base-s0\.r2: completed, a new attempt after pre-base-s0 was interrupted \(kept: artifacts\/runs\/pre-base-s0\/\)\n/);
    assert.match(again.stdout, /\nmembers: 1 completed of 2 \(1 interrupted\)\n {2}interrupted: pre-base-s0: stopped by SIGTERM .*; attempted again: pre-base-s0\.r2 \(completed\)\n/);
    assert.deepEqual(
      readJson(join(runDirOf(root, 'pre'), 'experiment.json')).members.map((m: { tag: string; status: string }) => [m.tag, m.status]),
      [['pre-base-s0', 'interrupted'], ['pre-base-s0.r2', 'completed']],
    );
    assert.equal(readFileSync(join(root, 'artifacts/experiments/pre/logs/pre-base-s0.r2.log'), 'utf8'), 'training seed 0\n', 'each attempt has its own log');
  });

  it('--slurm on a resumed sweep submits only the trials still to run; with none left, one line, exit 1', async () => {
    const script = writeTrialScript(root);
    // Sweep `stop` (above): s2 interrupted then completed as s2.r2; s0, s1 and s3 have no run.
    const dry = runCli(['sweep', 'stop', '--seeds', '0-3', '--jobs', '2', '--slurm', '--dry-run', '--', process.execPath, script, '{seed}', '{out}', 'sleep'], { cwd: root });
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /\(resuming: 3 still to run\)/);
    assert.match(dry.stdout, /^ {2}\| #SBATCH --array=0-1,3%2$/m);
    // Sweep `pre` (above): its one trial's last attempt completed.
    const none = runCli(['sweep', 'pre', '--seeds', '0', '--slurm', '--', process.execPath, script, '{seed}', '{out}', 'sleep'], { cwd: root });
    assert.equal(none.status, 1);
    assert.equal(none.stderr, 'dl-lab sweep: error: --slurm: every trial of sweep pre is sealed as completed or failed; nothing to submit (dl-lab aggregate pre updates its record)\n');
  });

  it('a --grid key the base config does not have (a typo) is refused in one line with the closest key, before anything is written', () => {
    const script = writeTrialScript(root);
    const before = snapshotTree(root);
    // Before: both demo trials ran and an experiment was sealed, training.lrr an unused key in their configs.
    const typo = runCli(['sweep', 'bad', '--seeds', '0-1', '--grid', 'training.lrr=0.1'], { cwd: root });
    assert.equal(typo.status, 1);
    assert.equal(typo.stderr, 'dl-lab sweep: error: --grid training.lrr: configs/default.json has no key training.lrr (did you mean training.lr?); to vary a new key, add it to configs/default.json first\n');
    const command = runCli(['sweep', 'bad', '--seeds', '0', '--grid', 'model.dropout=0.1,0.2', '--', process.execPath, script, '{seed}', '{out}'], { cwd: root });
    assert.equal(command.status, 1);
    assert.equal(command.stderr, 'dl-lab sweep: error: --grid model.dropout: configs/default.json has no key model.dropout; to vary a new key, add it to configs/default.json first\n');
    assert.deepEqual(snapshotTree(root), before);
  });

  it('the same sweep again runs only the trials that have no run (e.g. after Ctrl-C)', async () => {
    assert.equal(runCli(['sweep', 'res', '--seeds', '0-1', '--grid', 'training.epochs=5'], { cwd: root }).status, 0);
    const kept = readJson(join(runDirOf(root, 'res-epochs5-s0'), 'manifest.json')).seal.digest;
    rmSync(runDirOf(root, 'res-epochs5-s1'), { recursive: true, force: true });
    const again = runCli(['sweep', 'res', '--seeds', '0-1', '--grid', 'training.epochs=5'], { cwd: root });
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /1 trial completed, 0 failed, 0 interrupted this time; 1 already sealed before/);
    assert.equal(readJson(join(runDirOf(root, 'res-epochs5-s0'), 'manifest.json')).seal.digest, kept, 'a sealed trial is never redone');
    assert.deepEqual((await verifyTag(root, 'res-epochs5-s1')).problems, []);
  });

  it('reproduce of an experiment record reproduces every completed member, then its statistics from them', async () => {
    assert.equal(runCli(['sweep', 'rep', '--seeds', '0-1', '--grid', 'training.epochs=5', '--quiet'], { cwd: root }).status, 0);
    const result = runCli(['reproduce', 'rep', '--quiet'], { cwd: root });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], 'reproduced experiment rep member by member: 2 completed member(s), each from its manifest alone');
    assert.match(result.stdout, /^ {2}rep-epochs5-s0 {2}artifacts\/runs\/rep-epochs5-s0-repro\/ {2}REPRODUCED: \d+ checks bitwise identical/m);
    assert.match(result.stdout, /^ {2}rep-epochs5-s1 {2}artifacts\/runs\/rep-epochs5-s1-repro\/ {2}REPRODUCED: /m);
    const statistics = Object.values(readJson(join(runDirOf(root, 'rep'), 'experiment.json')).statistics as Record<string, Record<string, unknown>>).reduce((n, keys) => n + Object.keys(keys).length, 0) * 11;
    assert.match(result.stdout, new RegExp(`^REPRODUCED: 2 of 2 members; ${statistics} statistics bitwise identical$`, 'm'));
    for (const tag of ['rep-epochs5-s0-repro', 'rep-epochs5-s1-repro']) assert.deepEqual((await verifyTag(root, tag)).problems, []);
    const json = JSON.parse(runCli(['reproduce', 'rep', '--json'], { cwd: root }).stdout);
    assert.deepEqual([json.source.kind, json.status, json.exit_code, json.members.map((m: { reproduced: { tag: string } }) => m.reproduced.tag)], ['experiment', 'reproduced', 0, ['rep-epochs5-s0-repro2', 'rep-epochs5-s1-repro2']]);
    assert.equal(json.statistics.length, statistics);
    assert.ok(json.statistics.every((check: { status: string }) => check.status === 'identical'));
    const as = runCli(['reproduce', 'rep', '--as', 'x'], { cwd: root });
    assert.deepEqual([as.status, as.stderr], [1, 'dl-lab reproduce: error: --as: rep is an experiment record, reproduced member by member, each into <member>-repro; the option names one run\n']);
  });

  it('reproduce of an experiment record whose trials ran a command names what each member recorded, as commands that run as printed', () => {
    // `cmd` (above): a command sweep, seeds 0-2, seed 1 failed.
    const refused = runCli(['reproduce', 'cmd'], { cwd: root });
    assert.equal(refused.status, 3, refused.stderr);
    assert.equal(
      refused.stdout,
      [
        "cannot reproduce cmd: it is an experiment record (`dl-lab aggregate`) whose members trained outside dl-lab (the sweep's command), so dl-lab cannot re-execute them. What each completed member recorded, to reproduce it by hand:",
        '  dl-lab reproduce cmd-base-s0',
        '  dl-lab reproduce cmd-base-s2',
        'exit 3 (cannot reproduce)',
        '',
      ].join('\n'),
    );
    for (const line of refused.stdout.split('\n').filter((l) => l.startsWith('  dl-lab '))) {
      const member = runCli(line.trim().split(' ').slice(1), { cwd: root });
      assert.equal(member.status, 3, member.stderr);
      assert.match(member.stdout, /^cannot reproduce cmd-base-s[02]: its training ran outside dl-lab/);
    }
  });

  it('Ctrl-C during in-process demo training leaves no partial run', async () => {
    const { child, done } = startCli(['sweep', 'long', '--seeds', '0-1', '--grid', 'training.epochs=100000'], { cwd: root });
    await waitFor(() => existsSync(join(root, 'artifacts/experiments/long/plan.json')), 30_000, 'the plan');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    const result = await done;
    assert.equal(result.status, 130, result.stderr);
    assert.deepEqual(tagsUnder(root, 'long-'), []);
    assert.deepEqual(readdirSync(join(root, 'artifacts/runs')).filter((name) => name.startsWith('.')), []);
  });

  it('--dry-run prints the trials and writes nothing; bad input is one line naming the option, nothing written', () => {
    const before = snapshotTree(root);
    const dry = runCli(['sweep', 'dry', '--seeds', '0,3', '--grid', 'model.hidden=8,16', '--dry-run'], { cwd: root });
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /^dry run: nothing written, nothing submitted\nsweep dry: 2 variant\(s\) × 2 seed\(s\) = 4 trials\n  variant hidden8: \{"model.hidden":8\}\n/);
    assert.match(dry.stdout, /  dry-hidden16-s3  \(config artifacts\/experiments\/dry\/configs\/dry-hidden16-s3.json\)/);
    const slurm = runCli(['sweep', 'lr-slurm', '--seeds', '0-2', '--grid', 'training.lr=0.5,0.1', '--slurm', '--sbatch-arg=--time=10', '--dry-run'], { cwd: root });
    assert.equal(slurm.status, 0, slurm.stderr);
    assert.match(slurm.stdout, /\n {2}\| #SBATCH --array=0-5\n/);
    assert.match(slurm.stdout, /\nwould run: sbatch --parsable --time=10 artifacts\/experiments\/lr-slurm\/slurm-trials.sbatch\nwould run: sbatch --parsable --dependency=afterany:<ARRAY_JOB_ID> --time=10 artifacts\/experiments\/lr-slurm\/slurm-aggregate.sbatch\n$/);
    const refusals: Array<[string[], string]> = [
      [['sweep', 'x', '--seeds', '3-1'], 'dl-lab sweep: error: --seeds "3-1": range 3-1 runs backwards\n'],
      [['sweep', 'x', '--grid', 'training.lr'], 'dl-lab sweep: error: --grid "training.lr": expected key.path=value1,value2,… (a dotted path into the config, e.g. training.lr=0.1,0.05)\n'],
      [['sweep', 'x', '--grid', 'training.lr=-1'], 'dl-lab sweep: error: invalid config of variant lr-1 (--grid): /training/lr: must be > 0\n'],
      [['sweep', 'x', '--grid', 'model.activation=relu'], 'dl-lab sweep: error: invalid config of variant activationrelu (--grid): /model/activation: must be equal to one of the allowed values ("tanh")\n'],
      [['sweep', 'x', '--jobs', '0'], 'dl-lab sweep: error: --jobs must be a positive number, got 0\n'],
      [['sweep', 'x', '--', 'python3', 'train.py'], 'dl-lab sweep: error: the trial command never mentions {out}: it must write {out}/metrics.json (e.g. -- python train.py --config {config} --out {out})\n'],
    ];
    for (const [args, stderr] of refusals) {
      const result = runCli(args, { cwd: root });
      assert.equal(result.status, 1, args.join(' '));
      assert.equal(result.stderr, stderr);
    }
    assert.deepEqual(snapshotTree(root), before);
  });
});
