import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHistoryTable } from '../../core/history-table.js';
import { stringifyJson } from '../../core/json-file.js';
import { AnalysisReader, readAnalysisDocument } from '../../core/run/analysis-document.js';
import { Rng } from '../../core/training/prng.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

/** A run's or a record's analysis.json: rows with keys in some rows only, a note with escapes, and for a record an uncertainty block after the history. */
const randomAnalysis = (rng: Rng, rows: number): Record<string, unknown> => {
  const history = Array.from({ length: rows }, (_, step) => {
    const row: Record<string, number> = { epoch: step + 1, loss: rng.normal() * 1e-3 };
    if (rng.uniform() < 0.3) row.val_accuracy = rng.uniform();
    if (rng.uniform() < 0.05) row['base.loss.std'] = -0;
    return row;
  });
  const analysis: Record<string, unknown> = { schema_version: '1.1', tag: 'T', demo: false, note: 'ü "quoted"\n\ttabbed 𝛼', results: { loss: 0.5 }, history };
  if (rng.uniform() < 0.5) analysis.uncertainty = { t_quantiles: [{ df: 2, value: 4.3 }], bootstrap: { seed: 0, resamples: 10000 } };
  return analysis;
};

/** What the reader gives, with its history as rows again (what JSON.parse gives for the whole document). */
const asRows = (value: unknown): unknown => {
  const document = value as Record<string, unknown>;
  assert.ok(isHistoryTable(document.history), 'the history is a table');
  return { ...document, history: document.history.toJSON() };
};

/** The reader fed `bytes` in pieces of `pieceBytes`, batches of `batchRows` rows. */
const readInPieces = (bytes: Buffer, pieceBytes: number, batchRows: number): unknown => {
  const reader = new AnalysisReader(batchRows);
  for (let at = 0; at < bytes.length; at += pieceBytes) reader.write(bytes.subarray(at, at + pieceBytes));
  return reader.end();
};

describe('analysis.json read with its history as a table (core/run/analysis-document.ts)', () => {
  after(cleanupTempDirs);

  it('gives what JSON.parse of the whole file gives, for rows across pieces and batches of any size', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 40; trial++) {
      const text = stringifyJson(randomAnalysis(rng, 1 + rng.below(trial < 30 ? 30 : 300)));
      const bytes = Buffer.from(text);
      const whole = JSON.parse(text) as unknown;
      for (const pieceBytes of [1, 2, 7, 64, 1000, bytes.length]) {
        for (const batchRows of [1, 2, 3, 64, 4096]) {
          const value = readInPieces(bytes, pieceBytes, batchRows);
          assert.deepEqual(asRows(value), whole, `trial ${trial}, pieces of ${pieceBytes}, batches of ${batchRows}`);
          assert.equal(JSON.stringify(asRows(value)), JSON.stringify(whole));
        }
      }
    }
  });

  it('reads a file with the digest of its bytes; the history of a file in our layout is a table', () => {
    const dir = tempDir();
    const text = stringifyJson(randomAnalysis(new Rng(9), 10_000));
    const path = join(dir, 'analysis.json');
    writeFileSync(path, text);
    const read = readAnalysisDocument(path);
    assert.equal(read.size, Buffer.byteLength(text));
    assert.equal(read.sha256, createHash('sha256').update(text).digest('hex'));
    assert.equal(read.text, undefined);
    assert.deepEqual(asRows(read.value), JSON.parse(text));
  });

  it('any other layout, a duplicate history key, or an invalid row is left to the whole parse (its text, read again)', () => {
    const dir = tempDir();
    const analysis = randomAnalysis(new Rng(4), 50);
    const ours = stringifyJson(analysis);
    const cases: Record<string, string> = {
      'minified': JSON.stringify(analysis),
      'CRLF line breaks': ours.replaceAll('\n', '\r\n'),
      'tabs': `${JSON.stringify(analysis, null, '\t')}\n`,
      'an empty history': stringifyJson({ ...analysis, history: [] }),
      'a later duplicate history key': ours.replace(/\n}\n$/, ',\n  "history": 5\n}\n'),
      'a later duplicate written with an escape': ours.replace(/\n}\n$/, ',\n  "hist\\u006fry": []\n}\n'),
      'a row with a string value': ours.replace('\n      "loss": ', '\n      "loss": "low",\n      "x": '),
      'a trailing comma after the last row': ours.replace(/\n {4}}\n {2}]/, '\n    },\n  ]'),
      'a history nested one level down first': stringifyJson({ schema_version: '1.1', wrapper: { history: [{ epoch: 1 }] }, ...analysis }).replace('\n    "history": [', '\n  "history": ['),
      'not JSON at all after the rows': ours.replace(/\n {2}]/, '\n  ] oops'),
    };
    for (const [name, text] of Object.entries(cases)) {
      const path = join(dir, `${name}.json`);
      writeFileSync(path, text);
      const read = readAnalysisDocument(path, 16);
      assert.equal(read.value, undefined, name);
      assert.equal(read.text, text, name);
      assert.equal(read.sha256, createHash('sha256').update(text).digest('hex'), name);
    }
  });

  it('keeps non-ASCII text whole when a piece ends inside a character', () => {
    const analysis = { ...randomAnalysis(new Rng(1), 20), note: '€'.repeat(50) + '𝛼'.repeat(50) };
    const bytes = Buffer.from(stringifyJson(analysis));
    for (const pieceBytes of [1, 2, 3, 5]) assert.deepEqual(asRows(readInPieces(bytes, pieceBytes, 4)), JSON.parse(bytes.toString('utf8')));
  });
});
