import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BAD_INPUTS } from '../bad-inputs/corpus.js';
import { runCli } from '../helpers/cli.js';
import { mapLimit, startCli } from '../helpers/cli-async.js';
import { cleanupTempDirs, snapshotTree, tempDir } from '../helpers/fs.js';

describe(`bad inputs: ${BAD_INPUTS.length} cases through the built CLI`, function () {
  this.timeout(600_000);
  let base: string;
  const outcomes = new Map<string, { status: number | null; stderr: string; changed: string[] }>();

  before(async () => {
    base = join(tempDir(), 'base');
    const steps = [['--name', 'bad-inputs', '--out', base, '--skip-git', '--framework', 'none'], ['run', 'M0-wiring'], ['demo', '--seed', '0', '--quiet'], ['data', 'add', 'data/train.csv', '--name', 'train']];
    for (const args of steps) {
      if (args[0] === 'data') {
        mkdirSync(join(base, 'data'));
        writeFileSync(join(base, 'data/train.csv'), 'x,y\n1,2\n');
      }
      const result = runCli(args, { cwd: args[0] === '--name' ? tempDir() : base });
      assert.equal(result.status, 0, result.stderr);
    }
    // Two at a time: each case is a fresh copy of the base project and one CLI process.
    await mapLimit(BAD_INPUTS, 2, async (input) => {
      const root = join(tempDir(), 'project');
      cpSync(base, root, { recursive: true });
      input.setup?.(root);
      const before = snapshotTree(root);
      const result = await startCli(input.args, { cwd: root }).done;
      const after = snapshotTree(root);
      const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((key) => before[key] !== after[key]);
      outcomes.set(input.name, { status: result.status, stderr: result.stderr, changed });
    });
  });
  after(cleanupTempDirs);

  it('has at least 40 cases', () => assert.ok(BAD_INPUTS.length >= 40, String(BAD_INPUTS.length)));

  for (const input of BAD_INPUTS) {
    it(input.name, () => {
      const outcome = outcomes.get(input.name)!;
      assert.notEqual(outcome.status, 0, 'non-zero exit');
      assert.equal(outcome.status, 1, `exit 1 for a user error: ${outcome.stderr}`);
      assert.match(outcome.stderr, input.error);
      if (input.oneLine) assert.equal(outcome.stderr.trimEnd().split('\n').length, 1, `one line: ${outcome.stderr}`);
      assert.doesNotMatch(outcome.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
      assert.doesNotMatch(outcome.stderr, /internal error/);
      assert.deepEqual(outcome.changed, [], 'project byte-for-byte as before');
    });
  }
});
