import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  curveFigureFromHistory,
  figureSize,
  m4,
  PDF_SCALE,
  PNG_SCALE,
  renderPdf,
  renderPng,
  renderSvg,
  thinCurveFigure,
  writeCurveFigure,
  type CurveFigure,
} from '../../core/figures/training-curves.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

interface Fixture {
  best_epoch: number;
  history: Array<Record<string, number>>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/figures/demo-history.json', import.meta.url), 'utf8')) as Fixture;
const demoFigure = (): CurveFigure => curveFigureFromHistory(fixture.history, { bestEpoch: fixture.best_epoch });

/** A smooth synthetic history of `epochs` epochs (deterministic). */
function syntheticHistory(epochs: number, shift = 0): Array<Record<string, number>> {
  return Array.from({ length: epochs }, (_, i) => {
    const t = (i + 1) / epochs;
    return {
      epoch: i + 1,
      train_loss: 1.2 * Math.exp(-4 * t) + 0.05 + shift,
      val_loss: 1.25 * Math.exp(-3.5 * t) + 0.12 + 0.15 * t * t,
      train_accuracy: 0.98 - 0.5 * Math.exp(-5 * t),
      val_accuracy: 0.93 - 0.45 * Math.exp(-4.5 * t),
    };
  });
}

function pngSize(png: Uint8Array): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(Buffer.from(png.subarray(12, 16)).toString('latin1'), 'IHDR');
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const hasTool = (tool: string): boolean => !spawnSync(tool, ['-v'], { stdio: 'ignore' }).error;

/** pdfinfo's report of a PDF (null when poppler-utils is not installed). */
function pdfinfo(pdf: Uint8Array): { fields: Map<string, string>; stderr: string } | null {
  if (!hasTool('pdfinfo')) return null;
  const file = join(tempDir('dl-lab-fig-'), 'figure.pdf');
  writeFileSync(file, pdf);
  const run = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  assert.equal(run.status, 0, `pdfinfo failed: ${run.stderr}`);
  const fields = new Map<string, string>();
  for (const line of run.stdout.split('\n')) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) fields.set(m[1], m[2]);
  }
  return { fields, stderr: run.stderr };
}

function assertValidPdf(pdf: Uint8Array, size: { width: number; height: number }): void {
  const text = latin1(pdf);
  assert.ok(text.startsWith('%PDF-1.4\n'), 'PDF header');
  assert.ok(text.endsWith('%%EOF\n'), 'PDF trailer');
  // Every xref entry points at its object.
  const xrefAt = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  assert.ok(text.startsWith('xref\n', xrefAt), 'startxref points at the xref table');
  const entries = [...text.slice(xrefAt).matchAll(/^(\d{10}) 00000 n \n/gm)].map((m) => Number(m[1]));
  assert.ok(entries.length >= 5);
  entries.forEach((offset, i) => assert.ok(text.startsWith(`${i + 1} 0 obj\n`, offset), `xref entry of object ${i + 1}`));
  const info = pdfinfo(pdf);
  if (info) {
    assert.equal(info.stderr, '', 'pdfinfo reports no syntax errors');
    assert.equal(info.fields.get('Pages'), '1');
    assert.equal(info.fields.get('Page size'), `${size.width * PDF_SCALE} x ${size.height * PDF_SCALE} pts`);
  }
}

