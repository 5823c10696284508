import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyRun } from '../../core/verify/verify-run.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { requirePart } from '../helpers/requirement.js';
import { asUser, canRunAsUser, nonRootUser } from '../helpers/user.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const YO = join(REPO, 'node_modules/.bin/yo');

describe('yo dl-lab (real yo, as a non-root user)', function () {
  this.timeout(180_000);
  const user = nonRootUser();
  after(cleanupTempDirs);

  before(function () {
    // As root, yo drops to uid 1000: without such a user there is nobody yo accepts.
    requirePart(this, canRunAsUser(user), 'running as root and no uid-1000 user to run yo as');
  });

  /** A home with `node_modules/generator-dl-lab` → this repo, so yo's local lookup finds the built package. */
  const workspace = (): { home: string; project: string } => {
    const home = tempDir('dl-lab-yo-');
    mkdirSync(join(home, 'node_modules'));
    symlinkSync(REPO, join(home, 'node_modules', 'generator-dl-lab'));
    const project = join(home, 'proj');
    mkdirSync(project);
    if (user) for (const dir of [home, join(home, 'node_modules'), project]) chownSync(dir, user.uid, user.gid);
    return { home, project };
  };

  const yo = (home: string, cwd: string, args: string[]): string => {
    const env = { ...process.env, HOME: home, NO_UPDATE_NOTIFIER: '1', CI: 'true' };
    return execFileSync(process.execPath, [YO, ...args, '--no-insight'], {
      cwd,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      ...asUser(user),
    });
  };

  /** A yo command that must fail: its exit status and stderr. */
  const yoFails = (home: string, cwd: string, args: string[]): { status: number | null; stderr: string } => {
    const env = { ...process.env, HOME: home, NO_UPDATE_NOTIFIER: '1', CI: 'true' };
    const { status, stderr } = spawnSync(process.execPath, [YO, ...args, '--no-insight'], { cwd, env, encoding: 'utf8', ...asUser(user) });
    return { status, stderr };
  };

  it('refuses an option the sub-generator does not declare (yo parses options itself), writing nothing', () => {
    const { home, project } = workspace();
    yo(home, project, ['dl-lab', '--name', 'yo-proj', '--yes']);
    // Meant --metrics: before, this sealed a placeholder wiring run and exited 0.
    const misspelt = yoFails(home, project, ['dl-lab:run', 'M1-x', '--metric', 'tmp/run/metrics.json']);
    assert.equal(misspelt.status, 1);
    assert.equal(misspelt.stderr, 'yo dl-lab:run: error: unknown option "--metric"; see yo dl-lab:run --help\n');
    assert.equal(existsSync(join(project, 'artifacts/runs/M1-x')), false);
    const negated = yoFails(home, project, ['dl-lab:demo', '--seed', '0', '--no-quite']);
    assert.equal(negated.stderr, 'yo dl-lab:demo: error: unknown option "--no-quite"; see yo dl-lab:demo --help\n');
    assert.equal(existsSync(join(project, 'artifacts/runs/demo-seed0')), false);
  });

  it('a user error is one line, as under the dl-lab bin (not Yeoman\'s banner and yo\'s "Error …" above it), exit 1', () => {
    const { home, project } = workspace();
    yo(home, project, ['dl-lab', '--name', 'yo-proj', '--yes']);
    // Found in a task (the metrics file is read), in a later task (verify), and while the options are parsed.
    const cases: Array<[string[], string]> = [
      [['dl-lab:run', 'M1-x', '--metrics', 'tmp/none.json'], 'yo dl-lab:run: error: tmp/none.json: cannot read (ENOENT)'],
      [['dl-lab:verify', 'demo-seed1'], 'yo dl-lab:verify: error: TAG demo-seed1: no such run (artifacts/runs/demo-seed1/ does not exist)'],
      [['dl-lab:demo', '--seed', 'x'], 'yo dl-lab:demo: error: --seed must be an integer from 0 to 4294967295, got "x"'],
    ];
    for (const [args, line] of cases) {
      const failed = yoFails(home, project, args);
      assert.deepEqual({ status: failed.status, stderr: failed.stderr }, { status: 1, stderr: `${line}\n` }, args.join(' '));
    }
    assert.deepEqual(readdirSync(join(project, 'artifacts/runs')), ['README.md'], 'no run written');
  });

  it('lists only our real sub-generators', () => {
    const { home, project } = workspace();
    const listing = yo(home, project, ['--generators']);
    const ours = listing.slice(listing.indexOf('dl-lab')).split('\n').map((l) => l.trim()).filter(Boolean);
    const subGenerators = readdirSync(join(REPO, 'generators'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'app')
      .map((entry) => entry.name)
      .sort();
    assert.deepEqual(ours, ['dl-lab', ...subGenerators], 'app is listed as dl-lab, then every real sub-generator and nothing else');
  });

  it('yo dl-lab, yo dl-lab:run and yo dl-lab:demo write a project and two valid runs', async () => {
    const { home, project } = workspace();
    const scaffold = yo(home, project, ['dl-lab', '--name', 'yo-proj', '--yes']);
    assert.match(scaffold, /created project yo-proj/);
    // Everything printed or scaffolded names the command this user has: yo, not a dl-lab bin they may not have.
    assert.match(scaffold, /^next: cd .* && yo dl-lab:demo --seed 0$/m);
    assert.match(readFileSync(join(project, 'README.md'), 'utf8'), /^yo dl-lab:demo --seed 0$/m);
    assert.doesNotMatch(readFileSync(join(project, 'README.md'), 'utf8'), /^dl-lab /m);
    assert.match(yo(home, project, ['dl-lab:run', '--help']), /^ {4}yo dl-lab:run M0-wiring$/m);
    assert.equal(readJson(join(project, '.yo-rc.json'))['generator-dl-lab'].name, 'yo-proj');
    assert.match(yo(home, project, ['dl-lab:run', 'M0-yo']), /wrote run M0-yo/);
    assert.match(yo(home, project, ['dl-lab:demo', '--seed', '0', '--quiet']), /wrote run demo-seed0/);
    for (const tag of ['M0-yo', 'demo-seed0']) {
      assert.deepEqual((await verifyRun(project, join(project, 'artifacts/runs', tag))).problems, [], tag);
    }
    assert.deepEqual(readJson(join(project, 'artifacts/runs/demo-seed0/manifest.json')).command, ['yo', 'dl-lab:demo', '--seed', '0', '--quiet', '--no-insight']);

    // Piped into a reader that stops reading (`| head`; `true` reads nothing): no EPIPE stack trace, status 0.
    const piped = execFileSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${YO}" dl-lab:runs --no-insight 2>"$HOME/stderr.txt" | true; echo "status $?"; cat "$HOME/stderr.txt"`], {
      cwd: project,
      env: { ...process.env, HOME: home, NO_UPDATE_NOTIFIER: '1', CI: 'true' },
      encoding: 'utf8',
      ...asUser(user),
    });
    assert.equal(piped, 'status 0\n');
  });
});
