import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';

const URL = 'https://www.cs.toronto.edu/~kriz/cifar.html';
const SPLIT = 'official train/test; val = last 5k of train';

describe('dl-lab data add --replace keeps the recorded provenance not given again (built bin)', function () {
  this.timeout(120_000);
  let root: string;
  const add = (...args: string[]) => runCli(['data', 'add', 'data/cifar10', '--name', 'cifar10', ...args], { cwd: root });
  const record = () => readJson(join(root, 'knowledge_base/data/datasets.json')).datasets.cifar10;
  const note = () => readFileSync(join(root, 'knowledge_base/data/cifar10.md'), 'utf8');
  const lines = (text: string) => text.trimEnd().split('\n');

  before(() => {
    root = tempDir();
    writeFileSync(join(root, '.yo-rc.json'), JSON.stringify({ 'generator-dl-lab': { name: 'replace' } }));
    mkdirSync(join(root, 'data/cifar10'), { recursive: true });
    writeFileSync(join(root, 'data/cifar10/train.bin'), 'train v1\n');
    writeFileSync(join(root, 'data/cifar10/test.bin'), 'test v1\n');
  });
  after(cleanupTempDirs);

  it('a first registration keeps nothing and says nothing about it', () => {
    const result = add('--url', URL, '--license', 'custom', '--split-logic', SPLIT);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(lines(result.stdout).filter((line) => line.startsWith('kept')).length, 0);
    assert.deepEqual([record().url, record().license, record().split_logic], [URL, 'custom', SPLIT]);
  });

  it('--replace after the files changed, without --url/--license/--split-logic: all three kept, in the registry and the note', () => {
    const before = record();
    writeFileSync(join(root, 'data/cifar10/train.bin'), 'train v2\n');
    const result = add('--replace');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(lines(result.stdout)[1], 'kept from the previous registration: url, license, split_logic');
    const after = record();
    assert.notEqual(after.digest, before.digest, 'the new bytes are registered');
    assert.deepEqual([after.url, after.license, after.split_logic], [URL, 'custom', SPLIT]);
    assert.match(note(), /^\| Source \| <https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar\.html> \|$/m);
    assert.match(note(), /^\| License \| custom \|$/m);
    assert.ok(note().includes(`## Split logic\n\n${SPLIT}\n`));
    assert.doesNotMatch(note(), /not recorded/i);
  });

  it('--replace with a new --url replaces only the url', () => {
    const result = add('--replace', '--url', 'https://example.org/cifar10-v2');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(lines(result.stdout)[1], 'kept from the previous registration: license, split_logic');
    assert.deepEqual([record().url, record().license, record().split_logic], ['https://example.org/cifar10-v2', 'custom', SPLIT]);
    assert.match(note(), /^\| Source \| <https:\/\/example\.org\/cifar10-v2> \|$/m);
  });

  it('--replace giving all three again keeps nothing: no "kept" line', () => {
    const result = add('--replace', '--url', URL, '--license', 'MIT', '--split-logic', 'random 10%');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(lines(result.stdout).filter((line) => line.startsWith('kept')).length, 0);
    assert.deepEqual([record().url, record().license, record().split_logic], [URL, 'MIT', 'random 10%']);
  });
});
