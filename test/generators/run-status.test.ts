import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProvenanceCapture } from '../../core/commands/provenance.js';
import { recordUnfinishedRun } from '../../core/commands/record.js';
import { compareRuns } from '../../core/compare/compare-runs.js';
import { resolveRun } from '../../core/compare/run-record.js';
import { checkPaper } from '../../core/paper/check-paper.js';
import { requireCitableRuns } from '../../core/paper/runs.js';
import { cleanupTempDirs, readJson, snapshotTree } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { runDirOf, scaffoldProject, verifyTag } from '../helpers/project.js';

const definitions = {
  val_loss: { definition: 'Mean cross-entropy on the validation split', unit: 'nats', higher_is_better: false },
  val_accuracy: { definition: 'Top-1 accuracy on the validation split', unit: 'fraction', higher_is_better: true, display_digits: 3 },
};
const completed = {
  metrics: { val_accuracy: 0.91, val_loss: 0.27 },
  metric_definitions: definitions,
  primary_metric: 'val_accuracy',
  results: { val_accuracy: 0.91 },
  best_checkpoint: { path: 'best.pt', selected_by: 'val_loss', epoch: 2, metric_value: 0.27 },
  history: [{ epoch: 1, val_loss: 0.5 }, { epoch: 2, val_loss: 0.27 }],
};
const sha256 = (bytes: string | Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A metrics file as dl_lab_log.py writes it: a head and a JSON Lines history (with an uncommitted tail). */
const writeLoggedRun = (dir: string, head: Record<string, unknown>, lines: object[], tail = ''): void => {
  mkdirSync(dir, { recursive: true });
  const history = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
  writeFileSync(join(dir, 'metrics.history.jsonl'), history + tail);
  const historyFile = { path: 'metrics.history.jsonl', bytes: Buffer.byteLength(history), sha256: sha256(history) };
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify({ schema_version: '1.1', ...head, history_file: historyFile }));
};

