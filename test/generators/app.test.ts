import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMAS_DIR, SCHEMA_FILES } from '../../core/contract/schema-files.js';
import { cleanupTempDirs, readJson, snapshotTree, tempDir } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { git } from '../helpers/git.js';

describe('dl-lab (app generator)', () => {
  after(cleanupTempDirs);

  it('lays out the whole project, stores the answers in .yo-rc.json and makes a first commit', async () => {
    const dir = tempDir();
    const result = await runGenerator('app', { cwd: dir, options: { name: 'moons-mlp' } });
    result.assertFile([
      'README.md', 'Draft_Derivation.md', 'references.bib', '.gitignore', '.yo-rc.json', 'configs/default.json',
      'artifacts/runs/README.md',
      'knowledge_base/data/dataset-template.md', 'knowledge_base/decisions/0000-template.md',
      'knowledge_base/literature/note-template.md', 'knowledge_base/methodology_traces/metrics.md',
    ].map((f) => join(dir, f)));
    result.assertJsonFileContent(join(dir, '.yo-rc.json'), { 'generator-dl-lab': { name: 'moons-mlp' } });
    const config = readJson(join(dir, 'configs/default.json'));
    assert.equal(config.seed, 0);
    assert.equal(config.data.generator, 'two_moons');
    assert.match(readFileSync(join(dir, 'Draft_Derivation.md'), 'utf8'), /analysis\.json:results\.<key>/);
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /^# moons-mlp$/m);
    const note = readFileSync(join(dir, 'knowledge_base/literature/note-template.md'), 'utf8').split('\n').slice(0, 5);
    assert.deepEqual(note.map((line) => line.split(':')[0]), ['refkey', 'title', 'authors', 'year', 'doi']);
    assert.equal(git(dir, 'rev-list', '--count', 'HEAD'), '1');
    assert.equal(git(dir, 'status', '--porcelain'), '');
    assert.ok(git(dir, 'ls-files').split('\n').includes('artifacts/runs/README.md'), 'artifacts/runs/ is kept in git');
  });

  it('--yes takes the folder name, made a slug, as the project name', async () => {
    const dir = join(tempDir(), 'My Cool_Project!');
    mkdirSync(dir);
    await runGenerator('app', { cwd: dir, options: { yes: true, skipGit: true } });
    assert.equal(readJson(join(dir, '.yo-rc.json'))['generator-dl-lab'].name, 'my-cool_project');
    assert.equal(existsSync(join(dir, '.git')), false, '--skip-git: no repository');
  });

  it('--out scaffolds into another folder', async () => {
    const dir = tempDir();
    await runGenerator('app', { cwd: dir, options: { name: 'elsewhere', out: 'sub/project', skipGit: true } });
    assert.equal(readJson(join(dir, 'sub/project/.yo-rc.json'))['generator-dl-lab'].name, 'elsewhere');
  });

  it('refuses a non-empty folder without --force and leaves it untouched', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'my work');
    const before = snapshotTree(dir);
    await assert.rejects(runGenerator('app', { cwd: dir, options: { name: 'x', skipGit: true } }), /is not empty \(notes\.txt\).*--force/);
    assert.deepEqual(snapshotTree(dir), before);
  });

  it('--force adds the project beside existing files without touching them', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'my work');
    await runGenerator('app', { cwd: dir, options: { name: 'x', force: true, skipGit: true } });
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'my work');
    assert.ok(existsSync(join(dir, 'Draft_Derivation.md')));
  });

  it('--force still never overwrites a file the project would write', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'README.md'), 'mine');
    const before = snapshotTree(dir);
    await assert.rejects(runGenerator('app', { cwd: dir, options: { name: 'x', force: true, skipGit: true } }), /already has README\.md: dl-lab never overwrites/);
    assert.deepEqual(snapshotTree(dir), before);
  });

  it('refuses a project name that is not a slug', async () => {
    const dir = tempDir();
    await assert.rejects(runGenerator('app', { cwd: dir, options: { name: 'Bad Name', skipGit: true } }), /invalid project name "Bad Name"/);
    assert.deepEqual(snapshotTree(dir), {});
  });

  it('--yes scaffolds the PyTorch example and copies the schemas byte for byte; the framework is stored beside the name', async () => {
    const dir = tempDir();
    await runGenerator('app', { cwd: dir, options: { name: 'moons-mlp', yes: true, skipGit: true } });
    assert.deepEqual(readJson(join(dir, '.yo-rc.json')), { 'generator-dl-lab': { name: 'moons-mlp', framework: 'pytorch' } });
    for (const file of ['__init__.py', 'data.py', 'model.py', 'metrics.py', 'validate.py']) assert.ok(existsSync(join(dir, 'src/moons_mlp', file)), file);
    assert.match(readFileSync(join(dir, 'train.py'), 'utf8'), /^from moons_mlp\.data import/m);
    assert.match(readFileSync(join(dir, 'src/moons_mlp/validate.py'), 'utf8'), /python -m moons_mlp\.validate artifacts\/runs\/<TAG>/);
    assert.match(readFileSync(join(dir, 'launch/slurm.sbatch'), 'utf8'), /^#SBATCH --job-name=moons-mlp$/m);
    for (const file of Object.values(SCHEMA_FILES)) {
      assert.deepEqual(readFileSync(join(dir, 'schemas', file)), readFileSync(join(SCHEMAS_DIR, file)), file);
    }
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const heading of ['## Train with PyTorch', '## Check runs from Python', '## Clusters (Slurm, torchrun): only rank 0 calls dl-lab run']) assert.ok(readme.includes(heading), heading);
    assert.ok(readme.includes('PYTHONPATH=src python -m moons_mlp.validate'));
  });

  it('--framework none lays out no Python code (the schemas are still copied)', async () => {
    const dir = tempDir();
    await runGenerator('app', { cwd: dir, options: { name: 'bring-your-own', framework: 'none', skipGit: true } });
    assert.equal(readJson(join(dir, '.yo-rc.json'))['generator-dl-lab'].framework, 'none');
    for (const path of ['train.py', 'src', 'launch']) assert.equal(existsSync(join(dir, path)), false, path);
    assert.ok(existsSync(join(dir, 'schemas/metrics-input.schema.json')));
    assert.doesNotMatch(readFileSync(join(dir, 'README.md'), 'utf8'), /Train with PyTorch/);
  });

  it('a project name that is no Python package name gets one (a digit first: dl_ prefix)', async () => {
    const dir = tempDir();
    await runGenerator('app', { cwd: dir, options: { name: '3d-unet', yes: true, skipGit: true } });
    assert.ok(existsSync(join(dir, 'src/dl_3d_unet/model.py')));
    assert.match(readFileSync(join(dir, 'train.py'), 'utf8'), /^from dl_3d_unet\.model import build_model/m);
  });

  it('refuses an unknown --framework and writes nothing', async () => {
    const dir = tempDir();
    await assert.rejects(runGenerator('app', { cwd: dir, options: { name: 'x', framework: 'jax', skipGit: true } }), /unknown framework "jax": choose one of pytorch, none/);
    assert.deepEqual(snapshotTree(dir), {});
  });

  it('--force never overwrites a train.py or a schema that is already there', async () => {
    for (const existing of ['train.py', 'schemas/manifest.schema.json']) {
      const dir = tempDir();
      mkdirSync(join(dir, 'schemas'));
      writeFileSync(join(dir, existing), 'mine');
      const before = snapshotTree(dir);
      await assert.rejects(runGenerator('app', { cwd: dir, options: { name: 'x', yes: true, force: true, skipGit: true } }), new RegExp(`already has ${existing.replace('.', '\\.')}`));
      assert.deepEqual(snapshotTree(dir), before);
    }
  });
});
