import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, readJson, tempDir } from '../helpers/fs.js';
import { runDirOf } from '../helpers/project.js';
import { writePlan } from '../helpers/experiments.js';

/**
 * An experiment end to end through the built bin, with real demo trainings as members (2 variants ×
 * 3 seeds, one trial never run): aggregate, verify, paper, check-paper on a draft quoting m ± s,
 * compare with a p-value; every `next:` command aggregate prints runs as printed. Its variants are
 * the ones the sweep README.md names for `abl` gives (asked of the bin with --dry-run), so the
 * README's and USAGE's `abl:<variant>` examples are checked against what a real sweep creates.
 */
describe('experiments through the built bin: aggregate, verify, paper, check-paper, compare', () => {
  let root: string;
  const cli = (...args: string[]) => runCli(args, { cwd: root });
  let VARIANTS: Record<string, { 'model.hidden': number }>;

  before(function () {
    this.timeout(300_000);
    root = join(tempDir(), 'exp-e2e');
    assert.equal(runCli(['--name', 'exp-e2e', '--out', root, '--skip-git'], { cwd: tempDir() }).status, 0);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const sweep = /## Experiments[\s\S]*?`dl-lab (sweep abl [^`]*)`/.exec(readme)![1];
    const dryRun = cli(...sweep.split(' '), '--dry-run');
    assert.equal(dryRun.status, 0, dryRun.stderr);
    VARIANTS = Object.fromEntries([...dryRun.stdout.matchAll(/^ {2}variant (\S+): (.*)$/gm)].map(([, name, overrides]) => [name, JSON.parse(overrides)]));
    assert.deepEqual(VARIANTS, { hidden4: { 'model.hidden': 4 }, hidden16: { 'model.hidden': 16 } });
    writePlan(root, 'abl', VARIANTS, [0, 1, 2]);
    for (const [variant, overrides] of Object.entries(VARIANTS)) {
      for (const seed of [0, 1, 2]) {
        if (variant === 'hidden16' && seed === 2) continue; // a planned trial that never ran: listed as missing
        const demo = cli('demo', '--seed', String(seed), '--tag', `abl-${variant}-s${seed}`, '--hidden', String(overrides['model.hidden']), '--epochs', '8', '--quiet');
        assert.equal(demo.status, 0, demo.stderr);
      }
    }
  });
  after(cleanupTempDirs);

  it('aggregate writes the record; each next: command it prints runs as printed; verify passes', () => {
    const result = cli('aggregate', 'abl');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^members: 5 completed of 6 \(1 missing\)$/m);
    assert.match(result.stdout, /^ {2}hidden16: test_accuracy mean 0\.\d+ ± 0\.\d+ \(std\), 95% CI \[0\.\d+, \d\.\d+\], n = 2$/m);
    const next = [...result.stdout.matchAll(/^next: (.*)$/gm)].map((match) => match[1]);
    assert.deepEqual(next, ['dl-lab verify abl', 'dl-lab paper abl --spread ci95', 'dl-lab compare abl:hidden16 abl:hidden4']);
    for (const command of next) {
      const run = cli(...command.split(' ').slice(1));
      assert.equal(run.status, 0, `${command}: ${run.stderr}`);
    }
    const experiment = readJson(join(runDirOf(root, 'abl'), 'experiment.json'));
    assert.deepEqual(experiment.members.map((m: { status: string }) => m.status), ['completed', 'completed', 'missing', 'completed', 'completed', 'completed']);
    assert.equal(cli('aggregate', 'abl').stdout.split('\n')[0], 'experiment record abl is up to date (version 1: same plan, same member runs); nothing written');
  });

  it('paper --spread sem and check-paper on a draft quoting m ± s (exit 0), and an undeclared spread (exit 1)', () => {
    assert.equal(cli('paper', 'abl', '--spread', 'sem').status, 0);
    const tex = readFileSync(join(root, 'paper/dl-lab-results.tex'), 'utf8');
    const pm = /\\DlLabDefineResultPm\{abl\}\{hidden4\.test_accuracy\}\{([0-9.]+) \\pm ([0-9.]+)\}/.exec(tex)!;
    const results = readJson(join(runDirOf(root, 'abl'), 'analysis.json')).results;
    mkdirSync(join(root, 'paper'), { recursive: true });
    const write = (spread: string) =>
      writeFileSync(join(root, 'paper/main.tex'), `\\documentclass{article}\n\\input{dl-lab-results}\n\\begin{document}\n\\section{Results}\nWith 4 hidden units: $${pm[1]} \\pm ${spread}$ (\\dlresultpm{abl}{hidden4.test_accuracy}).\n\\end{document}\n`);
    write(pm[2]);
    const ok = cli('check-paper', 'paper/main.tex');
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^ok: 1 draft\(s\), 2 number\(s\) in results contexts and 1 citation\(s\) checked against cited runs: abl$/m);
    const std = results['hidden4.test_accuracy.std'];
    write(String(Number(std.toPrecision(1))));
    const bad = cli('check-paper', 'paper/main.tex');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /paper\/main\.tex:5:\d+: unmatched-spread: ± [0-9.]+ is the std of abl hidden4\.test_accuracy, but the results file declares the spread as sem/);
    assert.doesNotMatch(bad.stderr, /at .*\.js:\d+/);
  });

  it("README's experiment commands run as printed", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /## Experiments[^\n]*\n[\s\S]*?```bash\n([\s\S]*?)```/.exec(readme)![1];
    const commands = block.trim().split('\n').map((line) => line.replace(/\s+#.*$/, '').trim());
    assert.equal(commands.length, 4);
    for (const command of commands) {
      const [bin, ...args] = command.split(/\s+/);
      assert.equal(bin, 'dl-lab');
      const result = cli(...args);
      // compare's gate answers with its exit status: 0 pass, 2 a significant worsening; never a usage error.
      assert.ok(command.includes('--fail-on-regression') ? [0, 2].includes(result.status!) : result.status === 0, `${command}: ${result.status} ${result.stderr}`);
    }
  });

  it('the USAGE examples of aggregate, paper and compare about an experiment run as printed', () => {
    for (const generator of ['aggregate', 'paper', 'compare']) {
      const usage = readFileSync(new URL(`../../generators/${generator}/USAGE`, import.meta.url), 'utf8');
      const examples = usage.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('dl-lab ') && / abl\b/.test(line));
      assert.ok(examples.length > 0, generator);
      for (const example of examples) {
        const args = example.replace(/\s*>.*$/, '').split(/\s+/).slice(1);
        const result = cli(...args);
        assert.ok(example.includes('--fail-on-regression') ? [0, 2].includes(result.status!) : result.status === 0, `${example}: ${result.status} ${result.stderr}`);
        if (example.includes('--json')) assert.equal(JSON.parse(result.stdout).name, 'abl');
      }
    }
  });

  it('report writes its page with an experiment record among the runs', () => {
    const result = cli('report');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^wrote artifacts\/report\.html \(\d+ runs, all verified\)$/m);
  });

  it('compare of two variants prints the difference, Welch CI and p-value; --json carries them', () => {
    const result = cli('compare', 'abl:hidden4', 'abl:hidden16', '--json');
    assert.equal(result.status, 0, result.stderr);
    const comparison = JSON.parse(result.stdout);
    const row = comparison.results.find((r: { key: string }) => r.key === 'test_accuracy');
    assert.equal(row.a.n, 3);
    assert.equal(row.b.n, 2);
    assert.equal(typeof row.p_value, 'number');
    assert.ok(row.ci95[0] <= row.difference && row.difference <= row.ci95[1]);
    assert.ok(['pass', 'regression', 'undecidable'].includes(comparison.gate.status));
  });
});
