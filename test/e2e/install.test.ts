import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { verifyRun } from '../../core/verify/verify-run.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { noPythonMessage, pythonWith, PYTHON_ENV } from '../helpers/python.js';
import { requirePart } from '../helpers/requirement.js';
import { asUser, canRunAsUser, nonRootUser, type User } from '../helpers/user.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TORCH = ['torch', 'numpy', 'jsonschema'];

interface Shell { status: number | null; stdout: string; stderr: string }

/** The test user's npm cache, kept between test runs under the temporary directory (a cache: deleting it costs only time). */
const userNpmCache = (user: User | undefined): string => {
  const dir = join(tmpdir(), `dl-lab-test-npm-cache-${user?.uid ?? process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true });
  if (user) chownSync(dir, user.uid, user.gid);
  return dir;
};

/**
 * The package as a user gets it: `npm pack`, then `npm install -g <tarball>` into a fresh prefix,
 * as a non-root user (uid 1000 when the tests run as root), with nothing of this repository on the
 * PATH. One install per test run (it fetches the dependencies from the npm registry).
 */
describe('installed from the packed tarball, as a non-root user', function () {
  this.timeout(900_000);
  const user = nonRootUser();
  let home: string;
  let env: NodeJS.ProcessEnv;

  /** A command line as the user types it, in their shell, with their PATH. */
  const sh = (line: string, cwd: string, timeout = 300_000): Shell => {
    const result = spawnSync('bash', ['-c', line], { cwd, env, encoding: 'utf8', timeout, ...asUser(user) });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const ok = (line: string, cwd: string): Shell => {
    const result = sh(line, cwd);
    assert.equal(result.status, 0, `${line}\n${result.stdout}\n${result.stderr}`);
    return result;
  };

  before(function () {
    requirePart(this, canRunAsUser(user), 'running as root and no uid-1000 user to install as');
    const dir = tempDir('dl-lab-install-');
    home = join(dir, 'home');
    const prefix = join(home, '.local');
    mkdirSync(join(home, 'bin'), { recursive: true });
    // `python` in the README is the Python that has PyTorch (Debian's python3-torch: /usr/bin/python3).
    const python = pythonWith(TORCH);
    if (python) symlinkSync(python.executable, join(home, 'bin', 'python'));
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = join(dir, pack.stdout.trim().split('\n').at(-1)!);
    if (user) for (const path of [dir, home, join(home, 'bin'), tarball]) chownSync(path, user.uid, user.gid);
    // The caller's environment (its proxy and CA settings reach the registry), minus what `npm run`
    // adds, with the user's own home and a PATH holding nothing of this repository. The Node that
    // runs these tests comes first: under CI's Node 24 pass, the installed bin runs on Node 24.
    env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
      HOME: home,
      PATH: [join(prefix, 'bin'), join(home, 'bin'), dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      // npm's download cache outlives the temporary home: a second test run (CI's Node 24 pass)
      // installs from it instead of fetching every package's metadata again (~1 min here).
      npm_config_cache: userNpmCache(user),
      npm_config_prefer_offline: 'true',
      LANG: 'C.UTF-8',
      NO_UPDATE_NOTIFIER: '1',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_update_notifier: 'false',
      ...PYTHON_ENV,
    };
    // What README's "Use it on your own project" tells a user without root to type.
    const install = sh(`npm install -g --prefix ~/.local ${tarball}`, home, 600_000);
    assert.equal(install.status, 0, install.stderr);
    assert.equal(sh('command -v dl-lab', home).stdout.trim(), join(prefix, 'bin', 'dl-lab'));
  });
  after(cleanupTempDirs);

  it('runs app → demo → run → verify → paper → report from the installed bin in a fresh project', async () => {
    assert.match(ok('dl-lab --name mine --out mine --framework none', home).stdout, /^next: cd .*mine && dl-lab demo --seed 0$/m);
    const project = join(home, 'mine');
    assert.match(ok('dl-lab demo --seed 0 --quiet', project).stdout, /^wrote run demo-seed0 /m);
    assert.match(ok('dl-lab run M0-wiring', project).stdout, /^wrote run M0-wiring /m);
    assert.equal(ok('dl-lab verify', project).stdout, 'ok    M0-wiring\nok    demo-seed0\n2 of 2 run(s) verified\n');
    ok('dl-lab paper demo-seed0', project);
    ok('dl-lab report', project);
    for (const tag of ['demo-seed0', 'M0-wiring']) {
      assert.deepEqual((await verifyRun(project, join(project, 'artifacts/runs', tag))).problems, [], tag);
    }
    // Templates, schemas, USAGE and the bundle all came from the tarball.
    assert.deepEqual(readdirSync(join(project, 'schemas')).length, readdirSync(join(REPO, 'schemas')).length);
    assert.match(readFileSync(join(project, 'paper/dl-lab-results.tex'), 'utf8'), /\\DlLabDefineResult\{demo-seed0\}\{test_accuracy\}/);
    assert.ok(existsSync(join(project, 'artifacts/report.html')));
    assert.match(ok('dl-lab demo --help', project).stdout, /^Usage:\n {2}dl-lab demo \[options\]$/m);
    assert.deepEqual(readJson(join(project, 'artifacts/runs/demo-seed0/manifest.json')).command, ['dl-lab', 'demo', '--seed', '0', '--quiet']);
  });

  describe('every command we print runs as printed', () => {
    let project: string;
    before(function () {
      requirePart(this, pythonWith(TORCH) !== undefined, noPythonMessage(TORCH));
      requirePart(this, spawnSync('sbatch', ['--version']).status === 0, 'no Slurm (sbatch) for the README\'s cluster commands');
    });

    /**
     * Placeholders get the values the text documents: <TAG> a new tag, <your metrics.json> the
     * metrics file train.py wrote (the scaffold's `train:` line runs first).
     */
    let tags = 0;
    const filled = (command: string): string =>
      command.replace(/<TAG>/g, () => `next-${(tags += 1)}`).replace('<your metrics.json>', 'tmp/run/metrics.json');

    /** The commands of `next:` / `train:` lines: one command a line. */
    const printedCommands = (stdout: string): string[] =>
      stdout.split('\n').filter((line) => /^(next|train): /.test(line)).map((line) => line.replace(/^(next|train): /, ''));

    it('the scaffold\'s next: and train: lines, then the next: lines those commands print, in order', () => {
      const scaffold = ok('dl-lab --name printed --out printed', home);
      project = join(home, 'printed');
      const queue = printedCommands(scaffold.stdout);
      assert.deepEqual(queue.length, 2, scaffold.stdout);
      const ran = new Set<string>();
      while (queue.length > 0) {
        const command = queue.shift()!;
        // Each demo suggests the next unused seed: one demo line is followed, not every seed after it.
        const kind = command.replace(/ --seed \d+$/, ' --seed N');
        if (ran.has(kind)) continue;
        ran.add(kind);
        queue.push(...printedCommands(ok(filled(command), project).stdout));
      }
      assert.ok(ran.size >= 5, [...ran].join('\n'));
      assert.ok([...ran].every((command) => !command.includes('npx')), [...ran].join('\n'));
    });

    it('every command line of a fresh project\'s README, in order (Slurm jobs waited for and checked)', () => {
      ok('dl-lab --name readme --out readme', home);
      const root = join(home, 'readme');
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      const lines = [...readme.matchAll(/^```bash\n([\s\S]*?)^```$/gm)]
        .flatMap((block) => block[1].split('\n'))
        .filter((line) => line.trim() && !line.trim().startsWith('#'));
      assert.ok(lines.length >= 10, lines.join('\n'));
      for (const line of lines) {
        assert.doesNotMatch(line.replace(/ +#.*$/, ''), /npx|<[A-Za-z_ .]+>/, `no npx, no placeholder: ${line}`);
        const result = ok(line, root);
        const job = /Submitted batch job (\d+)/.exec(result.stdout)?.[1];
        if (job) waitForJob(job, line, root);
      }
    });

    /** A batch job is done when squeue no longer lists it; it succeeded when it sealed its runs. */
    const waitForJob = (job: string, line: string, root: string): void => {
      const deadline = Date.now() + 300_000;
      while (sh(`squeue -h -j ${job} -o %i`, root).stdout.trim() !== '' && Date.now() < deadline) spawnSync('sleep', ['1']);
      const array = /--array=(\d+)-(\d+)/.exec(line);
      const tags = array ? Array.from({ length: Number(array[2]) - Number(array[1]) + 1 }, (_, i) => `seed${Number(array[1]) + i}-${job}`) : [`run-${job}`];
      for (const tag of tags) {
        const output = readdirSync(root).filter((name) => name.startsWith(`slurm-${job}`)).map((name) => readFileSync(join(root, name), 'utf8')).join('\n');
        assert.ok(existsSync(join(root, 'artifacts/runs', tag, 'manifest.json')), `${line}: job ${job} sealed no ${tag}\n${output}`);
      }
    };
  });
});
