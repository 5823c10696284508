import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTempDirs, readJson, snapshotTree } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { runDirOf, scaffoldProject, verifyTag } from '../helpers/project.js';
import { captureOutput, metricsFile, sealMetricsRun, tamperRunFile } from '../helpers/runs.js';

describe('dl-lab reproduce (reproduce generator)', () => {
  let root: string;
  const reproduce = (tag: string, options: Record<string, unknown> = {}) =>
    captureOutput(() => runGenerator('reproduce', { cwd: root, args: [tag], options: { quiet: true, ...options } }));
  const bytes = (tag: string, file: string) => readFileSync(join(runDirOf(root, tag), file));

  before(async () => {
    root = await scaffoldProject();
    await captureOutput(async () => {
      await runGenerator('demo', { cwd: root, options: { seed: 0, quiet: true } });
      await runGenerator('demo', { cwd: root, options: { seed: 3, epochs: 7, lr: 0.2, tag: 'demo-overrides', quiet: true } });
      await runGenerator('run', { cwd: root, args: ['M0-wiring'] });
    });
    await sealMetricsRun(root, 'M1-external', metricsFile(0.9, 0.3));
  });
  afterEach(() => {
    process.exitCode = undefined;
  });
  after(cleanupTempDirs);

  it('re-runs a demo run from its manifest into <TAG>-repro: checkpoint, figures, history and results bitwise identical', async () => {
    const { stdout } = await reproduce('demo-seed0');
    assert.equal(process.exitCode, undefined);
    assert.deepEqual((await verifyTag(root, 'demo-seed0-repro')).problems, []);
    assert.deepEqual(bytes('demo-seed0-repro', 'checkpoints/best.json'), bytes('demo-seed0', 'checkpoints/best.json'));
    assert.deepEqual(bytes('demo-seed0-repro', 'figures/training_curves.png'), bytes('demo-seed0', 'figures/training_curves.png'));
    const [a, b] = ['demo-seed0', 'demo-seed0-repro'].map((tag) => readJson(join(runDirOf(root, tag), 'analysis.json')));
    assert.equal(JSON.stringify(b.history), JSON.stringify(a.history));
    assert.equal(JSON.stringify(b.results), JSON.stringify(a.results));
    const [ma, mb] = ['demo-seed0', 'demo-seed0-repro'].map((tag) => readJson(join(runDirOf(root, tag), 'manifest.json')));
    assert.deepEqual(mb.hyperparameters, ma.hyperparameters);
    assert.deepEqual(mb.config, ma.config);
    assert.deepEqual(mb.data, ma.data);
    assert.equal(mb.tag, 'demo-seed0-repro');
    assert.match(stdout, /^reproduced demo-seed0 as demo-seed0-repro -> .*artifacts\/runs\/demo-seed0-repro\/ from its manifest alone/m);
    assert.match(stdout, /^config: configs\/default\.json unchanged since the run/m);
    assert.match(stdout, /^ {2}output +checkpoints\/best\.json +bitwise identical /m);
    assert.match(stdout, /^ {2}metric +duration_seconds +not reproducible by definition /m);
    assert.match(stdout, /^REPRODUCED: 2\d checks bitwise identical; not reproducible by definition: duration_seconds$/m);
  });

  it('uses the recorded overrides and settings, and picks the next free tag', async () => {
    const { stdout } = await reproduce('demo-overrides', { json: true });
    const report = JSON.parse(stdout);
    assert.equal(report.status, 'reproduced');
    assert.equal(report.exit_code, 0);
    assert.equal(report.reproduced.tag, 'demo-overrides-repro');
    assert.deepEqual(report.checks.filter((c: { status: string }) => c.status !== 'identical').map((c: { name: string }) => c.name), ['duration_seconds']);
    const manifest = readJson(join(runDirOf(root, 'demo-overrides-repro'), 'manifest.json'));
    assert.deepEqual(manifest.config.overrides, { seed: 3, epochs: 7, lr: 0.2 });
    assert.equal(manifest.hyperparameters.training.epochs, 7);
    await reproduce('demo-overrides', { quiet: true });
    assert.ok(existsSync(runDirOf(root, 'demo-overrides-repro2')), 'a tag is never reused');
  });

  it('detects a config file changed since the run, and still reproduces from the recorded hyperparameters', async () => {
    const config = join(root, 'configs/default.json');
    const original = readFileSync(config, 'utf8');
    writeFileSync(config, original.replace('"lr": 0.5', '"lr": 0.05'));
    try {
      const { stdout, stderr } = await reproduce('demo-seed0', { as: 'after-config-change' });
      assert.equal(process.exitCode, undefined);
      for (const out of [stdout, stderr]) {
        assert.match(out, /⚠ config file changed since the run: configs\/default\.json has sha256 [0-9a-f]{12}… now, [0-9a-f]{12}… when the run was made; the reproduction uses the recorded hyperparameters/);
      }
      assert.equal(readJson(join(runDirOf(root, 'after-config-change'), 'manifest.json')).hyperparameters.training.lr, 0.5);
      assert.deepEqual(bytes('after-config-change', 'checkpoints/best.json'), bytes('demo-seed0', 'checkpoints/best.json'));
      const json = JSON.parse((await reproduce('demo-seed0', { as: 'after-config-change-json', json: true })).stdout);
      assert.equal(json.config.status, 'changed');
    } finally {
      writeFileSync(config, original);
    }
  });

  it('refuses a run that fails verification (tampered after sealing) and writes nothing', async () => {
    await captureOutput(() => runGenerator('demo', { cwd: root, options: { seed: 5, epochs: 3, tag: 'tampered', quiet: true } }));
    tamperRunFile(root, 'tampered', 'analysis.json', (text) => text.replace(/"test_accuracy": [0-9.]+/, '"test_accuracy": 1'));
    const before = snapshotTree(root);
    await assert.rejects(reproduce('tampered'), /run tampered fails verification: reproduce refuses a run whose record is not as sealed[\s\S]*analysis\.json: sha256 /);
    assert.deepEqual(snapshotTree(root), before);
  });

  it('says clearly that a run trained outside dl-lab cannot be re-executed (exit 3), and what would be needed', async () => {
    const before = snapshotTree(root);
    const { stdout } = await reproduce('M1-external');
    assert.equal(process.exitCode, 3);
    assert.match(stdout, /^cannot reproduce M1-external: its training ran outside dl-lab/m);
    for (const needed of ['sealed by', 'code', 'config', 'hyperparameters', 'seed', 'data', 'environment']) {
      assert.match(stdout, new RegExp(`^ {2}${needed} {2,}\\S`, 'm'), needed);
    }
    assert.match(stdout, /data +none recorded/);
    assert.deepEqual(snapshotTree(root), before, 'nothing written');
    process.exitCode = undefined;
    const json = JSON.parse((await reproduce('M1-external', { json: true })).stdout);
    assert.equal(json.status, 'cannot reproduce');
    assert.equal(json.exit_code, 3);
    assert.deepEqual(Object.keys(json.needed_to_reproduce), ['sealed_by_command', 'code', 'config', 'hyperparameters', 'seed', 'data', 'environment']);
  });

  it('a wiring run has nothing to re-execute (exit 3)', async () => {
    const { stdout } = await reproduce('M0-wiring');
    assert.equal(process.exitCode, 3);
    assert.match(stdout, /cannot reproduce M0-wiring: it is a wiring run/);
  });

  it('refuses an unknown run and a taken --as tag', async () => {
    await assert.rejects(reproduce('nope'), /TAG: no run "nope"/);
    await assert.rejects(reproduce('demo-seed0', { as: 'M0-wiring' }), /already exists/);
    await assert.rejects(reproduce('demo-seed0', { as: 'bad tag' }), /invalid --as "bad tag"/);
  });
});
