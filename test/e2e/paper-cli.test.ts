import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { fillDraft, readFixture } from '../helpers/paper.js';
import { runDirOf } from '../helpers/project.js';

describe('dl-lab paper and check-paper through the built bin (exit codes, --json)', () => {
  let root: string;
  const cli = (...args: string[]) => runCli(args, { cwd: root });
  const draft = (name: string): string => {
    const runs = [{ tag: 'demo-seed0', results: readJson(join(runDirOf(root, 'demo-seed0'), 'analysis.json')).results, definitions: readJson(join(runDirOf(root, 'demo-seed0'), 'summary.json')).metric_definitions }];
    writeFileSync(join(root, name), fillDraft(readFixture(name), runs));
    return name;
  };

  before(() => {
    root = join(tempDir(), 'paper-e2e');
    assert.equal(runCli(['--name', 'paper-e2e', '--out', root, '--skip-git'], { cwd: tempDir() }).status, 0);
    const demo = cli('demo', '--seed', '0', '--quiet');
    assert.equal(demo.status, 0, demo.stderr);
  });
  after(cleanupTempDirs);

  it('paper writes the macros file and says how to use it (exit 0)', () => {
    const result = cli('paper', 'demo-seed0');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^wrote paper\/dl-lab-results\.tex: 7 result\(s\) of 1 verified run\(s\) \(demo-seed0\)\nuse: \\input\{paper\/dl-lab-results\} in the preamble, then \\dlresult\{demo-seed0\}\{test_accuracy\} in the text\n/);
    assert.match(readFileSync(join(root, 'paper/dl-lab-results.tex'), 'utf8'), /^\\DlLabDefineResult\{demo-seed0\}\{test_accuracy\}/m);
  });

  it('check-paper: exit 0 and a summary for a correct draft, also with --json', () => {
    const file = draft('correct.tex');
    const result = cli('check-paper', file);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ok: 1 draft\(s\), 3 number\(s\) in results contexts and 3 citation\(s\) checked against cited runs: demo-seed0\n$/);
    const json = cli('check-paper', file, '--json');
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.ok, true);
    assert.deepEqual(report.files, ['correct.tex']);
    assert.deepEqual(report.violations, []);
  });

  it('check-paper: exit 1 on a violation, one line each on stderr, no stack trace; --json puts the report on stdout', () => {
    const file = draft('mistyped-number.tex');
    const result = cli('check-paper', file, draft('correct.md'));
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^dl-lab check-paper: error: 1 violation\(s\) in 1 draft\(s\)\n {2}- mistyped-number\.tex:2:41: unmatched-number: \S+ in a results context: .*nearest: artifacts\/runs\/demo-seed0\/analysis\.json:results\.test_accuracy = /);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    const json = cli('check-paper', file, '--json');
    assert.equal(json.status, 1);
    assert.match(json.stderr, /^dl-lab check-paper: error: 1 violation\(s\) in 1 draft\(s\) \(see the JSON report\)\n$/);
    const report = JSON.parse(json.stdout);
    assert.equal(report.ok, false);
    assert.deepEqual(report.files, ['mistyped-number.tex']);
    const analysis = readJson(join(runDirOf(root, 'demo-seed0'), 'analysis.json'));
    assert.deepEqual(Object.keys(report.violations[0]), ['file', 'line', 'column', 'kind', 'text', 'message', 'nearest']);
    assert.deepEqual(report.violations[0].nearest, { tag: 'demo-seed0', key: 'test_accuracy', value: analysis.results.test_accuracy });
    assert.deepEqual([report.violations[0].file, report.violations[0].line, report.violations[0].column, report.violations[0].kind], ['mistyped-number.tex', 2, 41, 'unmatched-number']);
  });

  it('a tampered run: paper refuses it (nothing written) and check-paper fails (exit 1)', () => {
    const file = draft('correct.tex');
    const analysis = join(runDirOf(root, 'demo-seed0'), 'analysis.json');
    chmodSync(analysis, 0o644);
    writeFileSync(analysis, readFileSync(analysis, 'utf8').replace('"tag": "demo-seed0"', '"tag": "demo-seed0" '));
    const paper = cli('paper', 'demo-seed0', '--out', 'paper/after-tamper.tex');
    assert.equal(paper.status, 1);
    assert.match(paper.stderr, /^dl-lab paper: error: run demo-seed0 does not pass verification \(tampered, unsealed or invalid\); refusing to cite it\n {2}- artifacts\/runs\/demo-seed0\/analysis\.json: size /);
    assert.ok(!existsSync(join(root, 'paper/after-tamper.tex')));
    const check = cli('check-paper', file, '--json');
    assert.equal(check.status, 1);
    const report = JSON.parse(check.stdout);
    assert.ok(report.violations.some((v: { kind: string; message: string }) => v.kind === 'unverified-run' && /run demo-seed0 does not pass verification/.test(v.message)));
  });

  it('--help shows each command\'s options and examples', () => {
    for (const [sub, example] of [['paper', 'dl-lab paper demo-seed0'], ['check-paper', 'dl-lab check-paper Draft_Derivation.md']] as const) {
      const result = runCli([sub, '--help'], { cwd: tempDir() });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /Options:/);
      assert.ok(result.stdout.includes(example), `${sub} --help shows ${example}`);
    }
  });
});
