import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';
import { requirePart } from '../helpers/requirement.js';
import { asUser, canRunAsUser, nonRootUser } from '../helpers/user.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Shell { status: number | null; stdout: string; stderr: string }

/** The commands of a summary's `next:` lines, as printed. */
const nextLines = (stdout: string): string[] => stdout.split('\n').filter((line) => line.startsWith('next: ')).map((line) => line.slice('next: '.length));

const METRICS = JSON.stringify({
  metrics: { val_loss: 0.3 },
  metric_definitions: { val_loss: { definition: 'Mean cross-entropy on the validation split', unit: 'nats', higher_is_better: false } },
  primary_metric: 'val_loss',
  results: { val_loss: 0.3 },
});

/**
 * Every command a summary prints runs as printed: the `next:` lines of the scaffold, demo (in a
 * project and outside one), data add, sweep and aggregate, taken from the built bin's stdout, each
 * one command, run by `sh -c` where the user is (exit 0). The placeholders are the user's to fill
 * in, as README says: <TAG> a new tag, <your metrics.json> a metrics file. Through the bin the lines
 * say `dl-lab …` (run here with a `dl-lab` on the PATH, as an installed user has it); started by
 * npx (real npx, in a project whose node_modules has the package), `npx dl-lab …`.
 */
describe('printed commands run as printed (built bin, sh -c)', function () {
  this.timeout(300_000);
  let bin: string;
  let env: NodeJS.ProcessEnv;
  let tags = 0;
  after(cleanupTempDirs);

  before(() => {
    bin = tempDir('dl-lab-bin-');
    symlinkSync(CLI, join(bin, 'dl-lab'));
    // Nothing of npm's: the bin must not think npx started it because these tests run under `npm test`/`npx mocha`.
    env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
      PATH: [bin, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      NO_UPDATE_NOTIFIER: '1',
      npm_config_update_notifier: 'false',
      npm_config_cache: tempDir('dl-lab-npm-cache-'),
    };
  });

  const sh = (line: string, cwd: string, extra: NodeJS.ProcessEnv = {}): Shell => {
    const result = spawnSync('sh', ['-c', line], { cwd, env: { ...env, ...extra }, encoding: 'utf8', timeout: 240_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const ok = (line: string, cwd: string, extra: NodeJS.ProcessEnv = {}): Shell => {
    const result = sh(line, cwd, extra);
    assert.equal(result.status, 0, `${line}\n${result.stdout}\n${result.stderr}`);
    return result;
  };
  const filled = (command: string, root: string): string => {
    writeFileSync(join(root, 'metrics.json'), METRICS);
    return command.replace(/<TAG>/g, () => `next-${(tags += 1)}`).replace('<your metrics.json>', 'metrics.json');
  };

  it('scaffold (into a folder whose name has a space) → demo → its next: lines, each one command', () => {
    const parent = tempDir();
    const scaffold = ok("dl-lab --name spaced --out 'my project' --skip-git --framework none", parent);
    const project = join(parent, 'my project');
    assert.deepEqual(nextLines(scaffold.stdout), [`cd '${project}' && dl-lab demo --seed 0`]);
    const demo = ok(nextLines(scaffold.stdout)[0], parent);
    assert.match(demo.stdout, /^wrote run demo-seed0 /m);
    assert.deepEqual(nextLines(demo.stdout), ['dl-lab run <TAG> --metrics <your metrics.json>', 'dl-lab demo --seed 1']);
    const [run, demo1] = nextLines(demo.stdout).map((command) => ok(filled(command, project), project));
    assert.match(run.stdout, /^wrote run next-\d+ /m);
    assert.match(demo1.stdout, /^wrote run demo-seed1 /m);
    // demo-seed1 exists now: the demo line names a seed whose run does not, so it still runs as printed.
    assert.deepEqual(nextLines(demo1.stdout), ['dl-lab run <TAG> --metrics <your metrics.json>', 'dl-lab demo --seed 2']);
  });

  it('demo outside a project: scaffold one, then cd into it and run the demo, one line each', () => {
    const dir = tempDir();
    const demo = ok('dl-lab demo --seed 0 --out-dir demo-run --quiet', dir);
    assert.deepEqual(nextLines(demo.stdout), ['dl-lab --name my-project --out my-project', 'cd my-project && dl-lab demo --seed 0']);
    for (const command of nextLines(demo.stdout)) ok(command, dir);
    assert.deepEqual(readdirSync(join(dir, 'my-project/artifacts/runs')).filter((name) => name !== 'README.md'), ['demo-seed0']);
    // my-project exists now: the next suggestion scaffolds beside it rather than fail on a non-empty folder.
    const again = ok('dl-lab demo --seed 0 --out-dir demo-run-2 --quiet', dir);
    assert.deepEqual(nextLines(again.stdout), ['dl-lab --name my-project-2 --out my-project-2', 'cd my-project-2 && dl-lab demo --seed 0']);
    for (const command of nextLines(again.stdout)) ok(command, dir);
  });

  it('data add: the run it suggests, with its remark as a shell comment', () => {
    const root = tempDir();
    ok('dl-lab --name data-proj --yes --skip-git --framework none', root);
    mkdirSync(join(root, 'data/moons'), { recursive: true });
    writeFileSync(join(root, 'data/moons/train.csv'), 'x,y\n1,2\n');
    const add = ok('dl-lab data add data/moons --name moons', root);
    assert.deepEqual(nextLines(add.stdout), ['dl-lab run <TAG> --data moons   # the run re-checks these bytes first']);
    assert.match(ok(filled(nextLines(add.stdout)[0], root), root).stdout, /^wrote run next-\d+ /m);
  });

  it('sweep, then aggregate: one next: line a command (verify, paper, compare), each runs', () => {
    const root = tempDir();
    ok('dl-lab --name sweeps --yes --skip-git --framework none', root);
    const sweep = ok('dl-lab sweep lr --seeds 0-1 --grid training.lr=0.5,0.1 --jobs 2 --quiet', root);
    const expected = ['dl-lab verify lr', 'dl-lab paper lr --spread ci95', 'dl-lab compare lr:lr0.1 lr:lr0.5'];
    assert.deepEqual(nextLines(sweep.stdout), expected);
    for (const command of expected) ok(command, root);
    assert.deepEqual(nextLines(ok('dl-lab aggregate lr', root).stdout), expected);
  });

  describe('started by npx', () => {
    let project: string;
    before(() => {
      // A project that depends on the package as an npm install leaves it: node_modules/generator-dl-lab
      // and its bin link. npx finds that bin from here without a registry (and npm sets its variables).
      const home = tempDir('dl-lab-npx-');
      project = join(home, 'proj');
      mkdirSync(join(project, 'node_modules/.bin'), { recursive: true });
      symlinkSync(REPO, join(project, 'node_modules/generator-dl-lab'));
      symlinkSync('../generator-dl-lab/dist/bin/dl-lab.js', join(project, 'node_modules/.bin/dl-lab'));
      // No dl-lab on the PATH from here on: only npx finds it.
      env = { ...env, PATH: env.PATH!.split(':').filter((dir) => dir !== bin).join(':') };
      assert.equal(sh('dl-lab --version', project).status, 127);
    });

    it('npx dl-lab demo prints npx dl-lab … lines, which run (and print npx lines again)', () => {
      ok('npx dl-lab --name npx-proj --yes --force --skip-git --framework none', project);
      const demo = ok('npx dl-lab demo --seed 0 --quiet', project);
      assert.deepEqual(nextLines(demo.stdout), ['npx dl-lab run <TAG> --metrics <your metrics.json>', 'npx dl-lab demo --seed 1']);
      const [run, demo1] = nextLines(demo.stdout).map((command) => ok(filled(command, project), project));
      assert.deepEqual(nextLines(run.stdout), ['npx dl-lab run <TAG> --metrics <your metrics.json>', 'npx dl-lab demo --seed 1']);
      assert.deepEqual(nextLines(demo1.stdout), ['npx dl-lab run <TAG> --metrics <your metrics.json>', 'npx dl-lab demo --seed 2']);
      assert.match(ok('npx dl-lab demo --help', project).stdout, /^Usage:\n {2}npx dl-lab demo \[options\]\n[\s\S]*^ {4}npx dl-lab demo --seed 0$/m);
    });

    it('a new project: cd into it and npx dl-lab where npx finds the package from there, else npx --prefix <project> dl-lab', () => {
      const inside = ok('npx dl-lab --name inner --out inner --skip-git --framework none', project);
      assert.deepEqual(nextLines(inside.stdout), [`cd ${project}/inner && npx dl-lab demo --seed 0`]);
      assert.match(ok(nextLines(inside.stdout)[0], project).stdout, /^wrote run demo-seed0 /m);
      // Outside the npx prefix, `npx dl-lab` would look for a registry package named dl-lab.
      const elsewhere = join(tempDir(), 'outer');
      const outside = ok(`npx dl-lab --name outer --out ${elsewhere} --skip-git --framework none`, project);
      assert.deepEqual(nextLines(outside.stdout), [`cd ${elsewhere} && npx --prefix ${project} dl-lab demo --seed 0`]);
      const demo = ok(nextLines(outside.stdout)[0], project);
      assert.deepEqual(nextLines(demo.stdout), [`npx --prefix ${project} dl-lab run <TAG> --metrics <your metrics.json>`, `npx --prefix ${project} dl-lab demo --seed 1`]);
      assert.deepEqual(readdirSync(join(elsewhere, 'artifacts/runs')).filter((name) => name !== 'README.md'), ['demo-seed0']);
    });

    it('not when npx ran another command that runs the bin (npx -c, npx mocha), nor under npm test', () => {
      const plain = (stdout: string): string[] => nextLines(stdout).map((command) => command.replace(/ --seed \d+$/, ' --seed N'));
      const expected = ['dl-lab run <TAG> --metrics <your metrics.json>', 'dl-lab demo --seed N'];
      assert.deepEqual(plain(ok(`npx -c '${process.execPath} ${CLI} demo --seed 7 --quiet'`, project).stdout), expected);
      const npmTest = { npm_command: 'test', npm_lifecycle_event: 'test', npm_lifecycle_script: 'npm run build && mocha', npm_config_local_prefix: project };
      assert.deepEqual(plain(ok(`${process.execPath} ${CLI} demo --seed 8 --quiet`, project, npmTest).stdout), expected);
    });

    it('npx yo dl-lab:demo prints npx yo dl-lab:… lines, which run (as a non-root user)', function () {
      const user = nonRootUser();
      requirePart(this, canRunAsUser(user), 'running as root and no uid-1000 user to run yo as');
      const home = tempDir('dl-lab-npx-yo-');
      const root = join(home, 'proj');
      mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
      symlinkSync(REPO, join(root, 'node_modules/generator-dl-lab'));
      symlinkSync(join(REPO, 'node_modules/yo'), join(root, 'node_modules/yo'));
      symlinkSync('../yo/lib/cli.js', join(root, 'node_modules/.bin/yo'));
      if (user) for (const path of [home, root, join(root, 'node_modules'), join(root, 'node_modules/.bin')]) chownSync(path, user.uid, user.gid);
      const yoEnv = { HOME: home, CI: 'true', npm_config_cache: join(home, '.npm') };
      const asTheUser = (line: string): Shell => {
        const result = spawnSync('sh', ['-c', line], { cwd: root, env: { ...env, ...yoEnv }, encoding: 'utf8', timeout: 240_000, ...asUser(user) });
        assert.equal(result.status, 0, `${line}\n${result.stdout}\n${result.stderr}`);
        return { status: result.status, stdout: result.stdout, stderr: result.stderr };
      };
      asTheUser('npx yo dl-lab --name npx-yo --yes --force --skip-git --framework none --no-insight');
      const demo = asTheUser('npx yo dl-lab:demo --seed 0 --quiet --no-insight');
      assert.deepEqual(nextLines(demo.stdout), ['npx yo dl-lab:run <TAG> --metrics <your metrics.json>', 'npx yo dl-lab:demo --seed 1']);
      for (const command of nextLines(demo.stdout)) assert.match(asTheUser(filled(command, root)).stdout, /^wrote run /m);
    });
  });
});
