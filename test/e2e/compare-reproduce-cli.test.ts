import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../../core/hash.js';
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

  it('reproduce of a demo --out-dir run outside the project checks the project\'s config file, not one in the run folder', () => {
    const outside = tempDir();
    const made = cli('demo', '--seed', '0', '--epochs', '5', '--out-dir', join(outside, 'dl_run'), '--quiet');
    assert.equal(made.status, 0, made.stderr);
    const config = join(root, 'configs/default.json');
    const original = readFileSync(config, 'utf8');
    const recorded = `${sha256Hex(original).slice(0, 12)}…`;
    const again = (name: string, cwd = root) => runCli(['reproduce', join(outside, 'dl_run'), '--out-dir', join(outside, name), '--quiet'], { cwd });
    const configLine = (stdout: string) => stdout.split('\n').find((line) => /^(⚠ )?config/.test(line));

    const unchanged = again('unchanged');
    assert.equal(unchanged.status, 0, unchanged.stderr);
    assert.equal(configLine(unchanged.stdout), `config: configs/default.json unchanged since the run (sha256 ${recorded})`);
    assert.doesNotMatch(unchanged.stdout + unchanged.stderr, /⚠/);
    assert.match(unchanged.stdout, /^REPRODUCED: /m);

    try {
      writeFileSync(config, original.replace('"lr": 0.5', '"lr": 0.05'));
      const changed = again('changed');
      assert.equal(changed.status, 0, changed.stderr);
      const warning = `⚠ config file changed since the run: configs/default.json has sha256 ${sha256Hex(readFileSync(config)).slice(0, 12)}… now, ${recorded} when the run was made; the reproduction uses the recorded hyperparameters (manifest.json /hyperparameters), not the file`;
      assert.equal(configLine(changed.stdout), warning);
      assert.ok(changed.stderr.includes(`${warning}\n`), changed.stderr);

      renameSync(config, `${config}.moved`);
      const missing = again('missing');
      assert.equal(missing.status, 0, missing.stderr);
      const gone = '⚠ config file configs/default.json no longer exists; the reproduction uses the recorded hyperparameters (manifest.json /hyperparameters)';
      assert.equal(configLine(missing.stdout), gone);
      assert.ok(missing.stderr.includes(`${gone}\n`), missing.stderr);
    } finally {
      if (existsSync(`${config}.moved`)) renameSync(`${config}.moved`, config);
      writeFileSync(config, original);
    }

    // Outside any project nothing says which project the path was relative to: no false warning.
    const elsewhere = again('elsewhere', tempDir());
    assert.equal(elsewhere.status, 0, elsewhere.stderr);
    assert.equal(
      configLine(elsewhere.stdout),
      `config: configs/default.json not checked: it is relative to the project the run was made in, which the run does not record; reproduce from inside that project to check it (sha256 ${recorded} when the run was made)`,
    );
    assert.doesNotMatch(elsewhere.stdout + elsewhere.stderr, /⚠/);
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
