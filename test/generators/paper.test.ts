import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatResultValue, texNumber } from '../../core/paper/format-value.js';
import { cleanupTempDirs, readJson } from '../helpers/fs.js';
import { runGenerator } from '../helpers/generators.js';
import { fillDraft, readFixture, type FixtureRun } from '../helpers/paper.js';
import { runDirOf, scaffoldProject } from '../helpers/project.js';

/** Flip one byte of a sealed run's file (made writable first, as an attacker or a careless editor would). */
const tamper = (root: string, tag: string, file = 'analysis.json'): void => {
  const path = join(runDirOf(root, tag), file);
  chmodSync(path, 0o644);
  const bytes = readFileSync(path);
  const at = bytes.indexOf('"test_accuracy": ') + '"test_accuracy": '.length + 2;
  bytes[at] = bytes[at] === 0x39 ? 0x38 : 0x39;
  writeFileSync(path, bytes);
};

const fixtureRun = (root: string, tag: string): FixtureRun & { seal: string } => ({
  tag,
  results: readJson(join(runDirOf(root, tag), 'analysis.json')).results,
  definitions: readJson(join(runDirOf(root, tag), 'summary.json')).metric_definitions,
  seal: readJson(join(runDirOf(root, tag), 'manifest.json')).seal.digest,
});

