import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cleanupTempDirs, snapshotTree, tempDir } from '../helpers/fs.js';
import { runGenerator, type GeneratorName } from '../helpers/generators.js';
import { runDirOf, scaffoldProject } from '../helpers/project.js';

/**
 * yo parses the command line itself and hands a generator `{ metric: '…' }`, not the words typed,
 * so a misspelt option never reached the bin's check of the command line and was silently ignored
 * (`yo dl-lab:run M1 --metric m.json` sealed a placeholder wiring run). yeoman-test passes options
 * the same way.
 */
describe('every generator refuses an option it does not declare, passed as yo passes it', () => {
  let root: string;
  before(async () => {
    root = await scaffoldProject();
  });
  after(cleanupTempDirs);

  const argsOf: Record<GeneratorName, string[]> = {
    app: [], run: ['T-unknown'], demo: [], verify: ['T'], compare: ['A', 'B'], reproduce: ['T'], report: [], paper: ['T'],
    'check-paper': ['paper.tex'], data: ['add', 'data'], runs: [], sweep: ['s'], aggregate: ['s'],
  };
  for (const name of Object.keys(argsOf) as GeneratorName[]) {
    it(`${name}: one line naming the option, nothing written`, async () => {
      const cwd = name === 'app' ? tempDir() : root;
      const before = snapshotTree(cwd);
      await assert.rejects(
        runGenerator(name, { cwd, args: argsOf[name], options: { bogusOption: 'x' } }),
        { message: `unknown option "--bogus-option"; see ${name === 'app' ? 'yo dl-lab' : `yo dl-lab:${name}`} --help` },
      );
      assert.deepEqual(snapshotTree(cwd), before);
    });
  }

  it('run --metric (meant --metrics): refused, and no placeholder run is sealed', async () => {
    await assert.rejects(
      runGenerator('run', { cwd: root, args: ['M1-x'], options: { metric: 'tmp/run/metrics.json' } }),
      { message: 'unknown option "--metric"; see yo dl-lab:run --help' },
    );
    await assert.rejects(runGenerator('run', { cwd: root, args: ['M1-x'], options: { 'no-such': true, quite: false } }), {
      message: 'unknown option "--no-such" (and 1 more); see yo dl-lab:run --help',
    });
    assert.equal(existsSync(runDirOf(root, 'M1-x')), false);
  });

  it('declared options, camelCase or dashed, and Yeoman\'s own still work', async () => {
    await runGenerator('run', { cwd: root, args: ['M1-ok'], options: { quiet: true, 'require-clean': false, allowDataDrift: false, force: false, skipCache: true } });
    assert.deepEqual(Object.keys(snapshotTree(runDirOf(root, 'M1-ok'))).sort(), ['SHA256SUMS', 'analysis.json', 'checkpoints/', 'checkpoints/best.json', 'manifest.json', 'summary.json']);
  });
});
