import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { collectReportRuns } from '../../core/report/report-data.js';
import { verifyEachRun } from '../../core/verify/verify-each-run.js';
import { listRunTags, verifyProject } from '../../core/verify/verify-project.js';
import { verifyRun, type RunVerification } from '../../core/verify/verify-run.js';
import { runCli } from '../helpers/cli.js';
import { resealRun, sealTrial, writePlan } from '../helpers/experiments.js';
import { cleanupTempDirs } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { runDirOf, scaffoldProject } from '../helpers/project.js';
import { captureOutput, metricsFile, tamperRunFile } from '../helpers/runs.js';

/** `dl-lab run TAG --metrics tmp.json --checkpoint tmp.pt [--parent PARENT]` in the project at `root`. */
const sealRun = (root: string, tag: string, parent?: string) =>
  captureOutput(() => runGenerator('run', { cwd: root, args: [tag], options: { metrics: 'tmp.json', checkpoint: 'tmp.pt', ...(parent ? { parent } : {}) } }));

/** Overwrite run `tag`'s checkpoint file (made writable first, as a tamperer would); returns its path and its bytes before. */
const alterCheckpoint = (root: string, tag: string): { path: string; original: Buffer } => {
  const { outputs } = JSON.parse(readFileSync(join(runDirOf(root, tag), 'manifest.json'), 'utf8')) as { outputs: Array<{ path: string; role: string }> };
  const path = join(root, outputs.find((output) => output.role === 'checkpoint')!.path);
  chmodSync(dirname(path), 0o755);
  chmodSync(path, 0o644);
  const original = readFileSync(path);
  writeFileSync(path, 'weights, altered');
  return { path, original };
};

/**
 * A chain of resumed runs (`--parent`), as a Slurm job requeued again and again leaves: each run
 * passes only if its ancestors do. Verify of the project and the report verify each run once, and
 * give for every run what verifying it alone gives, forged loops of parent links and members
 * included.
 */