describe('dl-lab paper and dl-lab check-paper (generators, real demo runs)', () => {
  let root: string;
  let runs: Array<FixtureRun & { seal: string }>;
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  /** Write a fixture draft, filled from the real runs, into the project. */
  const draft = (name: string, edit: (text: string) => string = (t) => t): string => {
    mkdirSync(join(root, 'paper'), { recursive: true });
    writeFileSync(join(root, 'paper', name), edit(fillDraft(readFixture(name), runs)));
    return `paper/${name}`;
  };
  const checkPaper = (...files: string[]) => runGenerator('check-paper', { cwd: root, args: files });

  before(async () => {
    root = await scaffoldProject();
    await runGenerator('demo', { cwd: root, options: { seed: 0, quiet: true } });
    await runGenerator('demo', { cwd: root, options: { seed: 1, quiet: true } });
    await runGenerator('demo', { cwd: root, options: { seed: 2, epochs: 3, tag: 'tampered', quiet: true } });
    tamper(root, 'tampered');
    runs = ['demo-seed0', 'demo-seed1'].map((tag) => fixtureRun(root, tag));
  });
  after(cleanupTempDirs);

  describe('paper', () => {
    it('writes paper/dl-lab-results.tex: every results key of the runs, with its value, source and seal', async () => {
      await runGenerator('paper', { cwd: root, args: ['demo-seed1', 'demo-seed0'] });
      const tex = read('paper/dl-lab-results.tex');
      const lines = tex.split('\n').filter((line) => line.startsWith('\\DlLabDefineResult'));
      const expected = runs.flatMap((run) =>
        Object.keys(run.results)
          .sort()
          .map((key) => {
            const value = texNumber(formatResultValue(run.results[key], run.definitions[key]).text);
            return `\\DlLabDefineResult{${run.tag}}{${key}}{${value}}{${run.definitions[key].unit}}% artifacts/runs/${run.tag}/analysis.json:results.${key} = ${run.results[key]} (`;
          }),
      );
      assert.equal(lines.length, expected.length);
      lines.forEach((line, i) => assert.ok(line.startsWith(expected[i]), `${line}\n  should start with\n${expected[i]}`));
      for (const run of runs) {
        const own = lines.filter((line) => line.startsWith(`\\DlLabDefineResult{${run.tag}}`));
        assert.ok(own.every((line) => line.endsWith(`seal sha256:${run.seal})`)), `${run.tag}: every line names the run's seal`);
      }
      assert.ok(lines.some((line) => line.startsWith('\\DlLabDefineResult{demo-seed0}{best_epoch}{') && /\{\d+\}\{epoch\}/.test(line)), 'an epoch is an integer');
    });

    it('regenerates its own file byte for byte (deterministic), but refuses one it did not write', async () => {
      const before = read('paper/dl-lab-results.tex');
      await runGenerator('paper', { cwd: root, args: ['demo-seed0', 'demo-seed1'] });
      assert.equal(read('paper/dl-lab-results.tex'), before);
      writeFileSync(join(root, 'paper/main.tex'), '\\documentclass{article}\n');
      await assert.rejects(
        runGenerator('paper', { cwd: root, args: ['demo-seed0'], options: { out: 'paper/main.tex' } }),
        /paper\/main\.tex: exists and was not written by dl-lab paper .*refusing to overwrite it/,
      );
      assert.equal(read('paper/main.tex'), '\\documentclass{article}\n');
    });

    it('--format md, --out and --digits', async () => {
      await runGenerator('paper', { cwd: root, args: ['demo-seed0'], options: { format: 'md', digits: 2 } });
      const md = read('paper/dl-lab-results.md');
      const [run] = runs;
      assert.ok(md.includes(`| \`\\dlresult{demo-seed0}{test_accuracy}\` | ${formatResultValue(run.results.test_accuracy, undefined, 2).text} | fraction |`), md);
      assert.equal(md.split('\n').filter((line) => line.startsWith('| `\\dlresult')).length, Object.keys(run.results).length);
      await runGenerator('paper', { cwd: join(root, 'paper'), args: ['demo-seed0'], options: { out: 'seed0.tex' } });
      assert.ok(existsSync(join(root, 'paper/seed0.tex')), '--out is relative to the current folder');
      await assert.rejects(runGenerator('paper', { cwd: root, args: ['demo-seed0'], options: { format: 'md', out: 'x.tex' } }), /--out x\.tex is a \.tex file but --format is md/);
      await assert.rejects(runGenerator('paper', { cwd: root, args: ['demo-seed0'], options: { digits: 13 } }), /--digits must be an integer from 1 to 12/);
      await assert.rejects(runGenerator('paper', { cwd: root, args: [] }), /give the runs to cite: yo dl-lab:paper <TAG…> \(runs of this project: demo-seed0, demo-seed1, tampered\)/);
    });

    it('refuses a tampered run and a missing run, and writes nothing', async () => {
      await assert.rejects(
        runGenerator('paper', { cwd: root, args: ['demo-seed0', 'tampered'], options: { out: 'paper/t.tex' } }),
        /run tampered does not pass verification \(tampered, unsealed or invalid\); refusing to cite it\n {2}- artifacts\/runs\/tampered\/analysis\.json: sha256 .* differs from the recorded/,
      );
      await assert.rejects(runGenerator('paper', { cwd: root, args: ['demo-seed7'], options: { out: 'paper/t.tex' } }), /no run demo-seed7 \(artifacts\/runs\/demo-seed7\/ does not exist; yo dl-lab:demo --seed 7 makes it\); refusing to cite it/);
      await assert.rejects(runGenerator('paper', { cwd: root, args: ['bad tag'] }), /invalid TAG "bad tag"/);
      assert.ok(!existsSync(join(root, 'paper/t.tex')));
    });
  });

  describe('check-paper', () => {
    it('passes drafts that cite correctly, and realistic drafts full of years, citations, equation and section numbers', async () => {
      await runGenerator('paper', { cwd: root, args: ['demo-seed0', 'demo-seed1'] });
      await checkPaper(draft('correct.tex'), draft('correct.md'));
      await checkPaper(draft('realistic.tex'));
      await checkPaper(draft('realistic.md'));
    });

    it('the realistic LaTeX draft cites seed 1 through the macros file it \\input\'s', async () => {
      // Without its pointer comment, seed 1 is cited only by \input{paper/dl-lab-results}.
      const file = draft('realistic.tex', (text) => text.replace(' % artifacts/runs/demo-seed1/analysis.json:results.test_accuracy', ''));
      await checkPaper(file);
      writeFileSync(join(root, file), read(file).replace('\\input{paper/dl-lab-results}', ''));
      await assert.rejects(checkPaper(file), /unmatched-number: .* matches no result of the cited runs \(demo-seed0\)/);
    });

    it('fails a mistyped number, naming its place and the result it probably meant', async () => {
      const file = draft('mistyped-number.tex');
      const typo = /test accuracy of (\S+) /.exec(read(file))![1];
      await assert.rejects(checkPaper(file), (error: Error) => {
        assert.match(error.message, /^1 violation\(s\) in 1 draft\(s\)/);
        assert.ok(
          error.message.includes(`paper/mistyped-number.tex:2:41: unmatched-number: ${typo} in a results context: it matches no result of the cited runs (demo-seed0); nearest: artifacts/runs/demo-seed0/analysis.json:results.test_accuracy = ${runs[0].results.test_accuracy}`),
          error.message,
        );
        return true;
      });
    });

    it('fails a wrong key, a missing run and a tampered run, each with its message', async () => {
      await assert.rejects(checkPaper(draft('wrong-key.tex')), /paper\/wrong-key\.tex:2:41: unknown-key: artifacts\/runs\/demo-seed0\/analysis\.json has no results\.test_acc \(did you mean test_accuracy\?\)/);
      await assert.rejects(checkPaper(draft('missing-run.tex')), /paper\/missing-run\.tex:3:1: missing-run: no run demo-seed9 \(artifacts\/runs\/demo-seed9\/ does not exist/);
      const file = draft('correct.tex', (text) => text.replaceAll('demo-seed0', 'tampered'));
      await assert.rejects(checkPaper(file), /paper\/correct\.tex:2:16: unverified-run: run tampered does not pass verification \(tampered, unsealed or invalid\): artifacts\/runs\/tampered\/analysis\.json: sha256 .* differs from the recorded .*; only verified runs may be cited/);
    });

    it('the macros files dl-lab paper writes pass check-paper themselves', async () => {
      await runGenerator('paper', { cwd: root, args: ['demo-seed0', 'demo-seed1'], options: { format: 'md' } });
      await runGenerator('paper', { cwd: root, args: ['demo-seed0', 'demo-seed1'] });
      await checkPaper('paper/dl-lab-results.md', 'paper/dl-lab-results.tex');
    });

    it('the scaffolded Draft_Derivation.md passes once its demo run exists', async () => {
      await checkPaper('Draft_Derivation.md');
    });

    it('refuses what it cannot read', async () => {
      await assert.rejects(checkPaper(), /give at least one draft to check/);
      await assert.rejects(checkPaper('notes.txt'), /notes\.txt: not a draft check-paper reads \(use \.tex or \.md\)/);
      await assert.rejects(checkPaper('paper/nope.tex'), /paper\/nope\.tex: cannot read \(ENOENT\)/);
    });
  });
});
