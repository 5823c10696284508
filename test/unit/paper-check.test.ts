import assert from 'node:assert/strict';
import { assessDrafts, numberMatches } from '../../core/paper/check-paper.js';
import { scanDraft } from '../../core/paper/draft-scan.js';
import type { RunLookup } from '../../core/paper/runs.js';
import { fillDraft, readFixture, SYNTHETIC_RUNS } from '../helpers/paper.js';

const verified = new Map<string, RunLookup>(SYNTHETIC_RUNS.map((run) => [run.tag, { status: 'ok', run }]));

const assess = (name: string, lookups: ReadonlyMap<string, RunLookup> = verified) => {
  const text = fillDraft(readFixture(name), SYNTHETIC_RUNS);
  return assessDrafts([{ label: name, scan: scanDraft(text, name.endsWith('.md') ? 'md' : 'tex') }], lookups);
};

describe('paper: matching numbers to results', () => {
  const written = (text: string, percent = false) => ({ value: Number(text), decimals: text.includes('.') ? text.split('.')[1].length : 0, percent });

  it('matches after rounding the result to the digits written (|n - r| <= half a unit of the last digit)', () => {
    assert.ok(numberMatches(written('0.948'), 0.948, 'fraction'));
    assert.ok(numberMatches(written('0.95'), 0.948, 'fraction'));
    assert.ok(numberMatches(written('0.9'), 0.948, 'fraction'));
    assert.ok(!numberMatches(written('0.949'), 0.948, 'fraction'));
    assert.ok(!numberMatches(written('0.94'), 0.948, 'fraction'), '0.948 rounds to 0.95');
    assert.ok(numberMatches(written('0.144'), 0.14406725167658727, 'nats'));
    assert.ok(numberMatches(written('0.1441'), 0.14406725167658727, 'nats'));
    assert.ok(numberMatches(written('0.145'), 0.1445, 'nats') && numberMatches(written('0.144'), 0.1445, 'nats'), 'either side of an exact tie');
    assert.ok(numberMatches(written('35'), 35, 'epoch'));
    assert.ok(!numberMatches(written('36'), 35, 'epoch'));
    assert.ok(numberMatches(written('-0.5'), -0.5, 'nats') && !numberMatches(written('0.5'), -0.5, 'nats'), 'signs count');
  });

  it('matches percentages to fractions (and to results already in percent), and bare fraction x100 in "%" tables', () => {
    assert.ok(numberMatches(written('94.8', true), 0.948, 'fraction'));
    assert.ok(numberMatches(written('95', true), 0.948, 'fraction'));
    assert.ok(!numberMatches(written('94.9', true), 0.948, 'fraction'));
    assert.ok(numberMatches(written('91.3', true), 91.3, '%'));
    assert.ok(numberMatches(written('94.8'), 0.948, 'fraction'), 'a bare 94.8 under an "Acc. (%)" header');
    assert.ok(!numberMatches(written('14.4'), 0.144, 'nats'), 'only fractions are scaled');
  });
});

