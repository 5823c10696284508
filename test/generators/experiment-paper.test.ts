import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMeanSpread } from '../../core/paper/spread.js';
import { summarize } from '../../core/experiments/statistics.js';
import { cleanupTempDirs } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { scaffoldProject } from '../helpers/project.js';
import { captureOutput } from '../helpers/runs.js';
import { sealTrial, writePlan } from '../helpers/experiments.js';

/** paper and check-paper on an experiment record: \dlresultpm, --spread, and `m ± s` in drafts. */
describe('dl-lab paper and check-paper on experiment records (m ± s)', () => {
  let root: string;
  const WIDE = [0.91, 0.93, 0.95]; // mean 0.93, std 0.02, sem 0.0115, ci95 half-width 0.0497
  const NARROW = [0.85, 0.86, 0.87];
  const checkPaper = (files: string[]) => captureOutput(() => runGenerator('check-paper', { cwd: root, args: files }));
  const draft = (name: string, body: string): string => {
    mkdirSync(join(root, 'paper'), { recursive: true });
    writeFileSync(join(root, 'paper', name), body);
    return `paper/${name}`;
  };
  const texDraft = (name: string, results: string) =>
    draft(name, `\\documentclass{article}\n\\input{dl-lab-results}\n\\begin{document}\n\\section{Results}\n${results}\n\\end{document}\n`);

  before(async () => {
    root = await scaffoldProject();
    writePlan(root, 'abl', { narrow: {}, wide: {} }, [0, 1, 2]);
    for (const [seed, accuracy] of WIDE.entries()) await sealTrial(root, 'abl', { variant: 'wide', seed, accuracy });
    for (const [seed, accuracy] of NARROW.entries()) await sealTrial(root, 'abl', { variant: 'narrow', seed, accuracy });
    await captureOutput(() => runGenerator('aggregate', { cwd: root, args: ['abl'] }));
  });
  after(cleanupTempDirs);

  it('formats m ± s with the spread to 1 significant digit (2 from a leading 1) and the mean to its decimal place', () => {
    assert.deepEqual(formatMeanSpread(0.94812, 0.0041), { mean: '0.948', spread: '0.004' });
    assert.deepEqual(formatMeanSpread(0.94812, 0.0132), { mean: '0.948', spread: '0.013' });
    assert.deepEqual(formatMeanSpread(72.456, 3.3), { mean: '72', spread: '3' });
    assert.deepEqual(formatMeanSpread(0.5, 0), { mean: '0.500', spread: '0' });
  });

  it('paper --spread ci95 defines \\dlresultpm per variant and result, declares the spread in a comment, and keeps every \\dlresult', async () => {
    const { stdout } = await captureOutput(() => runGenerator('paper', { cwd: root, args: ['abl'], options: { spread: 'ci95' } }));
    const half = (summarize(WIDE).ci95![1] - summarize(WIDE).ci95![0]) / 2;
    assert.match(stdout, /^experiments: 2 \\dlresultpm \(mean \\pm ci95\), e\.g\. \\dlresultpm\{abl\}\{narrow\.val_accuracy\} = 0\.86 \\pm 0\.02$/m);
    const tex = readFileSync(join(root, 'paper/dl-lab-results.tex'), 'utf8');
    assert.match(tex, /^% dl-lab spread: ci95 = half-width of the Student t 95% confidence interval of the mean \(t\(0\.975, n-1\) \* sem\) \(dl-lab paper --spread\)\.$/m);
    assert.match(tex, /^%   dl-lab paper abl --spread ci95$/m);
    assert.ok(tex.includes(`\\DlLabDefineResultPm{abl}{wide.val_accuracy}{0.93 \\pm 0.05}% artifacts/runs/abl/analysis.json:results.wide.val_accuracy.mean = ${summarize(WIDE).mean} \u00b1 ${half} (ci95; fraction; seal sha256:`), tex);
    assert.ok(tex.includes('\\DlLabDefineResult{abl}{wide.val_accuracy.std}{0.0200}{fraction}'), tex);

    await captureOutput(() => runGenerator('paper', { cwd: root, args: ['abl'], options: { spread: 'std', format: 'md' } }));
    const md = readFileSync(join(root, 'paper/dl-lab-results.md'), 'utf8');
    assert.match(md, /^\| `\\dlresultpm\{abl\}\{wide\.val_accuracy\}` \| 0\.93 ± 0\.02 \| fraction \| /m);

    await assert.rejects(captureOutput(() => runGenerator('paper', { cwd: root, args: ['abl'], options: { spread: 'iqr' } })), /--spread must be one of std, sem, ci95, got "iqr"$/);
  });

  it('check-paper accepts m ± s in every written form when s is the declared spread, in prose and tables', async () => {
    await captureOutput(() => runGenerator('paper', { cwd: root, args: ['abl'], options: { spread: 'ci95' } }));
    const file = texDraft('ok.tex', [
      'Wide reaches $0.93 \\pm 0.05$ and narrow 0.86±0.02, or 0.86 (±0.02); quoted by macro: \\dlresultpm{abl}{wide.val_accuracy}.',
      '\\begin{tabular}{lc}\nVariant & Acc. \\\\\n\\midrule\nwide & $0.93 \\pm 0.05$ \\\\\nnarrow & 0.86 (±0.02) \\\\\n\\end{tabular}',
    ].join('\n'));
    const { stdout } = await checkPaper([file]);
    assert.match(stdout, /^ok: 1 draft\(s\), 10 number\(s\) in results contexts and 1 citation\(s\) checked against cited runs: abl$/m);
  });

  it('check-paper reports a spread that is not the declared one, one that matches none, and a \\dlresultpm of an unknown key', async () => {
    await captureOutput(() => runGenerator('paper', { cwd: root, args: ['abl'], options: { spread: 'ci95' } }));
    const file = texDraft('bad.tex', 'Wide: $0.93 \\pm 0.02$. Narrow: $0.86 \\pm 0.07$. Cited: \\dlresultpm{abl}{wide.val_acc}.');
    const error = await checkPaper([file]).then(() => undefined, (e: Error) => e.message);
    assert.ok(error, 'check-paper must fail');
    assert.match(error, /paper\/bad\.tex:5:17: unmatched-spread: ± 0\.02 is the std of abl wide\.val_accuracy, but the results file declares the spread as ci95 \(half-width of the Student t 95% confidence interval/);
    assert.match(error, /paper\/bad\.tex:5:42: unmatched-spread: ± 0\.07 matches no declared spread \(ci95 .*\) of abl narrow\.val_accuracy \(mean 0\.86\d*\): std 0\.01\d*, sem 0\.005\d*, ci95 0\.024\d*/);
    assert.match(error, /paper\/bad\.tex:5:56: unknown-key: artifacts\/runs\/abl\/analysis\.json has no results\.wide\.val_acc\.mean: \\dlresultpm takes <variant>\.<key> of an experiment record \(did you mean wide\.val_accuracy\?\)/);
  });

  it('without a results file declaring one, any of std, sem and ci95 is accepted; a ± after a plain run result is reported', async () => {
    const md = draft('draft.md', '# Results\n\nWide: 0.93 ± 0.02 (std), 0.93 ± 0.01 (sem), 0.93 ± 0.05 (CI). One seed: 0.91 ± 0.01.\n');
    const error = await checkPaper([md]).then(() => undefined, (e: Error) => e.message);
    assert.match(error ?? '', /^ {2}- paper\/draft\.md:3:80: unmatched-spread: ± 0\.01: 0\.91 is the mean of no experiment result of the verified runs/m);
    assert.match(error ?? '', /^1 violation\(s\) in 1 draft\(s\)$/m);
  });
});
