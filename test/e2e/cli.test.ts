import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { verifyRun } from '../../core/verify/verify-run.js';
import { CLI, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, readJson, snapshotTree, tempDir } from '../helpers/fs.js';
import { git } from '../helpers/git.js';
import { runDirOf, verifyTag } from '../helpers/project.js';

describe('the built dl-lab bin, end to end (child processes)', () => {
  after(cleanupTempDirs);

  it('app -> run -> demo in a fresh project, every run valid and sealed', async () => {
    const root = join(tempDir(), 'e2e');
    const app = runCli(['--name', 'e2e', '--out', root], { cwd: tempDir() });
    assert.equal(app.status, 0, app.stderr);
    assert.match(app.stdout, /created project e2e/);
    assert.match(app.stdout, /next: cd .* && dl-lab demo --seed 0$/m);

    const run = runCli(['run', 'M0-wiring'], { cwd: root });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /wrote run M0-wiring -> artifacts\/runs\/M0-wiring\//);
    // Placeholder numbers: the summary says not to cite them and prints no `cite numbers as` line.
    assert.deepEqual(run.stdout.split('\n').slice(1), [
      'results: placeholder_metric=0',
      'note: Wiring run written by `dl-lab run` without --metrics: every number is a placeholder, not a measurement. Do not cite it.',
      'next: dl-lab run <TAG> --metrics <your metrics.json>',
      'next: dl-lab demo --seed 1',
      '',
    ]);

    const demo = runCli(['demo', '--seed', '0'], { cwd: root });
    assert.equal(demo.status, 0, demo.stderr);
    assert.match(demo.stdout, /wrote run demo-seed0/);
    assert.match(demo.stdout, /cite numbers as artifacts\/runs\/demo-seed0\/analysis\.json:results\.<key>/);
    const epochLines = demo.stderr.split('\n').filter((line) => line.startsWith('epoch '));
    assert.ok(epochLines.length > 0 && epochLines.length <= 40, `without a TTY at most one line per epoch (${epochLines.length})`);

    for (const tag of ['M0-wiring', 'demo-seed0']) assert.deepEqual((await verifyTag(root, tag)).problems, [], tag);
    assert.equal(readJson(join(runDirOf(root, 'demo-seed0'), 'manifest.json')).code.git.commit, git(root, 'rev-parse', 'HEAD'));
    assert.deepEqual(readJson(join(runDirOf(root, 'demo-seed0'), 'manifest.json')).command, ['dl-lab', 'demo', '--seed', '0']);
  });

  it('demo --out-dir works anywhere (the original smoke test) and --quiet prints only the summary', async () => {
    const out = join(tempDir(), 'dl_run');
    const demo = runCli(['demo', '--seed', '0', '--out-dir', out, '--quiet'], { cwd: tempDir() });
    assert.equal(demo.status, 0, demo.stderr);
    assert.equal(demo.stderr, '');
    for (const file of ['manifest.json', 'summary.json', 'analysis.json', 'checkpoints/best.json']) assert.ok(existsSync(join(out, file)), file);
    assert.deepEqual((await verifyRun(out, out)).problems, []);
  });

  it("demo --out-dir from inside a project trains with the project's config, wherever the folder is", () => {
    const work = tempDir();
    assert.equal(runCli(['--name', 'outdirs', '--out', 'p', '--skip-git', '--framework', 'none'], { cwd: work }).status, 0);
    const root = join(work, 'p');
    const config = readJson(join(root, 'configs/default.json'));
    writeFileSync(join(root, 'configs/default.json'), JSON.stringify({ ...config, training: { ...config.training, epochs: 3 } }));
    // A sibling of the project (../), a folder elsewhere (absolute), and one inside it.
    for (const out of ['../beside', join(tempDir(), 'elsewhere'), 'tmp/inside']) {
      const demo = runCli(['demo', '--seed', '0', '--out-dir', out, '--quiet'], { cwd: root });
      assert.equal(demo.status, 0, demo.stderr);
      const manifest = readJson(resolve(root, out, 'manifest.json'));
      assert.equal(manifest.config.path, 'configs/default.json', out);
      assert.equal(manifest.hyperparameters.training.epochs, 3, out);
    }
  });

  it('a user error exits 1 with one clear line naming the field, no stack trace, nothing written', () => {
    const root = tempDir();
    assert.equal(runCli(['--name', 'errs', '--skip-git'], { cwd: root }).status, 0);
    writeFileSync(join(root, 'configs/default.json'), '{"seed": "zero"}');
    const before = snapshotTree(root);
    for (const [args, message] of [
      [['run', 'bad tag'], /^dl-lab run: error: invalid TAG "bad tag"/],
      [['run', 'ok-tag'], /configs\/default\.json: \/seed: must be integer/],
      [['demo', '--seed', 'abc'], /--seed must be an integer/],
    ] as const) {
      const result = runCli([...args], { cwd: root });
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.doesNotMatch(result.stderr, /An error occured/, 'no Yeoman banner');
    }
    assert.deepEqual(snapshotTree(root), before);
  });

  it('run outside a project says how to make one', () => {
    const result = runCli(['run', 'x'], { cwd: tempDir() });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no dl-lab project at or above .* \(no \.yo-rc\.json found\); create one with `dl-lab --name <project>`/);
  });

  it('--help prints each sub-generator\'s options and USAGE examples', () => {
    for (const [sub, example] of [['run', 'dl-lab run M0-wiring'], ['demo', 'dl-lab demo --seed 0'], ['app', 'dl-lab --name moons-mlp']] as const) {
      const result = runCli(sub === 'app' ? ['--help'] : [sub, '--help'], { cwd: tempDir() });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /Options:/);
      assert.ok(result.stdout.includes(example), `${sub} --help shows ${example}`);
    }
    // The usage line names the command the user ran, not yo.
    assert.match(runCli(['run', '--help'], { cwd: tempDir() }).stdout, /^Usage:\n {2}dl-lab run <tag> \[options\]$/m);
  });

  it('`dl-lab app`, as its usage line prints it, is `dl-lab`; a word that is no command is one line, exit 1', () => {
    const help = runCli(['app', '--help'], { cwd: tempDir() });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage:\n {2}dl-lab app \[options\]$/m);
    const root = join(tempDir(), 'named');
    const app = runCli(['app', '--name', 'named', '--out', root, '--skip-git'], { cwd: tempDir() });
    assert.equal(app.status, 0, app.stderr);
    assert.match(app.stdout, /created project named/);
    const cwd = tempDir();
    const unknown = runCli(['apps', '--name', 'x'], { cwd });
    assert.equal(unknown.status, 1);
    assert.equal(unknown.stderr, "dl-lab: error: unknown command 'apps'; commands: app, aggregate, check-paper, compare, data, demo, paper, report, reproduce, run, runs, sweep, verify\n");
    assert.deepEqual(readdirSync(cwd), [], 'nothing written');
  });

  it("README's NODE_OPTIONS line (memory where dl-lab cannot set it itself) runs as printed, and dl-lab runs under it", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const lines = readme.split('\n').filter((line) => line.startsWith('export NODE_OPTIONS='));
    assert.equal(lines.length, 1, lines.join('\n'));
    const root = join(tempDir(), 'node-options');
    assert.equal(runCli(['--name', 'node-options', '--out', root], { cwd: tempDir() }).status, 0);
    mkdirSync(join(root, 'data'));
    writeFileSync(join(root, 'data', 'rows.csv'), 'x,y\n1,2\n');
    const script = `dl-lab() { "${process.execPath}" "${CLI}" "$@"; }\n${lines[0]}\ndl-lab data add data/rows.csv --name rows && dl-lab data list && printf '%s' "$NODE_OPTIONS"`;
    const result = spawnSync('bash', ['-c', script], { cwd: root, encoding: 'utf8' });
    // Node refuses an option it does not allow in NODE_OPTIONS with exit 9 before running anything.
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^rows\b/m);
    assert.ok(result.stdout.endsWith('--max-semi-space-size=8'), result.stdout);
  });

  it('--version and -V print the package version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) assert.deepEqual({ ...runCli([flag], { cwd: tempDir() }) }, { status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it("runs from V8's code cache kept per user and command: written once, reused, rewritten when unusable, same results", () => {
    const cacheHome = tempDir();
    const cacheDir = join(cacheHome, 'dl-lab', 'code-cache');
    const env = { XDG_CACHE_HOME: cacheHome };
    const work = tempDir();
    const demo = (outDir: string, extra: Record<string, string> = {}): void => {
      const result = runCli(['demo', '--seed', '0', '--quiet', '--out-dir', outDir], { cwd: work, env: { ...env, ...extra } });
      assert.equal(result.status, 0, result.stderr);
    };
    const cacheFiles = (): string[] => (existsSync(cacheDir) ? readdirSync(cacheDir).sort() : []);
    const sameResults = (a: string, b: string): void => {
      // Everything but summary.json, which records how long training took.
      for (const file of ['analysis.json', 'checkpoints/best.json', 'figures/training_curves.pdf', 'figures/training_curves.png']) {
        assert.ok(readFileSync(join(work, a, file)).equals(readFileSync(join(work, b, file))), `${file} of ${a} and ${b}`);
      }
    };

    demo('first');
    const [file, ...others] = cacheFiles();
    assert.deepEqual(others, []);
    assert.match(file ?? '', new RegExp(`^[0-9a-f]{32}-${process.version}-${process.platform}-${process.arch}-demo\\.v8$`));
    const path = join(cacheDir, file!);
    assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const written = readFileSync(path);
    const writtenAt = statSync(path).mtimeMs;
    assert.ok(written.length > 100_000, `${written.length} bytes of cached code`);

    demo('second'); // from the cache: the file is left as it is
    assert.equal(statSync(path).mtimeMs, writtenAt);
    assert.ok(readFileSync(path).equals(written));
    sameResults('first', 'second');

    writeFileSync(path, 'not V8 code'); // V8 refuses it: the command compiles, succeeds, and writes it anew
    demo('third');
    assert.ok(readFileSync(path).length > 100_000);
    sameResults('first', 'third');

    // A failed command caches nothing; NODE_DISABLE_COMPILE_CACHE turns the cache off.
    assert.equal(runCli(['run', 'x'], { cwd: tempDir(), env }).status, 1);
    demo('fourth', { XDG_CACHE_HOME: join(cacheHome, 'other'), NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.deepEqual(cacheFiles(), [file]);
    assert.equal(existsSync(join(cacheHome, 'other')), false);
    sameResults('first', 'fourth');
  });

  it('a corrupt .yo-rc.json is an error naming the file', () => {
    const root = tempDir();
    writeFileSync(join(root, '.yo-rc.json'), '{"generator-dl-lab": ');
    const result = runCli(['run', 'x'], { cwd: root });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /\.yo-rc\.json: not valid JSON/);
    assert.equal(readFileSync(join(root, '.yo-rc.json'), 'utf8'), '{"generator-dl-lab": ');
  });
});