describe('paper: checking drafts against runs (the rule, without I/O)', () => {
  it('passes correct and realistic drafts, LaTeX and Markdown', () => {
    for (const name of ['correct.tex', 'correct.md', 'realistic.tex', 'realistic.md']) {
      const report = assess(name);
      assert.deepEqual(report.violations, [], name);
      assert.equal(report.ok, true);
      assert.ok(report.numbers_checked > 0, `${name} checks numbers`);
    }
    assert.deepEqual(assess('realistic.tex').runs.map((r) => r.tag), ['demo-seed0', 'demo-seed1']);
  });

  it('a mistyped number: its place, the number, and the result it probably meant', () => {
    const report = assess('mistyped-number.tex');
    assert.equal(report.ok, false);
    assert.equal(report.violations.length, 1);
    const [v] = report.violations;
    assert.deepEqual({ ...v, message: undefined }, {
      file: 'mistyped-number.tex',
      line: 2,
      column: 41,
      kind: 'unmatched-number',
      text: '0.949',
      message: undefined,
      nearest: { tag: 'demo-seed0', key: 'test_accuracy', value: 0.948 },
    });
    assert.match(v.message, /^0\.949 in a results context: it matches no result of the cited runs \(demo-seed0\); nearest: artifacts\/runs\/demo-seed0\/analysis\.json:results\.test_accuracy = 0\.948 \(\\dlresult\{demo-seed0\}\{test_accuracy\} = 0\.948\)/);
  });

  it('a wrong key: the key, a suggestion and the keys there are', () => {
    const { violations } = assess('wrong-key.tex');
    assert.deepEqual(violations.map((v) => [v.line, v.column, v.kind, v.text]), [[2, 41, 'unknown-key', '\\dlresult{demo-seed0}{test_acc}']]);
    assert.match(violations[0].message, /artifacts\/runs\/demo-seed0\/analysis\.json has no results\.test_acc \(did you mean test_accuracy\?\); its results: best_epoch, test_accuracy,/);
  });

  it('a missing run', () => {
    const lookups = new Map(verified);
    lookups.set('demo-seed9', { status: 'missing', tag: 'demo-seed9', runDir: 'artifacts/runs/demo-seed9', problems: [] });
    const { violations } = assess('missing-run.tex', lookups);
    assert.deepEqual(violations.map((v) => [v.line, v.column, v.kind]), [[3, 1, 'missing-run']]);
    assert.match(violations[0].message, /^no run demo-seed9 \(artifacts\/runs\/demo-seed9\/ does not exist; yo dl-lab:demo --seed 9 makes it\)/);
  });

  it('a run that fails verification: every place that cites it, with the problems', () => {
    const lookups = new Map<string, RunLookup>([['demo-seed0', { status: 'unverified', tag: 'demo-seed0', runDir: 'artifacts/runs/demo-seed0', problems: ['artifacts/runs/demo-seed0/analysis.json: sha256 0afb… differs from the recorded 58d6…'] }]]);
    const report = assess('correct.tex', lookups);
    const tampered = report.violations.filter((v) => v.kind === 'unverified-run');
    assert.equal(tampered.length, 4, 'the comment mention and the three \\dlresult');
    assert.match(tampered[0].message, /^run demo-seed0 does not pass verification \(tampered, unsealed or invalid\): artifacts\/runs\/demo-seed0\/analysis\.json: sha256 0afb… differs .*; only verified runs may be cited$/);
    assert.ok(report.violations.filter((v) => v.kind === 'unmatched-number').every((v) => /none of the cited runs passes verification/.test(v.message)));
    assert.deepEqual(report.runs, []);
  });

  it('with no citation at all, checks numbers against every verified run of the project', () => {
    const scan = scanDraft('\\section{Results}\nAccuracy 0.956 and 0.5.\n', 'tex');
    const report = assessDrafts([{ label: 'd.tex', scan }], new Map(), SYNTHETIC_RUNS);
    assert.deepEqual(report.runs.map((r) => [r.tag, r.cited]), [['demo-seed0', false], ['demo-seed1', false]]);
    assert.deepEqual(report.violations.map((v) => v.text), ['0.5']);
    assert.match(report.violations[0].message, /matches no result of the verified runs \(demo-seed0, demo-seed1\)/);
    const none = assessDrafts([{ label: 'd.tex', scan }], new Map(), []);
    assert.match(none.violations[0].message, /the project has no verified run/);
    assert.equal(none.violations[0].nearest, undefined);
  });

  it('only cited runs count: a number of an uncited run is not a citation of it', () => {
    const scan = scanDraft('\\section{Results}\n\\dlresult{demo-seed0}{test_accuracy} vs 0.956.\n', 'tex');
    const report = assessDrafts([{ label: 'd.tex', scan }], verified);
    assert.deepEqual(report.violations.map((v) => [v.text, v.nearest?.key]), [['0.956', 'test_accuracy']]);
  });

  it('a results macros file the draft inputs cites its runs', () => {
    const scan = scanDraft('\\section{Results}\nSeed 1 reaches 0.956.\n', 'tex');
    const report = assessDrafts([{ label: 'd.tex', scan, macrosCitations: [{ tag: 'demo-seed1', line: 1, column: 1, text: 'paper/dl-lab-results' }] }], verified);
    assert.equal(report.ok, true);
  });
});
