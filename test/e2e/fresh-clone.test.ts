import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyRun } from '../../core/verify/verify-run.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { requirePart } from '../helpers/requirement.js';
import { asUser, canRunAsUser, nonRootUser } from '../helpers/user.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The commands the project is known by, in a fresh clone of the committed HEAD, as a non-root
 * user: `npm ci && npx dl-lab demo --seed 0` and `npx yo dl-lab:demo --seed 0` write the run into
 * the clone's own artifacts/runs/. Instead of `npm ci` fetching the dependencies again, the clone's
 * node_modules links this checkout's packages; then `npm run prepare` does what `npm ci` runs after
 * installing (build, and link the package into its own node_modules so yo finds it).
 */
describe('a fresh clone, as a non-root user', function () {
  this.timeout(600_000);
  const user = nonRootUser();
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(function () {
    requirePart(this, canRunAsUser(user), 'running as root and no uid-1000 user to run the clone as');
    dir = tempDir('dl-lab-clone-');
    mkdirSync(join(dir, 'home'));
    // The Node that runs these tests first on the PATH: under CI's Node 24 pass, npx runs on Node 24.
    env = { HOME: join(dir, 'home'), PATH: `${dirname(process.execPath)}:${process.env.PATH}`, LANG: 'C.UTF-8', NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false', CI: 'true' };
  });
  after(cleanupTempDirs);

  const run = (command: string, args: string[], cwd: string): string => {
    const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 300_000, ...asUser(user) });
    assert.equal(result.status, 0, `${command} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };

  /** `git clone` of HEAD, node_modules linked package by package, prepared, and all of it the user's. */
  const freshClone = (name: string): string => {
    const clone = join(dir, name);
    execFileSync('git', ['clone', '-q', REPO, clone]);
    assert.equal(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: clone, encoding: 'utf8' }), execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }));
    mkdirSync(join(clone, 'node_modules'));
    for (const entry of readdirSync(join(REPO, 'node_modules'))) {
      // This checkout's own link (node_modules/generator-dl-lab -> ..) is the one thing the clone makes itself.
      if (entry !== 'generator-dl-lab') symlinkSync(join(REPO, 'node_modules', entry), join(clone, 'node_modules', entry));
    }
    if (user) execFileSync('chown', ['-R', '-h', `${user.uid}:${user.gid}`, dir]); // -h: the links, never this checkout's packages
    run('npm', ['run', 'prepare'], clone);
    assert.equal(realpathSync(join(clone, 'node_modules', 'generator-dl-lab')), realpathSync(clone));
    assert.equal(readlinkSync(join(clone, 'node_modules', 'generator-dl-lab')), '..');
    return clone;
  };

  const assertDemoRun = async (clone: string, launcher: string): Promise<void> => {
    assert.deepEqual(readdirSync(join(clone, 'artifacts/runs')), ['demo-seed0']);
    assert.deepEqual((await verifyRun(clone, join(clone, 'artifacts/runs/demo-seed0'))).problems, []);
    assert.equal(readJson(join(clone, 'artifacts/runs/demo-seed0/manifest.json')).command[0], launcher);
    // artifacts/ is git-ignored here: the clone's tree stays clean.
    assert.equal(run('git', ['status', '--porcelain'], clone), '');
  };

  /**
   * Neither `dl-lab` nor `yo` is on the PATH in a clone: the `next:` lines say `npx dl-lab …` /
   * `npx yo dl-lab:…`, and the demo one runs as printed (sh -c); its run is removed again.
   */
  const assertNextLinesRun = (stdout: string, clone: string, command: string): void => {
    const next = stdout.split('\n').filter((line) => line.startsWith('next: ')).map((line) => line.slice('next: '.length));
    assert.deepEqual(next, [`npx ${command}run <TAG> --metrics <your metrics.json>`, `npx ${command}demo --seed 1`]);
    assert.match(run('sh', ['-c', next[1]], clone), /^wrote run demo-seed1 /m);
    rmSync(join(clone, 'artifacts/runs/demo-seed1'), { recursive: true, force: true });
  };

  it('npx dl-lab demo --seed 0 writes artifacts/runs/demo-seed0/, and so does npx yo dl-lab:demo --seed 0; what they print next runs', async () => {
    const clone = freshClone('clone');
    const demo = run('npx', ['dl-lab', 'demo', '--seed', '0'], clone);
    assert.match(demo, /^wrote run demo-seed0 -> artifacts\/runs\/demo-seed0\//m);
    await assertDemoRun(clone, 'dl-lab');
    assertNextLinesRun(demo, clone, 'dl-lab ');
    // The same clone again, its run removed (building a second clone would test the build twice).
    rmSync(join(clone, 'artifacts/runs/demo-seed0'), { recursive: true, force: true });
    const yoDemo = run('npx', ['yo', 'dl-lab:demo', '--seed', '0', '--no-insight'], clone);
    assert.match(yoDemo, /^wrote run demo-seed0 -> artifacts\/runs\/demo-seed0\//m);
    await assertDemoRun(clone, 'yo');
    assertNextLinesRun(yoDemo, clone, 'yo dl-lab:');
  });
});
