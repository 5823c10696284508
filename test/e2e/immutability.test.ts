import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../core/training/prng.js';
import { verifyRun } from '../../core/verify/verify-run.js';
import { runCli } from '../helpers/cli.js';
import { startCli } from '../helpers/cli-async.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { git } from '../helpers/git.js';
import { runDirOf, scaffoldProject } from '../helpers/project.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const runEntries = (root: string) => readdirSync(join(root, 'artifacts/runs')).filter((name) => name !== 'README.md').sort();

describe('runs are immutable, atomic and verifiable', function () {
  this.timeout(300_000);
  after(cleanupTempDirs);

  it('SIGKILL of demo at 24 random moments leaves either no run or a complete, valid one; the next command cleans up', async () => {
    const root = await scaffoldProject({ skipGit: true });
    const rng = new Rng(20261127);
    const started = performance.now();
    const probe = runCli(['demo', '--seed', '0', '--tag', 'timing-probe', '--quiet'], { cwd: root });
    assert.equal(probe.status, 0, probe.stderr);
    const typicalMs = performance.now() - started;
    let killedBeforePublish = 0;
    let completed = 0;
    for (let i = 0; i < 24; i++) {
      const tag = `kill-${i}`;
      const { child, done } = startCli(['demo', '--seed', String(i), '--tag', tag, '--quiet'], { cwd: root });
      await sleep(rng.uniform() * typicalMs * 1.1);
      child.kill('SIGKILL');
      await done;
      const dir = runDirOf(root, tag);
      if (existsSync(dir)) {
        completed++;
        assert.deepEqual((await verifyRun(root, dir)).problems, [], `${tag} exists, so it must be complete and valid`);
      } else killedBeforePublish++;
    }
    assert.ok(killedBeforePublish > 0, 'some kills landed before the run was published');
    const verify = runCli(['verify'], { cwd: root });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, new RegExp(`${completed + 1} of ${completed + 1} run\\(s\\) verified`));
    assert.deepEqual(runEntries(root).filter((name) => name.startsWith('.staging-')), [], 'abandoned staging folders were removed');
    console.log(`      kills: ${killedBeforePublish} before publish, ${completed} after; typical demo ${typicalMs.toFixed(0)} ms`);
  });

  it('SIGTERM and SIGINT at 12 random moments leave no partial run and no staging folder (the handler removes it)', async () => {
    const root = await scaffoldProject({ skipGit: true });
    const rng = new Rng(7);
    for (let i = 0; i < 12; i++) {
      const tag = `term-${i}`;
      const { child, done } = startCli(['demo', '--seed', String(i), '--tag', tag, '--quiet'], { cwd: root });
      await sleep(300 + rng.uniform() * 900);
      child.kill(i % 2 ? 'SIGINT' : 'SIGTERM');
      await done;
      const dir = runDirOf(root, tag);
      if (existsSync(dir)) assert.deepEqual((await verifyRun(root, dir)).problems, [], `${tag} exists, so it must be complete and valid`);
      assert.deepEqual(runEntries(root).filter((name) => name.startsWith('.staging-')), [], `no staging folder after signal ${i}`);
    }
  });

  it('SIGTERM and SIGINT the moment the staging folder appears leave no staging folder (20 runs, killed on its inotify event)', async () => {
    const root = await scaffoldProject({ skipGit: true });
    const runs = join(root, 'artifacts/runs');
    for (let i = 0; i < 20; i++) {
      const tag = `appear-${i}`;
      const { child, done } = startCli(['run', tag], { cwd: root });
      // Killed as soon as the folder is made: a handler registered only after an awaited mkdir missed this.
      const watcher = watch(runs, (_event, name) => {
        if (String(name).startsWith(`.staging-${tag}~`)) child.kill(i % 2 ? 'SIGINT' : 'SIGTERM');
      });
      try {
        await done;
      } finally {
        watcher.close();
      }
      const dir = runDirOf(root, tag);
      if (existsSync(dir)) assert.deepEqual((await verifyRun(root, dir)).problems, [], `${tag} exists, so it must be complete and valid`);
      assert.deepEqual(runEntries(root).filter((name) => name.startsWith('.staging-')), [], `no staging folder after signal ${i}`);
    }
  });

  it('SIGINT and SIGTERM while the code capture diffs through its temporary index leave no dl-lab-index-* in $TMPDIR', async () => {
    const root = await scaffoldProject();
    // A tracked file of random bytes, changed: `git add` in the temporary index takes a while on it.
    const big = join(root, 'weights.bin');
    writeFileSync(big, randomBytes(48 * 1024 * 1024));
    git(root, 'add', 'weights.bin');
    git(root, 'commit', '-qm', 'weights');
    for (const [i, signal] of (['SIGINT', 'SIGTERM'] as const).entries()) {
      writeFileSync(big, randomBytes(48 * 1024 * 1024));
      const tmp = tempDir();
      const { child, done } = startCli(['run', `signal-${i}`], { cwd: root, env: { TMPDIR: tmp } });
      const deadline = Date.now() + 20_000;
      while (!readdirSync(tmp).some((name) => name.startsWith('dl-lab-index-')) && Date.now() < deadline) await sleep(2);
      assert.ok(Date.now() < deadline, 'the capture made its temporary index');
      child.kill(signal);
      const { status } = await done;
      assert.equal(status, signal === 'SIGINT' ? 130 : 143);
      assert.deepEqual(readdirSync(tmp), [], `nothing left in $TMPDIR after ${signal}`);
      assert.deepEqual(runEntries(root), [], `no run and no staging folder after ${signal}`);
    }
    assert.deepEqual([git(root, 'diff', '--name-only'), git(root, 'diff', '--cached', '--name-only')], ['weights.bin', ''], "the user's index is untouched");
  });

  for (const [where, makeDir] of [
    ['a local disk', () => tempDir('dl-lab-race-')],
    ['tmpfs (/dev/shm), a second filesystem shared by all writers', () => mkdtempSync('/dev/shm/dl-lab-race-')],
  ] as const) {
    it(`16 processes racing for one tag on ${where}: exactly one wins, the others get a clear error`, async function () {
      if (where.startsWith('tmpfs') && !existsSync('/dev/shm')) this.skip();
      const root = makeDir();
      try {
        assert.equal(runCli(['--name', 'race', '--skip-git', '--force'], { cwd: root }).status, 0);
        const results = await Promise.all(Array.from({ length: 16 }, () => startCli(['run', 'contended'], { cwd: root }).done));
        const winners = results.filter((r) => r.status === 0);
        assert.equal(winners.length, 1, results.map((r) => r.stderr).join('\n'));
        for (const loser of results.filter((r) => r.status !== 0)) {
          assert.equal(loser.status, 1);
          assert.match(loser.stderr, /artifacts\/runs\/contended (already exists: a published run is never overwritten|was published by another process meanwhile); choose a new tag/);
        }
        assert.deepEqual(runEntries(root), ['contended'], 'no staging folder left behind');
        assert.deepEqual((await verifyRun(root, runDirOf(root, 'contended'))).problems, []);
      } finally {
        if (root.startsWith('/dev/shm/')) rmSync(root, { recursive: true, force: true });
      }
    });
  }

  it('verify catches every one of 120 random single-byte mutations of a published run', async () => {
    const root = await scaffoldProject({ skipGit: true });
    await runGenerator('demo', { cwd: root, options: { seed: 3, quiet: true } });
    const dir = runDirOf(root, 'demo-seed3');
    const files = readJson(join(dir, 'manifest.json')).outputs.map((o: { path: string }) => join(root, o.path));
    files.push(join(dir, 'manifest.json'), join(dir, 'SHA256SUMS'));
    const rng = new Rng(4242);
    const caughtBy = new Map<string, number>();
    for (let i = 0; i < 120; i++) {
      const file = files[Math.floor(rng.uniform() * files.length)];
      const original = readFileSync(file);
      const mutated = Buffer.from(original);
      const offset = Math.floor(rng.uniform() * mutated.length);
      mutated[offset] = (mutated[offset] + 1 + Math.floor(rng.uniform() * 255)) % 256;
      chmodSync(file, 0o644);
      writeFileSync(file, mutated);
      const result = await verifyRun(root, dir);
      writeFileSync(file, original);
      chmodSync(file, 0o444);
      assert.equal(result.ok, false, `mutation ${i}: byte ${offset} of ${file} not caught`);
      const name = file.slice(dir.length + 1);
      caughtBy.set(name, (caughtBy.get(name) ?? 0) + 1);
    }
    assert.ok(caughtBy.size >= 6, `mutations spread over the run's files: ${[...caughtBy.keys()].join(', ')}`);
    assert.deepEqual((await verifyRun(root, dir)).problems, [], 'restored run verifies again');
  });

  it('verify catches a document whose text is unchanged but whose bytes are: a U+FFFD written as a byte that is not UTF-8', async () => {
    const root = await scaffoldProject({ skipGit: true });
    const definitions = { val_loss: { definition: 'Mean cross-entropy on the validation split', unit: 'nats', higher_is_better: false } };
    writeFileSync(join(root, 'metrics.json'), JSON.stringify({ metrics: { val_loss: 0.3 }, metric_definitions: definitions, primary_metric: 'val_loss', results: { val_loss: 0.3 }, notes: 'label \uFFFD came from a lossy CSV export' }));
    await runGenerator('run', { cwd: root, args: ['lossy'], options: { metrics: 'metrics.json' } });
    const summary = join(runDirOf(root, 'lossy'), 'summary.json');
    const sealed = readFileSync(summary);
    const at = sealed.indexOf(Buffer.from('\uFFFD'));
    assert.ok(at > 0, 'the note is in summary.json as the 3 bytes of U+FFFD');
    const edited = Buffer.concat([sealed.subarray(0, at), Buffer.from([0xff]), sealed.subarray(at + 3)]);
    assert.equal(edited.toString('utf8'), sealed.toString('utf8'), 'both decode to the same text');
    chmodSync(summary, 0o644);
    writeFileSync(summary, edited);
    const problems = (await verifyRun(root, runDirOf(root, 'lossy'))).problems.map((p) => `${p.file}: ${p.message}`);
    assert.ok(problems.some((p) => /^artifacts\/runs\/lossy\/summary\.json: sha256 .* differs from the recorded/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => new RegExp(`^artifacts/runs/lossy/summary\\.json: size ${sealed.length - 2} differs from the recorded ${sealed.length}`).test(p)), problems.join('\n'));
  });

  it('published run files are read-only and there is no way to overwrite a tag', async () => {
    const root = await scaffoldProject({ skipGit: true });
    await runGenerator('run', { cwd: root, args: ['sealed'] });
    for (const name of ['manifest.json', 'summary.json', 'analysis.json', 'SHA256SUMS', 'checkpoints/best.json']) {
      assert.equal(readdirSync(runDirOf(root, 'sealed')).length > 0, true);
      const mode = (await import('node:fs')).statSync(join(runDirOf(root, 'sealed'), name)).mode & 0o777;
      assert.equal(mode, 0o444, name);
    }
    const again = runCli(['run', 'sealed'], { cwd: root });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists: a published run is never overwritten; choose a new tag \(e\.g\. sealed-2\)/);
    // `run` has no --force: asking for one is refused by name, before anything is looked at.
    const forced = runCli(['run', 'sealed', '--force'], { cwd: root });
    assert.equal(forced.status, 1);
    assert.equal(forced.stderr, 'dl-lab run: error: unknown option "--force"; see dl-lab run --help\n');
  });
});