describe('runs that did not complete, and resumed runs (contract 1.1)', () => {
  let root: string;
  const run = (tag: string, options: Record<string, unknown> = {}) => runGenerator('run', { cwd: root, args: [tag], options });
  before(async () => {
    root = await scaffoldProject();
    mkdirSync(join(root, 'tmp'), { recursive: true });
    writeFileSync(join(root, 'tmp/metrics.json'), JSON.stringify(completed));
    writeFileSync(join(root, 'tmp/best.pt'), 'weights after epoch 2');
    await run('base', { metrics: 'tmp/metrics.json' });
  });
  after(cleanupTempDirs);

  it('--status failed without --metrics seals a failed run with no metrics, never the wiring placeholders', async () => {
    await run('crashed', { status: 'failed', statusReason: 'CUDA out of memory at epoch 3' });
    const dir = runDirOf(root, 'crashed');
    const summary = readJson(join(dir, 'summary.json'));
    assert.deepEqual(
      { status: summary.status, reason: summary.status_reason, metrics: summary.metrics, definitions: summary.metric_definitions, demo: summary.demo },
      { status: 'failed', reason: 'CUDA out of memory at epoch 3', metrics: {}, definitions: {}, demo: false },
    );
    assert.equal(summary.primary_metric, undefined);
    assert.doesNotMatch(readFileSync(join(dir, 'analysis.json'), 'utf8'), /placeholder/);
    assert.deepEqual(readJson(join(dir, 'analysis.json')).results, {});
    assert.deepEqual((await verifyTag(root, 'crashed')).problems, [], 'verify passes a failed run');
  });

  it('a log left "running" is sealed as interrupted ("the log was never closed"), with its whole history lines only', async () => {
    const head = { status: 'running', metrics: { val_loss: 0.4 }, metric_definitions: definitions, results: {} };
    // Epoch 2 was appended after the head was last written (log() does not rewrite it); epoch 3's write was cut short.
    writeLoggedRun(join(root, 'tmp/killed'), head, [{ epoch: 1, val_loss: 0.5 }], '{"epoch":2,"val_loss":0.4}\n{"epoch":3,"val_lo');
    await run('killed', { metrics: 'tmp/killed/metrics.json' });
    const dir = runDirOf(root, 'killed');
    const summary = readJson(join(dir, 'summary.json'));
    assert.equal(summary.status, 'interrupted');
    assert.equal(summary.status_reason, 'the log was never closed');
    assert.deepEqual(readJson(join(dir, 'analysis.json')).history, [{ epoch: 1, val_loss: 0.5 }, { epoch: 2, val_loss: 0.4 }]);
    assert.deepEqual((await verifyTag(root, 'killed')).problems, []);
  });

  it('refuses to upgrade a run: --status completed on a running log, failed on an interrupted one; nothing is written', async () => {
    const before = snapshotTree(join(root, 'artifacts'));
    await assert.rejects(run('upgrade', { metrics: 'tmp/killed/metrics.json', status: 'completed' }), /--status completed contradicts tmp\/killed\/metrics\.json: \/status "running" \(a log that was never closed is not a completed run\)/);
    writeLoggedRun(join(root, 'tmp/term'), { status: 'interrupted', status_reason: 'SIGTERM', metrics: {}, metric_definitions: definitions, results: {} }, []);
    await assert.rejects(run('relabel', { metrics: 'tmp/term/metrics.json', status: 'failed' }), /--status failed contradicts tmp\/term\/metrics\.json: \/status "interrupted"/);
    await assert.rejects(run('no-status', { statusReason: 'why' }), /--status-reason needs --status/);
    await assert.rejects(run('bad-status', { status: 'done' }), /--status must be one of completed, interrupted, failed, got "done"/);
    assert.deepEqual(snapshotTree(join(root, 'artifacts')), before);
  });

  it('refuses a history file whose committed bytes were edited, naming the file', async () => {
    writeLoggedRun(join(root, 'tmp/edited'), { status: 'running', metrics: {}, metric_definitions: definitions, results: {} }, [{ epoch: 1, val_loss: 0.5 }]);
    writeFileSync(join(root, 'tmp/edited/metrics.history.jsonl'), '{"epoch":1,"val_loss":0.1}\n');
    await assert.rejects(run('edited', { metrics: 'tmp/edited/metrics.json' }), /tmp\/edited\/metrics\.json history_file metrics\.history\.jsonl: its first 27 bytes have sha256 .* not the [0-9a-f]{12}… its metrics file saw \(edited\?\)/);
  });

  it('paper refuses a failed run by name and status; check-paper reports its citation as not-completed-run', async () => {
    await assert.rejects(requireCitableRuns(root, ['crashed']), /run crashed did not complete: it is failed \(CUDA out of memory at epoch 3\); only completed runs may be cited; refusing to cite it/);
    writeFileSync(join(root, 'draft.md'), '# Results\n\nSee artifacts/runs/crashed/analysis.json:results.val_accuracy and \\dlresult{base}{val_accuracy}.\n');
    const report = await checkPaper(root, ['draft.md']);
    assert.equal(report.ok, false);
    assert.deepEqual(report.violations.map((v) => [v.kind, v.text]), [['not-completed-run', 'artifacts/runs/crashed/analysis.json:results.val_accuracy']]);
    assert.match(report.violations[0].message, /run crashed did not complete: it is failed/);
  });

  it('compare shows the status, and its gate cannot decide on a run that did not complete', async () => {
    const comparison = compareRuns(await resolveRun(root, 'base', 'A'), await resolveRun(root, 'killed', 'B'), { kind: 'absolute', value: 0 });
    assert.equal(comparison.b.status, 'interrupted');
    assert.equal(comparison.gate.status, 'undecidable');
    assert.match(comparison.gate.reason, /killed is interrupted \(the log was never closed\): a run that did not complete cannot gate anything/);
  });

  it('recordUnfinishedRun (for a sweep trial) leaves out an invalid metrics file and says why in the reason', async () => {
    writeFileSync(join(root, 'tmp/broken.json'), '{"metrics": {"val_loss": NaN}}');
    await recordUnfinishedRun({ cwd: root, tag: 'trial-3', status: 'failed', reason: 'exit status 1', metrics: 'tmp/broken.json', command: ['dl-lab', 'sweep'] });
    const summary = readJson(join(runDirOf(root, 'trial-3'), 'summary.json'));
    assert.equal(summary.status, 'failed');
    assert.match(summary.status_reason, /^exit status 1; metrics file left out: tmp\/broken\.json: not valid JSON/);
    assert.deepEqual(summary.metrics, {});
  });

  it("recordUnfinishedRun seals the status a metrics file closed with (interrupted, failed) over the caller's reading of the exit status", async () => {
    const { best_checkpoint: _none, ...numbers } = completed;
    for (const [tag, logged, callerSaw] of [['trial-sigterm', 'interrupted', 'failed'], ['trial-raised', 'failed', 'interrupted']] as const) {
      writeFileSync(join(root, `tmp/${tag}.json`), JSON.stringify({ ...numbers, status: logged, status_reason: 'the logger closed it' }));
      await recordUnfinishedRun({ cwd: root, tag, status: callerSaw, reason: 'exit status 143', metrics: `tmp/${tag}.json`, command: ['dl-lab', 'sweep'] });
      const summary = readJson(join(runDirOf(root, tag), 'summary.json'));
      assert.deepEqual([summary.status, summary.status_reason, summary.metrics], [logged, 'the logger closed it; exit status 143', completed.metrics], tag);
      assert.deepEqual((await verifyTag(root, tag)).problems, [], tag);
    }
  });

  it('recordUnfinishedRun takes extra run files, the experiment entry and a provenance captured once for several runs', async () => {
    const provenance = startProvenanceCapture(root);
    const experiment = { name: 'sw', variant: 'base', seed: 4, overrides: {}, exit_status: 3 };
    for (const tag of ['trial-4', 'trial-5']) {
      await recordUnfinishedRun(
        { cwd: root, tag, status: 'failed', reason: 'exit status 3', command: ['dl-lab', 'sweep'], experiment, extraFiles: [{ name: 'logs/tail.log', role: 'other', bytes: Buffer.from('boom\n') }] },
        provenance,
      );
      const manifest = readJson(join(runDirOf(root, tag), 'manifest.json'));
      assert.deepEqual(manifest.experiment, experiment);
      assert.equal(readFileSync(join(runDirOf(root, tag), 'logs/tail.log'), 'utf8'), 'boom\n');
      assert.ok(manifest.outputs.some((o: { path: string; role: string }) => o.path === `artifacts/runs/${tag}/logs/tail.log` && o.role === 'other'), tag);
      assert.deepEqual((await verifyTag(root, tag)).problems, [], tag);
    }
    assert.deepEqual(readJson(join(runDirOf(root, 'trial-4'), 'manifest.json')).code.git, readJson(join(runDirOf(root, 'trial-5'), 'manifest.json')).code.git);
  });

  it('--parent records {tag, seal, checkpoint_sha256}; verify fails when the parent is altered or gone', async () => {
    await run('base-ckpt', { metrics: 'tmp/metrics.json', checkpoint: 'tmp/best.pt' });
    const parentSeal = readJson(join(runDirOf(root, 'base-ckpt'), 'manifest.json')).seal.digest;
    await run('resumed', { metrics: 'tmp/metrics.json', parent: 'base-ckpt' });
    const manifest = readJson(join(runDirOf(root, 'resumed'), 'manifest.json'));
    assert.deepEqual(manifest.parent, { tag: 'base-ckpt', seal: parentSeal, checkpoint_sha256: sha256('weights after epoch 2') });
    assert.deepEqual((await verifyTag(root, 'resumed')).problems, []);

    await assert.rejects(run('orphan', { metrics: 'tmp/metrics.json', parent: 'crashed' }), /--parent: run crashed holds no checkpoint file to resume from; its checkpoints: none/);
    await assert.rejects(run('orphan', { metrics: 'tmp/metrics.json', parent: 'nope' }), /--parent: no run nope/);

    const parentDir = runDirOf(root, 'base-ckpt');
    chmodSync(parentDir, 0o755);
    chmodSync(join(parentDir, 'checkpoints'), 0o755);
    chmodSync(join(parentDir, 'checkpoints/best.pt'), 0o644);
    writeFileSync(join(parentDir, 'checkpoints/best.pt'), 'weights, altered');
    const verification = await verifyTag(root, 'resumed');
    assert.equal(verification.ok, false);
    assert.deepEqual(verification.problems.map((p) => [p.file, p.pointer]), [['artifacts/runs/resumed/manifest.json', '/parent']]);
    assert.match(verification.problems[0].message, /^parent run base-ckpt does not pass verification: artifacts\/runs\/base-ckpt\/checkpoints\/best\.pt: size/);
  });

  it('a logged resumed_from names a checkpoint the parent must hold', async () => {
    const head = { status: 'completed', ...completed, history: undefined, parent: { tag: 'base', checkpoint_sha256: sha256('other weights') } };
    writeLoggedRun(join(root, 'tmp/logged-resume'), head, []);
    await assert.rejects(
      run('logged-resume', { metrics: 'tmp/logged-resume/metrics.json' }),
      /tmp\/logged-resume\/metrics\.json: \/parent: the checkpoint training resumed from \(sha256 [0-9a-f]{12}…\) is not one run base holds/,
    );
    await assert.rejects(run('logged-resume', { metrics: 'tmp/logged-resume/metrics.json', parent: 'crashed' }), /--parent crashed contradicts tmp\/logged-resume\/metrics\.json: \/parent\/tag "base"/);
  });
});
