import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetDigest } from '../../core/datasets/digest.js';
import { sha256Hex } from '../../core/hash.js';
import { cleanupTempDirs, readJson, snapshotTree, tempDir } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { git } from '../helpers/git.js';
import { registeredFileArray, runDirOf, scaffoldProject, verifyTag } from '../helpers/project.js';
import { captureOutput } from '../helpers/runs.js';

describe('datasets and code state in runs (data generator, run/demo --data, --require-clean)', () => {
  let root: string;
  before(async () => {
    root = await scaffoldProject({ name: 'data-project' });
    mkdirSync(join(root, 'data/moons/train'), { recursive: true });
    writeFileSync(join(root, 'data/moons/train/a.csv'), 'x,y\n1,2\n');
    writeFileSync(join(root, 'data/moons/val.csv'), 'x,y\n3,4\n');
    writeFileSync(join(root, 'data/labels.txt'), 'cat\ndog\n');
    writeFileSync(join(root, '.gitignore'), `${readFileSync(join(root, '.gitignore'), 'utf8')}data/\n`);
    git(root, 'commit', '-qam', 'ignore data');
  });
  after(cleanupTempDirs);

  it('data list and data check with nothing registered name the command under yo (yo dl-lab:data add …)', async () => {
    for (const action of ['list', 'check']) {
      const { stdout } = await captureOutput(() => runGenerator('data', { cwd: root, args: [action] }));
      assert.equal(stdout.trim(), 'no datasets registered; add one with: yo dl-lab:data add <path> --name <name>', action);
    }
  });

  it('data add registers a folder: every file hashed, a digest over sorted (path, sha256), and a note', async () => {
    await runGenerator('data', { cwd: root, args: ['add', 'data/moons'], options: { name: 'moons', url: 'https://example.org/moons', license: 'CC-BY-4.0', splitLogic: 'val = 20%' } });
    const record = readJson(join(root, 'knowledge_base/data/datasets.json')).datasets.moons;
    assert.equal(record.path, 'data/moons');
    assert.equal(record.kind, 'directory');
    assert.equal(record.file_count, 2);
    const files = await registeredFileArray(root, record);
    assert.deepEqual(files.map((f) => f.path), ['train/a.csv', 'val.csv']);
    assert.equal(files[0].sha256, sha256Hex('x,y\n1,2\n'));
    assert.equal(record.digest, datasetDigest(files));
    const note = readFileSync(join(root, 'knowledge_base/data/moons.md'), 'utf8');
    for (const text of ['https://example.org/moons', 'CC-BY-4.0', 'val = 20%', record.digest]) assert.ok(note.includes(text), text);
  });

  it('data add from a subfolder takes the path relative to where the user is', async () => {
    await runGenerator('data', { cwd: join(root, 'data'), args: ['add', 'labels.txt'], options: { name: 'labels' } });
    assert.equal(readJson(join(root, 'knowledge_base/data/datasets.json')).datasets.labels.path, 'data/labels.txt');
  });

  it('refuses to register the same name twice and leaves the registry as it was', async () => {
    const before = snapshotTree(join(root, 'knowledge_base'));
    await assert.rejects(runGenerator('data', { cwd: root, args: ['add', 'data/labels.txt'], options: { name: 'moons' } }), /Dataset "moons" is already registered; pass --replace to re-register it$/);
    assert.deepEqual(snapshotTree(join(root, 'knowledge_base')), before);
  });

  it('run --data records each dataset with its registered digest and provenance', async () => {
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', 'register datasets', '--allow-empty');
    assert.equal(git(root, 'status', '--porcelain'), '', 'registry and notes committed');
    await runGenerator('run', { cwd: root, args: ['with-data'], options: { data: ['moons', 'labels'] } });
    const manifest = readJson(join(runDirOf(root, 'with-data'), 'manifest.json'));
    const registry = readJson(join(root, 'knowledge_base/data/datasets.json')).datasets;
    assert.deepEqual(manifest.data.map((d: { name: string; sha256: string }) => [d.name, d.sha256]), [['moons', registry.moons.digest], ['labels', registry.labels.digest]]);
    assert.equal(manifest.data[0].provenance.kind, 'registered');
    assert.equal(manifest.data[0].provenance.license, 'CC-BY-4.0');
    assert.deepEqual((await verifyTag(root, 'with-data')).problems, []);
  });

  it('demo --data records the registered dataset beside the generated one', async () => {
    await runGenerator('demo', { cwd: root, options: { seed: 0, data: 'labels', quiet: true } });
    const manifest = readJson(join(runDirOf(root, 'demo-seed0'), 'manifest.json'));
    assert.deepEqual(manifest.data.map((d: { provenance: { kind: string } }) => d.provenance.kind), ['generated', 'registered']);
  });

  it('a dataset whose bytes changed since registration is refused, naming the changed file; nothing is written', async () => {
    appendFileSync(join(root, 'data/moons/val.csv'), '5,6\n');
    const before = snapshotTree(join(root, 'artifacts'));
    await assert.rejects(runGenerator('run', { cwd: root, args: ['drifted'], options: { data: 'moons' } }), /"moons" \(1 changed, 0 missing, 0 added\) changed since registration[\s\S]*val\.csv/);
    assert.deepEqual(snapshotTree(join(root, 'artifacts')), before);
  });

  it('--allow-data-drift records the drift instead', async () => {
    await runGenerator('run', { cwd: root, args: ['drift-recorded'], options: { data: 'moons', allowDataDrift: true } });
    const [entry] = readJson(join(runDirOf(root, 'drift-recorded'), 'manifest.json')).data;
    assert.deepEqual(entry.drift.changed, ['val.csv']);
    assert.notEqual(entry.drift.current_digest, entry.sha256);
  });

  it('an unknown dataset name is refused with the registered names', async () => {
    await assert.rejects(runGenerator('run', { cwd: root, args: ['unknown-data'], options: { data: 'imagenet' } }), /Unknown dataset "imagenet"; registered: labels, moons/);
  });

  it('--require-clean refuses a dirty tree and names what is dirty; a clean tree runs', async () => {
    writeFileSync(join(root, 'notes.py'), 'print(1)\n');
    await assert.rejects(runGenerator('run', { cwd: root, args: ['must-be-clean'], options: { requireClean: true } }), /--require-clean: the working tree is dirty \(1 untracked file\)[\s\S]*untracked: notes\.py/);
    assert.equal(existsSync(runDirOf(root, 'must-be-clean')), false);
    git(root, 'add', 'notes.py');
    git(root, 'commit', '-qm', 'notes');
    await runGenerator('run', { cwd: root, args: ['must-be-clean'], options: { requireClean: true } });
    assert.equal(readJson(join(runDirOf(root, 'must-be-clean'), 'manifest.json')).code.git.dirty, false);
  });

  it('--require-clean outside a git repository is refused with the reason', async () => {
    const bare = await scaffoldProject({ skipGit: true });
    await assert.rejects(runGenerator('run', { cwd: bare, args: ['x'], options: { requireClean: true } }), /--require-clean: cannot tell whether the code is committed: not a git repository/);
  });

  it('a dirty tree is saved as code.patch, listed and hashed, and it re-creates the tree on the recorded commit', async () => {
    writeFileSync(join(root, 'model.py'), 'hidden = 32\n');
    appendFileSync(join(root, 'README.md'), '\nEdited.\n');
    await runGenerator('run', { cwd: root, args: ['dirty-run'] });
    const dir = runDirOf(root, 'dirty-run');
    const manifest = readJson(join(dir, 'manifest.json'));
    assert.equal(manifest.code.git.dirty, true);
    assert.equal(manifest.code.patch.path, 'artifacts/runs/dirty-run/code.patch');
    assert.equal(manifest.code.patch.sha256, sha256Hex(readFileSync(join(dir, 'code.patch'))));
    assert.ok(manifest.outputs.some((o: { path: string; role: string }) => o.path === manifest.code.patch.path && o.role === 'patch'));
    const clone = join(tempDir(), 'clone');
    git(root, 'clone', '-q', root, clone);
    git(clone, 'checkout', '-q', manifest.code.git.commit);
    git(clone, 'apply', join(dir, 'code.patch'));
    assert.equal(readFileSync(join(clone, 'model.py'), 'utf8'), 'hidden = 32\n');
    assert.equal(readFileSync(join(clone, 'README.md'), 'utf8'), readFileSync(join(root, 'README.md'), 'utf8'));
    assert.deepEqual((await verifyTag(root, 'dirty-run')).problems, []);
  });
});