describe('figures/training-curves', () => {
  after(cleanupTempDirs);

  describe('curveFigureFromHistory', () => {
    it('groups the demo history into Loss and Accuracy panels with train/validation series', () => {
      const figure = demoFigure();
      assert.deepEqual(figure.epochs, fixture.history.map((r) => r.epoch));
      assert.deepEqual(
        figure.panels.map((p) => [p.title, p.yLabel, p.series.map((s) => s.label)]),
        [
          ['Loss', 'Loss', ['train', 'validation']],
          ['Accuracy', 'Accuracy', ['train', 'validation']],
        ],
      );
      assert.deepEqual(figure.panels[0]?.series[1]?.values, fixture.history.map((r) => r.val_loss));
      assert.deepEqual(figure.markEpoch, { epoch: 37, label: 'best epoch (37)' });
      assert.equal(figure.title, undefined);
    });

    it('understands Keras-style and slash-separated keys; other metrics get their own panels', () => {
      const rows = [0, 1, 2].map((epoch) => ({
        epoch,
        lr: 0.1,
        'val/f1': 0.5 + epoch / 10,
        loss: 1 - epoch / 10,
        val_loss: 1.1 - epoch / 10,
        acc: 0.5,
        val_acc: 0.4,
        'train/f1': 0.6,
        test_loss: 1.2,
      }));
      const figure = curveFigureFromHistory(rows);
      assert.deepEqual(
        figure.panels.map((p) => [p.title, p.series.map((s) => s.label)]),
        [
          ['Loss', ['train', 'validation', 'test']],
          ['Accuracy', ['train', 'validation']],
          ['Learning rate', ['lr']],
          ['F1', ['train', 'validation']],
        ],
      );
      assert.deepEqual(figure.epochs, [0, 1, 2]);
      assert.equal(figure.markEpoch, undefined);
    });

    it('orders rows by epoch, numbers rows without one, keeps gaps as NaN and drops keys with no finite value', () => {
      const figure = curveFigureFromHistory([
        { epoch: 2, train_loss: 0.5, note: Number.NaN },
        { epoch: 1, train_loss: 0.7, val_loss: 0.8 },
        { train_loss: 0.4, val_loss: Number.POSITIVE_INFINITY },
      ]);
      assert.deepEqual(figure.epochs, [1, 2, 3]);
      assert.deepEqual(figure.panels.map((p) => p.title), ['Loss']);
      assert.deepEqual(figure.panels[0]?.series.map((s) => s.values), [
        [0.7, 0.5, 0.4],
        [0.8, Number.NaN, Number.POSITIVE_INFINITY],
      ]);
    });

    it('reads interface-typed records and ignores non-numeric fields', () => {
      interface EpochRecord {
        epoch: number;
        train_loss: number;
        phase: string;
      }
      const rows: EpochRecord[] = [{ epoch: 1, train_loss: 1, phase: 'warmup' }];
      const figure = curveFigureFromHistory(rows);
      assert.deepEqual(figure.panels.map((p) => [p.title, p.yLabel, p.series.map((s) => s.label)]), [['Loss (train)', 'Loss', ['train_loss']]]);
    });

    it('gives an empty figure for an empty history', () => {
      assert.deepEqual(curveFigureFromHistory([]), { epochs: [], panels: [] });
    });
  });

  describe('renderSvg', () => {
    it('draws titles, axis labels, tick labels, the legend and the best-epoch marker', () => {
      const svg = renderSvg(demoFigure());
      assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="300"'));
      for (const label of ['>Loss</text>', '>Accuracy</text>', '>Epoch</text>', '>train</text>', '>validation</text>', '>best epoch (37)</text>']) {
        assert.ok(svg.includes(label), `SVG has ${label}`);
      }
      assert.equal(svg.match(/>Epoch<\/text>/g)?.length, 2, 'one x label per panel');
      assert.equal(svg.match(/rotate\(-90\)/g)?.length, 2, 'one rotated y label per panel');
      for (const tick of ['>0</text>', '>10</text>', '>40</text>', '>0.10</text>', '>0.950</text>']) assert.ok(svg.includes(tick), `tick label ${tick}`);
      assert.equal(svg.match(/stroke-dasharray="6 4"/g)?.length, 3, 'best-epoch line in both panels + legend handle');
      assert.equal(renderSvg(demoFigure()), svg, 'deterministic');
    });

    it('sizes the figure by panel count (2× for PNG, 0.75× for PDF)', () => {
      assert.deepEqual(figureSize(demoFigure()), { width: 800, height: 300 });
      assert.equal(PNG_SCALE, 2);
      assert.equal(PDF_SCALE, 0.75);
      const generic = curveFigureFromHistory([{ epoch: 1, a: 1, b: 2, c: 3, d: 4, e: 5 }]);
      assert.equal(generic.panels.length, 5);
      assert.deepEqual(figureSize(generic), { width: 1200, height: 550 }, '3 columns × 2 rows, no legend (one series per panel)');
      assert.deepEqual(figureSize({ ...demoFigure(), title: 'Run 7' }), { width: 800, height: 332 });
    });

    it('breaks lines at NaN and marks isolated points', () => {
      const epochs = Array.from({ length: 40 }, (_, i) => i + 1);
      const values = epochs.map((e) => (e === 10 || e === 12 || e > 38 ? Number.NaN : 1 / e));
      const figure: CurveFigure = { epochs, panels: [{ title: 'Loss', yLabel: 'Loss', series: [{ label: 'train', values }] }] };
      const svg = renderSvg(figure);
      const line = /<path d="([^"]*)" fill="none" stroke="#1f77b4"/.exec(svg)?.[1] ?? '';
      assert.equal(line.match(/M/g)?.length, 2, 'two runs of several points (1–9, 13–38)');
      assert.equal(svg.match(/<circle [^>]*fill="#1f77b4"/g)?.length, 1, 'epoch 11 alone gets a marker');
      assert.ok(!svg.includes('NaN') && !svg.includes('Infinity'));
    });

    it('draws a long run through the first, lowest, highest and last point of each column (M4), a short one whole', () => {
      let seed = 7;
      const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const epochs = Array.from({ length: 50_000 }, (_, i) => i);
      const values = epochs.map(() => random());
      const columnOf = (epoch: number): number => Math.floor(epoch / 37);
      const columns = Math.ceil(epochs.length / 37);
      const kept = m4(epochs, values, columnOf, columns)(0, epochs.length);
      assert.ok(kept.length <= 4 * columns, `${kept.length} points for ${columns} columns`);
      assert.deepEqual(kept, [...new Set(kept)].sort((a, b) => a - b), 'distinct, in the order logged');
      for (let column = 0; column < columns; column++) {
        const members = epochs.filter((e) => columnOf(e) === column);
        const byValue = [...members].sort((a, b) => values[a] - values[b]);
        for (const must of [members[0], members.at(-1), byValue[0], byValue.at(-1)]) assert.ok(kept.includes(must as number), `column ${column}: point ${must}`);
      }
      assert.deepEqual(m4(epochs, values, columnOf, columns)(10, 10 + 4 * columns), Array.from({ length: 4 * columns }, (_, k) => 10 + k), 'at most 4 a column: every point');
    });

    it('renders a 300,000-step history (per-step logging) with a few thousand points a line, its spike drawn', () => {
      const history = Array.from({ length: 300_000 }, (_, i) => ({ epoch: i, loss: i === 123_456 ? 5 : 1 / (1 + i / 1000) }));
      const svg = renderSvg(curveFigureFromHistory(history));
      const line = /<path d="([^"]*)" fill="none" stroke="#1f77b4"/.exec(svg)?.[1] ?? '';
      const points = line.match(/[ML][^ML]+/g) ?? [];
      assert.ok(points.length > 1000 && points.length <= 4 * 8 * 400, `${points.length} points`);
      // The spike is the highest point drawn: the smallest y of the line, far above all the others.
      const ys = points.map((p) => Number(p.split(' ')[1])).sort((a, b) => a - b);
      assert.ok(ys[1] - ys[0] > 100, `the spike stands out: y ${ys[0]} then ${ys[1]}`);
    });

    it('thins a long figure for a small drawing (the report page): M4 per series, one shared x array, spikes and gaps kept', () => {
      const steps = 300_000;
      const loss = Array.from({ length: steps }, (_, i) => (i === 123_456 ? 5 : 1 / (1 + i / 1000)));
      // A validation series logged every 1,000 steps (gaps between), and missing from step 200,000 on.
      const val = Array.from({ length: steps }, (_, i) => (i % 1000 === 0 && i < 200_000 ? 0.5 + i / 1e7 : Number.NaN));
      const figure: CurveFigure = {
        epochs: Array.from({ length: steps }, (_, i) => i),
        panels: [{ title: 'Loss', yLabel: 'Loss', series: [{ label: 'train', values: loss }, { label: 'validation', values: val, band: { low: val.map((v) => v - 0.1), high: val.map((v) => v + 0.1) } }] }],
        markEpoch: { epoch: 7, label: 'best epoch (7)' },
      };
      const thin = thinCurveFigure(figure, 1000);
      const [train, validation] = thin.panels[0]!.series;
      const [epochs, trainValues, validationValues] = [thin.epochs, train!.values, validation!.values].map((numbers) => Array.from(numbers));
      assert.ok(epochs.length <= 4 * 1000 + 2 * 200 + 2, `${epochs.length} points`);
      assert.equal(trainValues.length, epochs.length);
      assert.deepEqual(thin.markEpoch, figure.markEpoch);
      assert.deepEqual([epochs[0], epochs.at(-1)], [0, steps - 1], 'first and last steps kept');
      assert.equal(Math.max(...trainValues), 5, 'the spike is kept');
      assert.equal(epochs[trainValues.indexOf(5)], 123_456);
      // Every logged validation point is kept (each is a run of one), and the step after it, where it is NaN.
      assert.deepEqual(epochs.filter((_, k) => Number.isFinite(validationValues[k])), Array.from({ length: 200 }, (_, k) => k * 1000));
      for (const step of [1, 1001, 199_001]) assert.ok(Number.isNaN(validationValues[epochs.indexOf(step)]), `gap after ${step - 1}`);
      assert.deepEqual(Array.from(validation!.band!.low).filter(Number.isFinite).length, 200);
      // A history of at most 4 points a column is not touched.
      const short: CurveFigure = { epochs: [1, 2, 3], panels: [{ title: 'x', yLabel: 'x', series: [{ label: 'x', values: [1, 2, 3] }] }] };
      assert.equal(thinCurveFigure(short, 1), short);
    });

    it('copes with all-NaN and constant series, escapes text, and renders an empty figure', () => {
      const figure: CurveFigure = {
        title: 'a < b & "c"',
        epochs: [1, 2, 3],
        panels: [
          { title: 'Flat', yLabel: 'value', series: [{ label: 'x', values: [2, 2, 2] }, { label: 'y', values: [Number.NaN, Number.NaN, Number.NaN] }] },
          { title: 'None', yLabel: 'value', series: [{ label: 'z', values: [] }] },
        ],
      };
      const svg = renderSvg(figure);
      assert.ok(svg.includes('>a &lt; b &amp; &quot;c&quot;</text>'));
      assert.ok(!svg.includes('NaN'));
      assert.ok(renderSvg({ epochs: [], panels: [] }).includes('No metrics recorded'));
    });
  });

  describe('renderPng / renderPdf', () => {
    it('renders the demo history as a 1600×600 PNG and a one-page 600×225 pt PDF', async () => {
      const figure = demoFigure();
      const png = await renderPng(figure);
      assert.deepEqual(pngSize(png), { width: 1600, height: 600 });
      const pdf = await renderPdf(figure);
      assertValidPdf(pdf, figureSize(figure));
      assert.ok(png.length < 400_000 && pdf.length < 200_000, `sizes: png ${png.length}, pdf ${pdf.length}`);
    });

    it('is deterministic: the same history gives byte-identical PNG and PDF', async () => {
      const [png1, pdf1, png2, pdf2] = await Promise.all([renderPng(demoFigure()), renderPdf(demoFigure()), renderPng(demoFigure()), renderPdf(demoFigure())]);
      assert.ok(Buffer.from(png1).equals(png2), 'PNG bytes');
      assert.ok(Buffer.from(pdf1).equals(pdf2), 'PDF bytes');
      const text = latin1(pdf1);
      assert.ok(!/CreationDate|ModDate|xmp:/.test(text), 'no dates or XMP metadata in the PDF');
    });

    it('gives different bytes for a different history', async () => {
      const a = curveFigureFromHistory(syntheticHistory(20));
      const b = curveFigureFromHistory(syntheticHistory(20, 0.01));
      assert.ok(!Buffer.from(await renderPng(a)).equals(await renderPng(b)));
      assert.ok(!Buffer.from(await renderPdf(a)).equals(await renderPdf(b)));
    });

    it('draws text with the packaged font (text changes the pixels and the PDF outlines)', async () => {
      const a = await renderPng({ ...demoFigure(), title: 'Run A' });
      const b = await renderPng({ ...demoFigure(), title: 'Run B' });
      assert.ok(!Buffer.from(a).equals(b));
      const pa = await renderPdf({ ...demoFigure(), title: 'Run A' });
      const pb = await renderPdf({ ...demoFigure(), title: 'Run B' });
      assert.ok(!Buffer.from(pa).equals(pb));
    });

    it('renders a 1-epoch and a 200-epoch history with gaps', async () => {
      const one = curveFigureFromHistory(syntheticHistory(1), { bestEpoch: 1 });
      const long = syntheticHistory(200).map((r) => (r.epoch > 50 && r.epoch < 60 ? { ...r, val_loss: Number.NaN } : r));
      for (const figure of [one, curveFigureFromHistory(long, { bestEpoch: 187 })]) {
        const svg = renderSvg(figure);
        assert.ok(!svg.includes('NaN'));
        assert.deepEqual(pngSize(await renderPng(figure)), { width: 1600, height: 600 });
        assertValidPdf(await renderPdf(figure), figureSize(figure));
      }
    });

    it('renders generic multi-panel histories and the empty figure', async () => {
      const rows = Array.from({ length: 12 }, (_, e) => ({ epoch: e, loss: 1 / (e + 1), val_loss: 1.2 / (e + 1), lr: 1e-3 * 0.5 ** Math.floor(e / 4), grad_norm: 12000 + 3000 * Math.sin(e) }));
      const figure = curveFigureFromHistory(rows, { bestEpoch: 9 });
      const size = figureSize(figure);
      assert.deepEqual(size, { width: 1200, height: 300 });
      assert.deepEqual(pngSize(await renderPng(figure)), { width: 2400, height: 600 });
      assertValidPdf(await renderPdf(figure), size);
      const empty = { epochs: [], panels: [] };
      assert.deepEqual(pngSize(await renderPng(empty)), { width: 800, height: 550 });
      assertValidPdf(await renderPdf(empty), figureSize(empty));
    });

    it('writeCurveFigure writes figures/training_curves.{png,pdf}', async () => {
      const dir = join(tempDir('dl-lab-fig-'), 'figures');
      const paths = await writeCurveFigure(dir, demoFigure());
      assert.deepEqual(paths, { pdf: join(dir, 'training_curves.pdf'), png: join(dir, 'training_curves.png') });
      assert.ok(readFileSync(paths.png).equals(await renderPng(demoFigure())));
      assert.ok(readFileSync(paths.pdf).equals(await renderPdf(demoFigure())));
    });
  });
});
