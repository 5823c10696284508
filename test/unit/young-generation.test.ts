import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
const HAS_EXECVE = typeof (process as { execve?: unknown }).execve === 'function';

describe("young generation: dl-lab re-executes itself with a smaller one where Node's may grow large", () => {
  after(cleanupTempDirs);

  it('re-executes the same command, Node flags kept, with the semi-space flag first', () => {
    assert.deepEqual(youngGenerationArgs(proc(['--enable-source-maps']), {}), [
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
    assert.equal(youngGenerationArgs(proc(['--max-semi-space-size=32']), {}), undefined);
    assert.equal(youngGenerationArgs(proc(['--max_semi_space_size=32']), {}), undefined);
    assert.equal(youngGenerationArgs(proc(), { NODE_OPTIONS: '--require x.cjs --max-semi-space-size=64' }), undefined);
    assert.equal(youngGenerationArgs(proc(), { NODE_OPTIONS: '--max-semi-space-size 64' }), undefined);
    // A different flag that merely starts alike is not the user's choice.
    assert.equal(youngGenerationArgs(proc(), { NODE_OPTIONS: '--max-old-space-size=4096' })?.[1], FLAG);
  });

  it('runs as it is where Node has no process.execve (Node 20, Node < 22.15, Windows)', () => {
    const { execve: _, ...withoutExecve } = proc();
    assert.equal(youngGenerationArgs(withoutExecve, {}), undefined);
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

  it("the bin runs once when NODE_OPTIONS already sets a semi-space size", function () {
    this.timeout(30_000);
    const run = probeRun('--max-semi-space-size=32');
    assert.equal(run.status, 0);
    assert.deepEqual(run.probes, ['probe PID []']);
  });
});
