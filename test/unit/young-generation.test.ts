import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEMI_SPACE_MIB, youngGenerationArgs } from '../../bin/young-generation.js';
import { CLI } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

const FLAG = `--max-semi-space-size=${SEMI_SPACE_MIB}`;
const execve = (): never => {
  throw new Error('not called');
};
const proc = (execArgv: string[] = []) => ({ execPath: '/opt/node/bin/node', execArgv, argv: ['/opt/node/bin/node', '/p/dl-lab.js', 'data', 'add', 'ds'], execve });

/** Whether the Node running these tests can replace its process (Node >= 22.15 / 23.11, not Windows). */
/** The decision with the Node binary taken as executable (the paths above are made up). */
const argsFor = (p: ReturnType<typeof proc> | Omit<ReturnType<typeof proc>, 'execve'>, env: NodeJS.ProcessEnv) => youngGenerationArgs(p, env, () => true);

const HAS_EXECVE = typeof (process as { execve?: unknown }).execve === 'function';

describe("young generation: dl-lab re-executes itself with a smaller one where Node's may grow large", () => {
  after(cleanupTempDirs);

  it('re-executes the same command, Node flags kept, with the semi-space flag first', () => {
    assert.deepEqual(argsFor(proc(['--enable-source-maps']), {}), [
      '/opt/node/bin/node',
      FLAG,
      '--enable-source-maps',
      '/p/dl-lab.js',
      'data',
      'add',
      'ds',
    ]);
  });

  it("leaves a user's own semi-space size alone, on the command line or in NODE_OPTIONS, in either spelling", () => {
    assert.equal(argsFor(proc(['--max-semi-space-size=32']), {}), undefined);
    assert.equal(argsFor(proc(['--max_semi_space_size=32']), {}), undefined);
    assert.equal(argsFor(proc(), { NODE_OPTIONS: '--require x.cjs --max-semi-space-size=64' }), undefined);
    assert.equal(argsFor(proc(), { NODE_OPTIONS: '--max-semi-space-size 64' }), undefined);
    // A different flag that merely starts alike is not the user's choice.
    assert.equal(argsFor(proc(), { NODE_OPTIONS: '--max-old-space-size=4096' })?.[1], FLAG);
  });

  it('runs as it is when the Node binary cannot be executed any more (a failed execve aborts Node 22/24)', () => {
    assert.equal(youngGenerationArgs(proc(), {}, () => false), undefined);
    assert.equal(youngGenerationArgs(proc(), {}, (path) => path === '/opt/node/bin/node')?.[1], FLAG);
  });

  it('runs as it is where Node has no process.execve (Node 20, Node < 22.15, Windows)', () => {
    const { execve: _, ...withoutExecve } = proc();
    assert.equal(argsFor(withoutExecve, {}), undefined);
  });

  /** Runs the built bin with a preloaded probe that prints, in every process image, its pid and Node flags. */
  const probeRun = (nodeOptions = ''): { status: number | null; stdout: string; probes: string[] } => {
    const probe = join(tempDir(), 'probe.cjs');
    writeFileSync(probe, 'process.stderr.write(`probe ${process.pid} ${JSON.stringify(process.execArgv)}\\n`);\n');
    const child = spawnSync(process.execPath, [CLI, 'runs', '--help'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: `--require ${probe} ${nodeOptions}`.trim() },
    });
    const probes = child.stderr.split('\n').filter((line) => line.startsWith('probe '));
    return { status: child.status, stdout: child.stdout, probes: probes.map((line) => line.replace(String(child.pid), 'PID')) };
  };

  it(`the bin ${HAS_EXECVE ? 're-executes itself under the flag, keeping its process id' : 'runs once, unchanged (this Node has no process.execve)'}`, function () {
    this.timeout(30_000);
    const run = probeRun();
    assert.equal(run.status, 0);
    assert.match(run.stdout, /dl-lab runs/);
    assert.deepEqual(run.probes, HAS_EXECVE ? ['probe PID []', `probe PID ${JSON.stringify([FLAG])}`] : ['probe PID []']);
  });

  it('the bin runs in its own process, exit 0, when its Node binary was removed after it started', function () {
    this.timeout(30_000);
    const dir = tempDir();
    const node = join(dir, 'node');
    copyFileSync(process.execPath, node);
    chmodSync(node, 0o755);
    // Loaded before the bin: the binary this process runs is gone when the bin decides.
    const remove = join(dir, 'remove-node.cjs');
    writeFileSync(remove, `require('node:fs').rmSync(${JSON.stringify(node)});\n`);
    const child = spawnSync(node, [CLI, 'runs', '--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${remove}` } });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stderr, '');
    assert.match(child.stdout, /dl-lab runs/);
    assert.equal(existsSync(node), false);
  });

  it("the bin runs once when NODE_OPTIONS already sets a semi-space size", function () {
    this.timeout(30_000);
    const run = probeRun('--max-semi-space-size=32');
    assert.equal(run.status, 0);
    assert.deepEqual(run.probes, ['probe PID []']);
  });
});
