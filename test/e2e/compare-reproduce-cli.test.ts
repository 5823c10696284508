import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { runDirOf, scaffoldProject } from '../helpers/project.js';
import { captureOutput, metricsFile, sealMetricsRun } from '../helpers/runs.js';

describe('compare, reproduce and report through the built dl-lab bin: exit codes', () => {
  let root: string;
  const cli = (...args: string[]) => runCli(args, { cwd: root });

  // The runs are made in-process (faster); every command under test runs as the built bin.
  before(async () => {
    root = await scaffoldProject({ name: 'e2e' });
    await captureOutput(async () => {
      await runGenerator('demo', { cwd: root, options: { seed: 0, quiet: true } });
      await runGenerator('demo', { cwd: root, options: { seed: 0, hidden: 0, tag: 'linear', quiet: true } });
      await runGenerator('demo', { cwd: root, options: { seed: 1, quiet: true } });
    });
    await sealMetricsRun(root, 'M1-external', metricsFile(0.9, 0.3));
  });
  after(cleanupTempDirs);

  it('compare: 0 without a gate, 2 on a regression, 3 when not comparable, 1 on a user error', () => {
    const plain = cli('compare', 'demo-seed0', 'linear');
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /test_accuracy \* +0\.\d+ +0\.\d+ +-0\.\d+ +worse/);

    const regression = cli('compare', 'demo-seed0', 'linear', '--fail-on-regression');
    assert.equal(regression.status, 2, regression.stderr);
    assert.match(regression.stdout, /REGRESSION/);
    assert.equal(cli('compare', 'linear', 'demo-seed0', '--fail-on-regression').status, 0, 'the better run passes');
    assert.equal(cli('compare', 'demo-seed0', 'linear', '--fail-on-regression', '--tolerance', '50%').status, 0);

    const incomparable = cli('compare', 'demo-seed0', 'demo-seed1', '--fail-on-regression');
    assert.equal(incomparable.status, 3);
    assert.match(incomparable.stderr, /⚠ NOT COMPARABLE[\s\S]*dataset two_moons: sha256/);
    assert.equal(cli('compare', 'demo-seed0', 'demo-seed1').status, 0, 'without the gate it only warns');

    const json = cli('compare', 'demo-seed0', 'linear', '--fail-on-regression', '--json');
    assert.equal(json.status, 2);
    assert.equal(JSON.parse(json.stdout).gate.status, 'regression');

    const unknown = cli('compare', 'demo-seed0', 'nope');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^dl-lab compare: error: B: no run "nope"/);
    assert.doesNotMatch(unknown.stderr, /\n\s+at /, 'no stack trace');
  });

  it('compare accepts run folders by path (e.g. demo --out-dir runs outside a project)', () => {
    const outside = tempDir();
    for (const [dir, hidden] of [['a', '16'], ['b', '0']]) {
      assert.equal(runCli(['demo', '--seed', '0', '--epochs', '5', '--hidden', hidden, '--out-dir', dir, '--quiet'], { cwd: outside }).status, 0);
    }
    const result = runCli(['compare', 'a', 'b', '--json'], { cwd: outside });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual([report.a.verified, report.b.verified, report.comparable], [true, true, true]);
    assert.deepEqual(report.differences.filter((d: { section: string }) => d.section === 'hyperparameters').map((d: { key: string }) => d.key), ['model.hidden']);
  });

  it('reproduce: 0 for a demo run (bitwise), 3 for training outside dl-lab, 1 for an unknown run', () => {
    const demo = cli('reproduce', 'demo-seed0', '--quiet');
    assert.equal(demo.status, 0, demo.stderr);
    assert.match(demo.stdout, /^REPRODUCED: /m);
    assert.ok(existsSync(join(runDirOf(root, 'demo-seed0-repro'), 'manifest.json')));
    assert.equal(cli('verify', 'demo-seed0-repro').status, 0);

    const external = cli('reproduce', 'M1-external');
    assert.equal(external.status, 3);
    assert.match(external.stdout, /cannot reproduce M1-external: its training ran outside dl-lab/);

    const unknown = cli('reproduce', 'nope');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^dl-lab reproduce: error: TAG: no run "nope"/);
  });

  it('report: writes artifacts/report.html and exits 0', () => {
    const result = cli('report');
    assert.equal(result.status, 0, result.stderr);
    const runs = readdirSync(join(root, 'artifacts/runs'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).length;
    assert.ok(runs >= 4);
    assert.match(result.stdout, new RegExp(`^wrote artifacts/report\\.html \\(${runs} runs, all verified\\)$`, 'm'));
    assert.ok(existsSync(join(root, 'artifacts/report.html')));
  });

  it('--help shows each new command\'s options and USAGE examples', () => {
    for (const [sub, example] of [['compare', 'dl-lab compare M1-baseline M2-wider --fail-on-regression'], ['reproduce', 'dl-lab reproduce demo-seed0'], ['report', 'dl-lab report']] as const) {
      const help = runCli([sub, '--help'], { cwd: tempDir() });
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, /Options:/);
      assert.ok(help.stdout.includes(example), `${sub} --help shows ${example}`);
    }
  });
});
