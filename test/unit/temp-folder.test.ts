import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withTempFolder } from '../../core/temp-folder.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

/** Our folders left in a $TMPDIR (tsx keeps its own cache there). */
const leftIn = (tmp: string): string[] => readdirSync(tmp).filter((name) => name.startsWith('dl-lab-test-'));

const MODULE = fileURLToPath(new URL('../../core/temp-folder.ts', import.meta.url));

/** A child process inside withTempFolder (optionally with its own slower SIGINT/SIGTERM handler), sent `signal` once the folder exists. */
const signalled = (signal: NodeJS.Signals, ownHandler: boolean): Promise<{ status: number | null; dir: string; tmp: string }> => {
  const tmp = tempDir();
  const script = [
    `import { withTempFolder } from ${JSON.stringify(MODULE)};`,
    ownHandler ? `process.once(${JSON.stringify(signal)}, () => setTimeout(() => process.exit(7), 50));` : '',
    `await withTempFolder('dl-lab-test-', async (dir) => { console.log(dir); await new Promise((resolve) => setTimeout(resolve, 60_000)); });`,
  ].join('\n');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'inherit'] });
  let dir = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    dir += chunk;
    if (dir.endsWith('\n')) {
      dir = dir.trim();
      assert.ok(existsSync(dir), 'the folder exists while the work runs');
      child.kill(signal);
    }
  });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, dir, tmp })));
};

describe('withTempFolder (core/temp-folder.ts)', function () {
  this.timeout(60_000);
  after(cleanupTempDirs);

  it('removes the folder when the work settles, and stops watching signals', async () => {
    const before = process.listenerCount('SIGINT');
    let seen = '';
    const result = await withTempFolder('dl-lab-test-', async (dir) => {
      seen = dir;
      assert.ok(existsSync(dir));
      assert.equal(process.listenerCount('SIGINT'), before + 1);
      return 42;
    });
    assert.equal(result, 42);
    assert.equal(existsSync(seen), false);
    assert.equal(process.listenerCount('SIGINT'), before);
    await assert.rejects(withTempFolder('dl-lab-test-', async () => Promise.reject(new Error('boom'))), /boom/);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} removes the folder and exits ${signal === 'SIGINT' ? 130 : 143}; with another handler, that handler decides the exit`, async () => {
      const alone = await signalled(signal, false);
      assert.equal(alone.status, signal === 'SIGINT' ? 130 : 143);
      assert.deepEqual(leftIn(alone.tmp), []);
      const withOther = await signalled(signal, true);
      assert.equal(withOther.status, 7);
      assert.deepEqual(leftIn(withOther.tmp), []);
    });
  }
});
