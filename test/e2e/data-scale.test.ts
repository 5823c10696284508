import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { git } from '../helpers/git.js';
import { runDirOf, verifyTag } from '../helpers/project.js';

/** `count` small files under `dir`, 1,000 a folder; file i holds its own index. */
const writeDataset = (dir: string, count: number): void => {
  for (let folder = 0; folder * 1000 < count; folder++) {
    const sub = join(dir, `part-${String(folder).padStart(3, '0')}`);
    mkdirSync(sub, { recursive: true });
    for (let i = folder * 1000; i < Math.min(count, (folder + 1) * 1000); i++) writeFileSync(join(sub, `s${String(i).padStart(6, '0')}.txt`), `sample ${i}\n`);
  }
};

describe('datasets at research size, end to end (built bin)', () => {
  after(cleanupTempDirs);

  it('a registered dataset inside the tree (not ignored) leaves dirty, untracked and code.patch untouched; the manifest names it', async () => {
    const root = join(tempDir(), 'proj');
    assert.equal(runCli(['--name', 'proj', '--out', root], { cwd: tempDir() }).status, 0);
    // The scaffold ignores the top-level data/ (and only it): knowledge_base/data/ stays in git.
    assert.equal(git(root, 'check-ignore', 'data/x.csv'), 'data/x.csv');
    assert.equal(runCli(['data', 'add', 'corpus', '--name', 'corpus'], { cwd: root }).status, 1, 'nothing there yet');
    writeDataset(join(root, 'corpus'), 40);
    const add = runCli(['data', 'add', 'corpus', '--name', 'corpus'], { cwd: root });
    assert.equal(add.status, 0, add.stderr);
    git(root, 'add', 'knowledge_base');
    git(root, 'commit', '-qm', 'register corpus');

    const clean = runCli(['run', 'R0', '--data', 'corpus'], { cwd: root });
    assert.equal(clean.status, 0, clean.stderr);
    const git0 = readJson(join(runDirOf(root, 'R0'), 'manifest.json')).code.git;
    assert.deepEqual([git0.dirty, git0.changed, git0.untracked, git0.untracked_files], [false, 0, 0, []]);
    const registry = readJson(join(root, 'knowledge_base/data/datasets.json'));
    assert.deepEqual(git0.excluded_data, [{ name: 'corpus', path: 'corpus', registered_digest: registry.datasets.corpus.digest }]);

    // Without --data too (data is not code whether this run used it or not); a real source file still counts.
    writeFileSync(join(root, 'corpus/part-000/s000000.txt'), 'edited data\n');
    writeFileSync(join(root, 'extra.py'), 'x = 1\n');
    const dirty = runCli(['run', 'R1'], { cwd: root });
    assert.equal(dirty.status, 0, dirty.stderr);
    const git1 = readJson(join(runDirOf(root, 'R1'), 'manifest.json')).code.git;
    assert.deepEqual([git1.dirty, git1.untracked, git1.untracked_files], [true, 1, ['extra.py']]);
    const patch = readFileSync(join(runDirOf(root, 'R1'), 'code.patch'), 'utf8');
    assert.match(patch, /^diff --git a\/extra\.py b\/extra\.py$/m);
    assert.doesNotMatch(patch, /corpus/);
    assert.deepEqual((await verifyTag(root, 'R1')).problems, []);

    // A run refused for changed data (corpus is edited above) while the provenance capture, started
    // before the data check, diffs a tracked change through a temporary index in $TMPDIR: the
    // refused process still ends only after that capture, which removes its folder.
    writeFileSync(join(root, 'README.md'), `${readFileSync(join(root, 'README.md'), 'utf8')}edited\n`);
    const tmp = tempDir();
    const refused = runCli(['run', 'R2', '--data', 'corpus'], { cwd: root, env: { TMPDIR: tmp } });
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /corpus: changed part-000\/s000000\.txt/);
    assert.deepEqual(readdirSync(tmp), [], 'no dl-lab-index-* folder left in $TMPDIR');
  });

  it('100,000 files: datasets.json stays under 64 KB; a changed file is named by data check and refused by run --data', async function () {
    this.timeout(600_000);
    const root = join(tempDir(), 'big');
    assert.equal(runCli(['--name', 'big', '--out', root], { cwd: tempDir() }).status, 0);
    writeDataset(join(root, 'data/ds'), 100_000);
    const add = runCli(['data', 'add', 'data/ds', '--name', 'ds'], { cwd: root });
    assert.equal(add.status, 0, add.stderr);
    const registrySize = statSync(join(root, 'knowledge_base/data/datasets.json')).size;
    assert.ok(registrySize <= 64 * 1024, `datasets.json is ${registrySize} bytes`);
    const record = readJson(join(root, 'knowledge_base/data/datasets.json')).datasets.ds;
    assert.equal(record.file_count, 100_000);
    assert.ok(statSync(join(root, record.file_list.path)).size < 5 * 1024 * 1024);

    const ok = runCli(['data', 'check', 'ds'], { cwd: root });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /ds: unchanged, 100000 file\(s\)/);
    const run = runCli(['run', 'R0', '--data', 'ds'], { cwd: root });
    assert.equal(run.status, 0, run.stderr);

    writeFileSync(join(root, 'data/ds/part-042/s042424.txt'), 'sample 99999\n'); // same size: only the hash tells
    const check = runCli(['data', 'check'], { cwd: root });
    assert.equal(check.status, 1);
    assert.match(check.stderr, /"ds" \(1 changed, 0 missing, 0 added\)/);
    assert.match(check.stderr, /ds: changed part-042\/s042424\.txt/);
    assert.doesNotMatch(check.stderr, /\n\s+at /, 'no stack trace');
    const refused = runCli(['run', 'R1', '--data', 'ds'], { cwd: root });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /ds: changed part-042\/s042424\.txt/);
    rmSync(join(root, 'data'), { recursive: true }); // here, under this test's timeout: 100,000 files take a while
  });
});
