import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringifyJson } from '../../core/json-file.js';
import { RunDocuments } from '../../core/runs/run-documents.js';
import { parseCondition } from '../../core/runs/run-query.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

/** A run folder holding one summary.json with the given text. */
const runWithSummary = (text: string): RunDocuments => {
  const dir = join(tempDir(), 'R1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summary.json'), text);
  return new RunDocuments('R1', dir);
};

const SUMMARY = {
  schema_version: '1.1',
  tag: 'R1',
  note: 'a "quoted" line\n  "status": "fake", inside a string',
  metrics: { test_accuracy: 0.9, nested: { status: 'not top level' } },
  status: 'failed',
  status_reason: 'exit 137',
};

describe('RunDocuments: one top-level member without parsing the whole document', () => {
  after(cleanupTempDirs);

  it('cuts members out of our layout, and out of Python json.dump(indent=2)', () => {
    const ours = runWithSummary(stringifyJson(SUMMARY));
    assert.equal(ours.top('summary', 'status'), 'failed');
    assert.equal(ours.top('summary', 'status_reason'), 'exit 137', 'the last member');
    assert.deepEqual(ours.top('summary', 'metrics'), SUMMARY.metrics);
    assert.equal(ours.top('summary', 'note'), SUMMARY.note, 'a string holding a newline is escaped in JSON: never a member line');
    assert.equal(ours.top('summary', 'absent'), undefined);
    // json.dump(indent=2) writes the same lines (no final newline).
    const python = runWithSummary(JSON.stringify(SUMMARY, null, 2));
    assert.equal(python.top('summary', 'status_reason'), 'exit 137');
  });

  it('any other layout, or a broken file, is read whole or as absent: the same answers, never a throw', () => {
    const minified = runWithSummary(JSON.stringify(SUMMARY));
    assert.equal(minified.top('summary', 'status'), 'failed');
    const fourSpaces = runWithSummary(JSON.stringify(SUMMARY, null, 4));
    assert.deepEqual(fourSpaces.top('summary', 'metrics'), SUMMARY.metrics);
    const truncated = runWithSummary('{\n  "status": "failed",\n  "metrics": {');
    assert.equal(truncated.top('summary', 'metrics'), undefined);
    assert.equal(truncated.top('summary', 'status'), undefined, 'a truncated file answers nothing, not what it still holds');
    assert.equal(runWithSummary('[1, 2]').top('summary', 'status'), undefined);
    assert.equal(new RunDocuments('nope', join(tempDir(), 'nope')).top('summary', 'status'), undefined);
  });

  it('cuts a member of a large document from its first bytes, and answers as the whole document does', () => {
    // An analysis.json of a run that logged every step: its results before a history of several MB.
    const history = Array.from({ length: 40_000 }, (_, step) => ({ epoch: step, loss: 1 / (1 + step) }));
    // A note long enough that `results` starts across the 64 KiB pieces the head is read in.
    const analysis = { schema_version: '1.1', tag: 'R1', demo: false, note: 'x'.repeat(65_530), results: { accuracy: 0.9, loss: 0.1 }, history, uncertainty: { ddof: 1 } };
    const text = stringifyJson(analysis);
    assert.ok(text.length > 2 << 20, `${text.length} bytes`);
    const dir = join(tempDir(), 'R1');
    mkdirSync(dir, { recursive: true });
    const write = (content: string): RunDocuments => {
      writeFileSync(join(dir, 'analysis.json'), content);
      return new RunDocuments('R1', dir);
    };
    const large = write(text);
    assert.deepEqual(large.top('analysis', 'results'), analysis.results);
    assert.equal(large.top('analysis', 'demo'), false);
    assert.deepEqual(large.top('analysis', 'uncertainty'), analysis.uncertainty, 'after the history: cut from the whole');
    assert.equal(large.top('analysis', 'absent'), undefined);
    // As in any document in our layout, the member is parsed alone: whatever the history holds.
    const middle = text.length >> 1;
    assert.deepEqual(write(`${text.slice(0, middle)}###${text.slice(middle + 3)}`).top('analysis', 'results'), analysis.results);
    assert.equal(write(text.slice(0, -100)).top('analysis', 'results'), undefined, 'a large document cut short answers nothing either');
    assert.deepEqual(write(JSON.stringify(analysis)).top('analysis', 'results'), analysis.results, 'another layout: parsed whole');
  });
});

describe('--where conditions', () => {
  const holds = (text: string, value: unknown): boolean => parseCondition(text).test(value);

  it('compare numbers as numbers, dates and text as text, patterns as JavaScript regular expressions', () => {
    assert.equal(holds('hp.training.lr=1e-1', 0.1), true);
    assert.equal(holds('hp.training.lr==0.10', 0.1), true);
    assert.equal(holds('test_accuracy>=0.9', 0.9), true);
    assert.equal(holds('test_accuracy>0.9', 0.9), false);
    assert.equal(holds('test_accuracy<0.9', '0.5'), false, 'text is not a number');
    assert.equal(holds('created>=2026-11-04', '2026-11-04T00:00:00.000Z'), true);
    assert.equal(holds('created<2026-11-04', '2026-11-04T00:00:00.000Z'), false);
    assert.equal(holds('tag~^M2', 'M2-wide'), true);
    assert.equal(holds('tag!~^M2', 'M2-wide'), false);
    assert.equal(holds('dirty=false', false), true);
    assert.equal(holds('status!=completed', 'failed'), true);
    assert.equal(holds('status!=completed', undefined), false, 'a run without the field never matches');
    assert.equal(holds('hp.model=null', null), true);
  });

  it('refuse an operator typed in the wrong order or doubled, which would read as = with text like ">0.9"', () => {
    const refusal = (text: string): string => {
      try {
        parseCondition(text);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    const hint = 'OP is one of >= <= != !~ = > < ~ (for a value starting with < > = ! or ~, use ~, e.g. note~^!)';
    assert.equal(refusal('test_accuracy=>0.9'), `--where "test_accuracy=>0.9": => is not an operator: ${hint}`);
    assert.equal(refusal('test_accuracy=<0.99'), `--where "test_accuracy=<0.99": =< is not an operator: ${hint}`);
    assert.equal(refusal('hp.training.lr===0.1'), `--where "hp.training.lr===0.1": === is not an operator: ${hint}`);
    assert.equal(refusal('status!==completed'), `--where "status!==completed": !== is not an operator: ${hint}`);
    assert.equal(refusal('status=!completed'), `--where "status=!completed": =! is not an operator: ${hint}`);
    assert.equal(refusal('tag=~^M2'), `--where "tag=~^M2": =~ is not an operator: ${hint}`);
    assert.equal(refusal('test_accuracy = > 0.9'), `--where "test_accuracy = > 0.9": => is not an operator: ${hint}`);
    // What stays valid: == as =, an = inside the value, and operator characters in a pattern.
    assert.equal(holds('hp.training.lr==0.1', 0.1), true);
    assert.equal(holds('note=a=b', 'a=b'), true);
    assert.equal(holds('note~^!x', '!x'), true);
    assert.equal(holds('note~a=>b', 'a=>b'), true);
    assert.equal(holds('tag~^M2', 'M2-wide'), true);
  });
});
