import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, readJson } from '../helpers/fs.js';
import { runDirOf, scaffoldProject, verifyTag } from '../helpers/project.js';
import { requirePart } from '../helpers/requirement.js';
import { writeTrialScript } from '../helpers/sweep.js';

/** A cluster that answers and has a node that can take jobs (.ci/slurm-up.sh starts one). */
const slurmNodeUp = (): boolean => {
  const sinfo = spawnSync('sinfo', ['-h', '-o', '%t'], { encoding: 'utf8', timeout: 10_000 });
  return sinfo.status === 0 && /^(idle|mix|alloc|comp)/m.test(sinfo.stdout);
};

/** The array and aggregation job ids `dl-lab sweep --slurm` printed. */
const jobIds = (stdout: string): [string, string] => {
  const match = /submitted: array job (\d+) \(.*\), aggregation job (\d+) \(afterany:\1\)/.exec(stdout);
  assert.ok(match, stdout);
  return [match[1], match[2]];
};

/** Wait (bounded) until `ready()` holds; `explain()` adds what a failure needs to be diagnosed. */
const waitUntil = async (ready: () => boolean, seconds: number, what: string, explain = (): string => ''): Promise<void> => {
  const deadline = Date.now() + seconds * 1000;
  while (!ready()) {
    if (Date.now() > deadline) assert.fail(`no ${what} after ${seconds} s${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

const scontrol = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync('scontrol', args, { encoding: 'utf8' });

/** Wait (bounded) until Slurm no longer lists the jobs as pending or running. */
const waitForJobs = async (ids: string[], seconds: number): Promise<void> => {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const squeue = spawnSync('squeue', ['-h', '-j', ids.join(','), '-o', '%i %T'], { encoding: 'utf8' });
    // Finished jobs leave squeue's list (or, once purged, make it refuse the ids).
    if (squeue.status !== 0 || squeue.stdout.trim() === '') return;
    if (Date.now() > deadline) assert.fail(`Slurm jobs ${ids.join(',')} still queued after ${seconds} s:\n${squeue.stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
};

describe('dl-lab sweep --slurm on a real one-node cluster', function () {
  this.timeout(300_000); // the waits below are bounded on their own, with messages that say what was awaited
  let root: string;
  before(async function () {
    requirePart(this, slurmNodeUp(), 'no Slurm cluster answers sinfo with a usable node (as root: .ci/slurm-up.sh)');
    root = await scaffoldProject({ name: 'slurm-sweeps' });
  });
  after(cleanupTempDirs);

  it('a 2-variant × 3-seed demo sweep: one array job (a task per trial, each sealing its run) and an afterany aggregation job', async () => {
    const sweep = runCli(['sweep', 'sl', '--seeds', '0-2', '--grid', 'training.lr=0.5,0.1', '--slurm'], { cwd: root });
    assert.equal(sweep.status, 0, sweep.stderr);
    const [arrayJob, aggregateJob] = jobIds(sweep.stdout);
    assert.match(sweep.stdout, /job scripts: artifacts\/experiments\/sl\/slurm-trials.sbatch, artifacts\/experiments\/sl\/slurm-aggregate.sbatch/);
    const script = readFileSync(join(root, 'artifacts/experiments/sl/slurm-trials.sbatch'), 'utf8');
    assert.match(script, /^#SBATCH --array=0-5$/m);
    assert.ok(script.includes(`exec '${process.execPath}' '`), 'the job runs the Node that ran dl-lab, by absolute path');
    await waitForJobs([arrayJob, aggregateJob], 90);

    const tags = ['sl-lr0.5-s0', 'sl-lr0.5-s1', 'sl-lr0.5-s2', 'sl-lr0.1-s0', 'sl-lr0.1-s1', 'sl-lr0.1-s2'];
    for (const [index, tag] of tags.entries()) {
      assert.deepEqual((await verifyTag(root, tag)).problems, [], tag);
      const manifest = readJson(join(runDirOf(root, tag), 'manifest.json'));
      assert.equal(manifest.experiment.seed, index % 3);
      assert.deepEqual([manifest.environment.cluster.slurm.array_job_id, manifest.environment.cluster.slurm.array_task_id], [arrayJob, String(index)], `${tag} ran as task ${index} of array job ${arrayJob}`);
      const out = readFileSync(join(root, `artifacts/experiments/sl/logs/slurm-${arrayJob}_${index}.out`), 'utf8');
      assert.match(out, new RegExp(`^trial ${tag}: completed in [0-9.]+ s; sealed as artifacts/runs/${tag}/$`, 'm'));
    }
    // The afterany job aggregated every task's run into the experiment record.
    assert.match(readFileSync(join(root, `artifacts/experiments/sl/logs/slurm-aggregate-${aggregateJob}.out`), 'utf8'), /^wrote experiment record sl -> artifacts\/runs\/sl\/ \(version 1, seal [0-9a-f]{12}\)\nmembers: 6 completed of 6\n/);
    assert.deepEqual((await verifyTag(root, 'sl')).problems, []);
    // A local sweep of the same trials gives the same numbers: the cluster changes where, not what.
    const local = runCli(['sweep', 'loc', '--seeds', '2', '--grid', 'training.lr=0.1'], { cwd: root });
    assert.equal(local.status, 0, local.stderr);
    assert.deepEqual(readJson(join(runDirOf(root, 'loc-lr0.1-s2'), 'analysis.json')).results, readJson(join(runDirOf(root, 'sl-lr0.1-s2'), 'analysis.json')).results);
  });

  it('a failing command trial on Slurm is sealed as failed by its own task, with exit status and log tail', async () => {
    const script = writeTrialScript(root);
    const sweep = runCli(['sweep', 'slf', '--seeds', '0-1', '--slurm', '--', process.execPath, script, '{seed}', '{out}', 'exit3'], { cwd: root });
    assert.equal(sweep.status, 0, sweep.stderr);
    await waitForJobs(jobIds(sweep.stdout), 90);
    assert.deepEqual((await verifyTag(root, 'slf-base-s0')).problems, []);
    assert.deepEqual((await verifyTag(root, 'slf-base-s1')).problems, []);
    const summary = readJson(join(runDirOf(root, 'slf-base-s1'), 'summary.json'));
    assert.equal(summary.status, 'failed');
    assert.equal(summary.status_reason, 'exit status 3: RuntimeError: loss diverged at epoch 7');
    assert.equal(readJson(join(runDirOf(root, 'slf-base-s1'), 'manifest.json')).experiment.exit_status, 3);
    assert.equal(readFileSync(join(runDirOf(root, 'slf-base-s1'), 'logs/tail.log'), 'utf8'), 'training seed 1\nRuntimeError: loss diverged at epoch 7\n');
    assert.deepEqual([summary.metrics, summary.metric_definitions, summary.primary_metric], [{}, {}, undefined], 'it wrote no metrics: sealed with none');
    const members = readJson(join(runDirOf(root, 'slf'), 'experiment.json')).members;
    assert.deepEqual(members.map((m: { tag: string; status: string; exit_status: number | null }) => `${m.tag} ${m.status} ${m.exit_status}`), ['slf-base-s0 completed 0', 'slf-base-s1 failed 3']);
  });

  it('a task preempted and requeued (scontrol requeue) seals its trial as interrupted, then runs attempt 2 as <tag>.r2; both are members', async () => {
    const script = writeTrialScript(root);
    // `sleep`: the first attempt waits to be stopped; a later one (DL_LAB_TRIAL <tag>.r2) trains at once.
    const args = ['sweep', 'slr', '--seeds', '0', '--slurm', '--sbatch-arg=--requeue', '--', process.execPath, script, '{seed}', '{out}', 'sleep'];
    const sweep = runCli(args, { cwd: root });
    assert.equal(sweep.status, 0, sweep.stderr);
    const [arrayJob, aggregateJob] = jobIds(sweep.stdout);
    await waitUntil(() => existsSync(join(root, 'artifacts/experiments/slr/out/slr-base-s0/pid')), 60, 'trial started');
    // Running the sweep again while its jobs are queued or running, submitted or here, would run its trials twice.
    for (const again of [args, args.filter((arg) => arg !== '--slurm' && !arg.startsWith('--sbatch-arg'))]) {
      const twice = runCli(again, { cwd: root });
      assert.equal(twice.status, 1, again.join(' '));
      assert.equal(twice.stderr, `dl-lab sweep: error: sweep slr: its Slurm jobs ${arrayJob}, ${aggregateJob} are still queued or running (squeue -j ${arrayJob},${aggregateJob}); run it again once they have ended, or scancel them\n`);
    }
    assert.equal(readFileSync(join(root, 'artifacts/experiments/slr/slurm-jobs.txt'), 'utf8'), `${arrayJob} ${aggregateJob}\n`);
    const requeue = scontrol('requeue', `${arrayJob}_0`);
    const requeuedAt = Date.now();
    assert.equal(requeue.status, 0, String(requeue.stderr));
    // Slurm holds a requeued job (BeginTime, cred_expire: two minutes) before it may start again, so
    // the test releases it (StartTime=now) once a second for as long as it is pending, whatever
    // reason squeue shows: a release that lands before Slurm has finished requeueing can be
    // overridden by the hold. Releasing it once, on the first 'PENDING BeginTime', timed out once in CI.
    // Not within 2 s of the requeue: the requeue revokes the job's credential, and slurmd refuses a
    // start whose credential dates from the same second ("Killing non-startable batch JobId=…: Job
    // credential revoked", exit 1 after 0 s: it failed so in CI, slurmctld.log and slurmd.log said).
    const state = (): string => String(spawnSync('squeue', ['-h', '-j', `${arrayJob}_0`, '-o', '%T %r'], { encoding: 'utf8' }).stdout).trim();
    /** The task's output file (both attempts), for a failure's message: the temp project is gone after the run. */
    const taskOutput = (job: string): string => {
      try {
        return readFileSync(join(root, `artifacts/experiments/slr/logs/slurm-${job}_0.out`), 'utf8').split('\n').slice(-40).join('\n');
      } catch (error) {
        return String(error);
      }
    };
    const started = Date.now();
    const seen: string[] = [];
    let last: string | undefined;
    let released = 0;
    await waitUntil(() => {
      const now = state();
      if (now !== last) seen.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${now}`);
      last = now;
      if (now.startsWith('PENDING') && Date.now() - requeuedAt >= 2000 && Date.now() - released >= 1000) {
        released = Date.now();
        scontrol('update', `JobId=${arrayJob}_0`, 'StartTime=now');
      }
      return existsSync(runDirOf(root, 'slr-base-s0.r2'));
    }, 90, 'attempt 2 sealed', () => `; squeue states: ${seen.join(', ')}\n${String(scontrol('show', 'job', `${arrayJob}_0`).stdout)}\ntask output:\n${taskOutput(arrayJob)}`);
    await waitForJobs([arrayJob, aggregateJob], 90);
    assert.equal(readJson(join(runDirOf(root, 'slr-base-s0'), 'summary.json')).status, 'interrupted');
    assert.equal(readJson(join(runDirOf(root, 'slr-base-s0.r2'), 'summary.json')).status, undefined, 'attempt 2 completed');
    assert.deepEqual((await verifyTag(root, 'slr-base-s0.r2')).problems, []);
    // The task's output file holds both attempts (the script appends: --open-mode=append).
    const out = readFileSync(join(root, `artifacts/experiments/slr/logs/slurm-${arrayJob}_0.out`), 'utf8');
    // Slurm signals every process of the job at once: the task's own handler ("stopped by") or the
    // command's death by the signal ("killed by") is seen first, as the two race; both are interrupted.
    assert.match(out, /^trial slr-base-s0: interrupted \((stopped|killed) by SIGTERM .*; sealed as artifacts\/runs\/slr-base-s0\/$/m);
    assert.match(out, /^trial slr-base-s0 was interrupted \(kept: artifacts\/runs\/slr-base-s0\/\); this task ran a new attempt, slr-base-s0\.r2\ntrial slr-base-s0\.r2: completed in [0-9.]+ s; sealed as artifacts\/runs\/slr-base-s0\.r2\/$/m);
    const members = readJson(join(runDirOf(root, 'slr'), 'experiment.json')).members;
    assert.deepEqual(members.map((m: { tag: string; status: string }) => `${m.tag} ${m.status}`), ['slr-base-s0 interrupted', 'slr-base-s0.r2 completed']);
  });
});
