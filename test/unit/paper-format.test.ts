import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  escapeTex,
  formatResultValue,
  formatSignificant,
  plainDecimal,
  roundToDecimals,
  texNumber,
} from '../../core/paper/format-value.js';
import {
  MACROS_HEADER,
  assertWritableResultsFile,
  isDlLabResultsFile,
  renderMarkdownMacros,
  renderTexMacros,
  writeResultsFile,
} from '../../core/paper/results-macros.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';
import { SYNTHETIC_RUNS } from '../helpers/paper.js';

/** The `\DlLabDefineResult{tag}{key}{value}{unit}% comment` lines of a macros file, by `tag/key`. */
const definitions = (tex: string): Map<string, { value: string; unit: string; comment: string }> =>
  new Map(
    [...tex.matchAll(/^\\DlLabDefineResult\{([^}]*)\}\{([^}]*)\}\{(.*?)\}\{(.*?)\}% (.*)$/gm)].map((m) => [`${m[1]}/${m[2]}`, { value: m[3], unit: m[4], comment: m[5] }]),
  );

describe('paper: formatting values', () => {
  after(cleanupTempDirs);

  it('writes any finite number as a plain decimal, without exponent', () => {
    assert.equal(plainDecimal(1e-7), '0.0000001');
    assert.equal(plainDecimal(-1.5e-9), '-0.0000000015');
    assert.equal(plainDecimal(1.25e21), '1250000000000000000000');
    assert.equal(plainDecimal(0.948), '0.948');
    assert.throws(() => plainDecimal(Number.NaN), /not a finite number/);
  });

  it('rounds half away from zero on the shortest decimal form (0.145 -> 0.15, not binary 0.14)', () => {
    assert.equal(roundToDecimals(0.145, 2), '0.15');
    assert.equal(roundToDecimals(-0.145, 2), '-0.15');
    assert.equal(roundToDecimals(0.9996, 3), '1.000');
    assert.equal(roundToDecimals(2.5, 0), '3');
    assert.equal(roundToDecimals(0.0004, 3), '0.000');
    assert.equal(roundToDecimals(-0.0004, 3), '0.000', 'no negative zero');
    assert.equal(roundToDecimals(12, 2), '12.00');
  });

  it('keeps significant digits without rounding into the integer part', () => {
    assert.deepEqual(formatSignificant(0.14406725167658727, 3), { text: '0.144', decimals: 3 });
    assert.deepEqual(formatSignificant(0.08627816100575046, 3), { text: '0.0863', decimals: 4 });
    assert.deepEqual(formatSignificant(0.9996, 3), { text: '1.00', decimals: 2 }, 'a carry does not add a digit');
    assert.deepEqual(formatSignificant(12345.678, 3), { text: '12346', decimals: 0 });
    assert.deepEqual(formatSignificant(0, 3), { text: '0.00', decimals: 2 });
    assert.deepEqual(formatSignificant(-0.012345, 2), { text: '-0.012', decimals: 3 });
    assert.deepEqual(formatSignificant(3.2e-6, 2), { text: '0.0000032', decimals: 7 });
    assert.throws(() => formatSignificant(1, 0), /positive integer/);
  });

  it("uses --digits, else the metric's display_digits, else 3; display_digits 0 is an integer whatever --digits says", () => {
    assert.equal(formatResultValue(0.94812, { display_digits: 4 }).text, '0.9481');
    assert.equal(formatResultValue(0.94812, { display_digits: 4 }, 2).text, '0.95');
    assert.equal(formatResultValue(0.94812, undefined).text, '0.948');
    assert.equal(formatResultValue(0.94812, {}).rule, 3);
    assert.deepEqual(formatResultValue(35, { display_digits: 0 }, 5), { text: '35', decimals: 0, rule: 'integer' });
    assert.equal(formatResultValue(34.5, { display_digits: 0 }).text, '35');
  });

  it('escapes LaTeX specials and writes a math minus', () => {
    assert.equal(escapeTex('% of a_b & {c} #1 $x$ ~ ^ \\'), '\\% of a\\_b \\& \\{c\\} \\#1 \\$x\\$ \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
    assert.equal(escapeTex('two\nlines'), 'two lines');
    assert.equal(texNumber('-0.5'), '\\ensuremath{-}0.5');
    assert.equal(texNumber('0.5'), '0.5');
  });
});

describe('paper: the results macros file', () => {
  after(cleanupTempDirs);

  it('defines every result of every run, formatted by its definition, with source and seal beside it', () => {
    const tex = renderTexMacros(SYNTHETIC_RUNS);
    assert.ok(tex.startsWith(MACROS_HEADER.tex));
    const defined = definitions(tex);
    let count = 0;
    for (const run of SYNTHETIC_RUNS) {
      for (const [key, value] of Object.entries(run.results)) {
        count++;
        const line = defined.get(`${run.tag}/${key}`);
        assert.ok(line, `${run.tag}/${key} is defined`);
        assert.equal(line.value, formatResultValue(value, run.definitions[key]).text);
        assert.equal(line.unit, run.definitions[key].unit);
        assert.ok(line.comment.startsWith(`artifacts/runs/${run.tag}/analysis.json:results.${key} = ${value} (`), line.comment);
        assert.ok(line.comment.includes(`seal sha256:${run.seal}`));
      }
    }
    assert.equal(defined.size, count);
    assert.equal(defined.get('demo-seed0/test_loss')!.value, '0.144');
    assert.equal(defined.get('demo-seed0/best_epoch')!.value, '35');
    assert.equal(defined.get('demo-seed1/train_accuracy_best')!.value, '0.971');
    assert.match(tex, /^\\providecommand\\dlresult\[2\]/m);
    assert.match(tex, /\\PackageError\{dl-lab\}\{No result/, 'an undefined pair is a LaTeX error');
  });

  it('is deterministic: sorted by tag, then key, whatever the order of the runs and their keys', () => {
    const shuffled = [...SYNTHETIC_RUNS].reverse().map((run) => ({ ...run, results: Object.fromEntries(Object.entries(run.results).reverse()) }));
    assert.equal(renderTexMacros(shuffled), renderTexMacros(SYNTHETIC_RUNS));
    const keys = [...definitions(renderTexMacros(SYNTHETIC_RUNS)).keys()];
    assert.deepEqual(keys, [...keys].sort());
  });

  it('--digits overrides display_digits; negative values and odd units stay valid LaTeX', () => {
    const run = structuredClone(SYNTHETIC_RUNS[0]);
    run.results.delta = -0.012345;
    run.definitions.delta = { definition: 'change', unit: '% of a_b & {c}', higher_is_better: true };
    const defined = definitions(renderTexMacros([run], { digits: 2 }));
    assert.equal(defined.get('demo-seed0/test_loss')!.value, '0.14');
    assert.equal(defined.get('demo-seed0/best_epoch')!.value, '35');
    assert.equal(defined.get('demo-seed0/delta')!.value, '\\ensuremath{-}0.012');
    assert.equal(defined.get('demo-seed0/delta')!.unit, '\\% of a\\_b \\& \\{c\\}');
    assert.match(renderTexMacros([run], { digits: 2 }), /^% {3}dl-lab paper demo-seed0 --digits 2$/m);
  });

  it('has a Markdown variant: one table row per result', () => {
    const md = renderMarkdownMacros(SYNTHETIC_RUNS);
    assert.ok(md.startsWith(MACROS_HEADER.md));
    assert.ok(isDlLabResultsFile(md));
    const rows = md.split('\n').filter((line) => line.startsWith('| `\\dlresult'));
    assert.equal(rows.length, 14);
    assert.ok(rows.includes(`| \`\\dlresult{demo-seed0}{test_accuracy}\` | 0.948 | fraction | \`artifacts/runs/demo-seed0/analysis.json:results.test_accuracy\` = 0.948 | \`sha256:${'a'.repeat(64)}\` (demo) |`));
  });

  it('regenerates its own file, refuses any other, and never writes inside artifacts/runs/', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'paper'));
    const ours = join(root, 'paper/results.tex');
    assert.deepEqual(assertWritableResultsFile(root, ours, 'paper/results.tex'), { regenerate: false });
    await writeResultsFile(ours, renderTexMacros(SYNTHETIC_RUNS));
    assert.deepEqual(assertWritableResultsFile(root, ours, 'paper/results.tex'), { regenerate: true });
    const foreign = join(root, 'paper/main.tex');
    writeFileSync(foreign, '\\documentclass{article}\n');
    assert.throws(() => assertWritableResultsFile(root, foreign, 'paper/main.tex'), /paper\/main\.tex: exists and was not written by dl-lab paper .*refusing to overwrite it/);
    assert.equal(readFileSync(foreign, 'utf8'), '\\documentclass{article}\n');
    assert.throws(() => assertWritableResultsFile(root, join(root, 'paper'), 'paper'), /not a regular file/);
    assert.throws(() => assertWritableResultsFile(root, join(root, 'artifacts/runs/x.tex'), 'artifacts/runs/x.tex'), /inside artifacts\/runs\//);
  });
});