describe('verify of resumed chains: each run once, each as verified alone', () => {
  let root: string;
  const chain = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
  const runs = () => listRunTags(root);
  const alone = async (tags: string[]): Promise<RunVerification[]> => Promise.all(tags.map((tag) => verifyRun(root, runDirOf(root, tag))));
  const each = async (tags: string[]): Promise<{ verifications: number; results: RunVerification[] }> => {
    const results: RunVerification[] = new Array(tags.length);
    const told = new Array(tags.length).fill(0);
    const verifications = await verifyEachRun(root, tags.map((tag) => runDirOf(root, tag)), (index, verification) => {
      told[index]++;
      results[index] = verification;
    });
    assert.deepEqual(told, tags.map(() => 1), 'each run told once');
    return { verifications, results };
  };
  /** Point run `tag`'s parent link at `parent` and re-seal it, as a forger with dl-lab's own pieces would. */
  const forgeParent = (tag: string, parent: string): void => {
    tamperRunFile(root, tag, 'manifest.json', (text) => text.replace(/("parent": \{\s*"tag": ")[^"]+"/, `$1${parent}"`));
    resealRun(root, tag);
  };

  before(async () => {
    root = await scaffoldProject();
    writeFileSync(join(root, 'tmp.json'), JSON.stringify(metricsFile(0.9, 0.1)));
    let parent: string | undefined;
    for (const [index, tag] of chain.entries()) {
      writeFileSync(join(root, 'tmp.pt'), `weights after resumption ${index}`);
      await sealRun(root, tag, parent);
      parent = tag;
    }
  });
  after(cleanupTempDirs);

  it('a chain of 6: 6 run verifications (21 when each verified its ancestors again), every run ok', async () => {
    const tags = await runs();
    assert.deepEqual(tags, chain);
    const { verifications, results } = await each(tags);
    assert.equal(verifications, 6);
    assert.deepEqual(results, await alone(tags));
    assert.deepEqual(results.map((run) => run.ok), [true, true, true, true, true, true]);
    // In any order, and for a part of the chain: its runs and their ancestors, each once.
    assert.equal((await each([...tags].reverse())).verifications, 6);
    assert.equal((await each(['c4', 'c2'])).verifications, 4);
  });

  it('a checkpoint altered in the middle of the chain: that run and every descendant fail, as each does alone', async () => {
    const { path, original } = alterCheckpoint(root, 'c3');
    try {
      const tags = await runs();
      const { verifications, results } = await each(tags);
      assert.equal(verifications, 6);
      assert.deepEqual(results, await alone(tags));
      assert.deepEqual(results.map((run) => run.ok), [true, true, false, false, false, false]);
      assert.match(results[5].problems[0].message, /^parent run c5 does not pass verification: artifacts\/runs\/c5\/manifest\.json: \/parent: parent run c4 does not pass/);
      assert.deepEqual((await verifyProject(root)).runs, results.map((run, index) => ({ tag: tags[index], ...run })));
      const report = await collectReportRuns(root);
      assert.deepEqual(report.map(({ run }) => [run.tag, run.verify.ok]).sort(), tags.map((tag, index) => [tag, results[index].ok]));
    } finally {
      writeFileSync(path, original);
    }
  });

  it('forged loops of parent links (two runs, one run its own parent) are reported, as each run alone reports them', async () => {
    await sealRun(root, 'x', 'c6');
    await sealRun(root, 'y', 'x');
    await sealRun(root, 'z', 'y');
    await sealRun(root, 'self', 'c1');
    forgeParent('x', 'y'); // x → y → x; z hangs below the loop
    forgeParent('self', 'self');
    const tags = await runs();
    const expected = await alone(tags);
    assert.deepEqual(
      expected.filter((run) => !run.ok).map((run) => run.runDir),
      ['artifacts/runs/self', 'artifacts/runs/x', 'artifacts/runs/y', 'artifacts/runs/z'],
    );
    assert.equal(expected[tags.indexOf('self')].problems[0].message, 'parent self is also a descendant of this run (a loop of parent links)');
    assert.match(expected[tags.indexOf('x')].problems[0].message, /^parent run y does not pass verification: artifacts\/runs\/y\/manifest\.json: \/parent: parent x is also a descendant of this run \(a loop of parent links\)/);
    for (const order of [tags, [...tags].reverse(), ['z', 'y', 'x'], ['x', 'y']]) {
      const { results } = await each(order);
      assert.deepEqual(results, order.map((tag) => expected[tags.indexOf(tag)]), order.join(','));
    }
    const verify = runCli(['verify'], { cwd: root });
    assert.equal(verify.status, 1, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /^6 of 10 run\(s\) verified, 4 FAILED$/m);
  });

  it('a forged experiment record listing itself among its members fails verify, instead of verifying itself forever', async () => {
    const name = 'rec';
    writePlan(root, name, { base: {} }, [0]);
    await sealTrial(root, name, { variant: 'base', seed: 0 });
    await captureOutput(() => runGenerator('aggregate', { cwd: root, args: [name] }));
    tamperRunFile(root, name, 'experiment.json', (text) => text.replace(`"tag": "${name}-base-s0"`, `"tag": "${name}"`));
    resealRun(root, name);
    const [record] = await alone([name]);
    assert.equal(record.ok, false);
    assert.match(record.problems[0].message, /^member run rec fails verification: artifacts\/runs\/rec: is also being verified below this run \(a loop of parent links or experiment members\)/);
    const { results } = await each([name, `${name}-base-s0`]);
    assert.deepEqual(results, await alone([name, `${name}-base-s0`]));
  });
});

describe('run --parent: the parent verified, its ancestors through the link only', () => {
  let root: string;
  const run = (tag: string, parent?: string) => sealRun(root, tag, parent);
  before(async () => {
    root = await scaffoldProject();
    writeFileSync(join(root, 'tmp.json'), JSON.stringify(metricsFile(0.9, 0.1)));
    writeFileSync(join(root, 'tmp.pt'), 'weights');
    await run('a');
    await run('b', 'a');
  });
  after(cleanupTempDirs);

  it('an ancestor altered: the resumed run is sealed (training happened), and verify of it fails through the chain', async () => {
    alterCheckpoint(root, 'a');
    await run('c', 'b');
    const verification = await verifyRun(root, runDirOf(root, 'c'));
    assert.equal(verification.ok, false);
    assert.match(
      verification.problems[0].message,
      /^parent run b does not pass verification: artifacts\/runs\/b\/manifest\.json: \/parent: parent run a does not pass verification: artifacts\/runs\/a\/checkpoints\/best\.pt: size 16 differs from the recorded 7/,
    );
  });

  it('the parent itself altered, or its parent re-sealed: refused, naming the run and the field', async () => {
    await run('d');
    await run('e', 'd');
    tamperRunFile(root, 'd', 'summary.json', (text) => text.replace('0.9', '0.95'));
    resealRun(root, 'd'); // a new seal for d: e's link no longer matches
    await assert.rejects(
      run('f', 'e'),
      /^UserError: --parent: run e does not pass verification; a run cannot descend from a tampered one\n  - artifacts\/runs\/e\/manifest\.json: \/parent: parent run d has seal [0-9a-f]{12}…, not the recorded [0-9a-f]{12}… \(re-sealed or replaced\?\)$/,
    );
    alterCheckpoint(root, 'e');
    await assert.rejects(run('f', 'e'), /--parent: run e does not pass verification/);
    assert.equal(existsSync(runDirOf(root, 'f')), false);

    await run('g');
    await run('h', 'g');
    tamperRunFile(root, 'g', 'manifest.json', (text) => text.replace('"seal"', '"sealed"'));
    await assert.rejects(
      run('i', 'h'),
      /\n  - artifacts\/runs\/h\/manifest\.json: \/parent: parent run g has an invalid manifest: artifacts\/runs\/g\/manifest\.json: \/seal: missing required field 'seal'$/,
    );
    assert.equal(existsSync(runDirOf(root, 'i')), false);
  });
});
