import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isUserError } from '../../core/errors.js';
import { parseJson } from '../../core/json-file.js';
import { readHistoryFile, type HistoryFileRef } from '../../core/metrics-history.js';
import { Rng } from '../../core/training/prng.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The history as the reader gave it before it read in pieces: the whole file, decoded, split at line breaks. */
const readWhole = (path: string, ref: HistoryFileRef, label: string): unknown[] => {
  const bytes = readFileSync(path);
  assert.ok(bytes.length >= ref.bytes && sha256(bytes.subarray(0, ref.bytes)) === ref.sha256);
  const complete = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1).toString('utf8');
  return complete.split('\n').slice(0, -1).map((line, index) => parseJson(line, `${label} line ${index + 1}`));
};

/** The error message of `read()`, which must be a UserError. */
const messageOf = (read: () => unknown): string => {
  try {
    read();
  } catch (error) {
    assert.ok(isUserError(error), String(error));
    return error.message;
  }
  assert.fail('no error');
};

describe('readHistoryFile: a JSON Lines history read in pieces', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(cleanupTempDirs);

  /** Writes `text` as the history file, the metrics file having seen its first `seen` bytes. */
  const write = (name: string, text: string | Buffer, seen: number): { path: string; ref: HistoryFileRef } => {
    const path = join(dir, name);
    const bytes = Buffer.from(text);
    writeFileSync(path, bytes);
    return { path, ref: { path: name, bytes: seen, sha256: sha256(bytes.subarray(0, seen)) } };
  };

  it('gives what reading it whole gave, for lines across piece boundaries, CRLF and a cut-short last line', () => {
    const rng = new Rng(7);
    for (let file = 0; file < 60; file++) {
      const lines = Array.from({ length: 1 + Math.floor(rng.uniform() * 40) }, (_, epoch) => {
        const entry: Record<string, unknown> = { epoch, loss: rng.uniform() };
        if (rng.uniform() < 0.3) entry[`metric_${rng.below(1000)}`] = rng.normal() * 1e-12;
        return `${JSON.stringify(entry)}${rng.uniform() < 0.2 ? '\r' : ''}\n`;
      });
      const committed = Buffer.byteLength(lines.slice(0, Math.floor(rng.uniform() * lines.length)).join(''));
      const tail = rng.uniform() < 0.5 ? '{"epoch": 99, "lo' : '';
      const { path, ref } = write(`h${file}.jsonl`, lines.join('') + tail, committed);
      const expected = readWhole(path, ref, 'h');
      for (const pieceBytes of [1, 2, 3, 7, 64, 1024 * 1024]) {
        assert.deepEqual(readHistoryFile(path, ref, 'h', pieceBytes).toJSON(), expected, `file ${file}, pieces of ${pieceBytes}`);
      }
    }
  });

  it('refuses a history shorter than its metrics file saw, edited, or seen up to the middle of a line, naming the file', () => {
    const text = '{"epoch":1,"loss":0.5}\n{"epoch":2,"loss":0.4}\n';
    const truncated = write('truncated.jsonl', text, text.length);
    writeFileSync(truncated.path, text.slice(0, 30));
    assert.equal(messageOf(() => readHistoryFile(truncated.path, truncated.ref, 'm.json history_file t', 8)), 'm.json history_file t: holds 30 bytes but its metrics file saw 46 (truncated or replaced)');
    const edited = write('edited.jsonl', text, text.length);
    writeFileSync(edited.path, text.replace('0.4', '0.1'));
    assert.match(messageOf(() => readHistoryFile(edited.path, edited.ref, 'e', 8)), /^e: its first 46 bytes have sha256 [0-9a-f]{12}…, not the [0-9a-f]{12}… its metrics file saw \(edited\?\)$/);
    const midLine = write('mid.jsonl', text, 10);
    assert.equal(messageOf(() => readHistoryFile(midLine.path, midLine.ref, 'mid', 4)), 'mid: byte 10 is not the end of a line');
  });

  it('names the first line that is not JSON, by its number; an edit that broke a line is named as an edit', () => {
    const text = '{"epoch":1,"loss":0.5}\n{"epoch":2,"loss":NaN}\n{"epoch":3,"loss":]\n';
    const bad = write('bad.jsonl', text, 23);
    assert.match(messageOf(() => readHistoryFile(bad.path, bad.ref, 'b', 5)), /^b line 2: not valid JSON .*; JSON has no NaN or Infinity/);
    const broken = write('broken.jsonl', '{"epoch":1,"loss":0.5}\n', 23);
    writeFileSync(broken.path, '{"epoch":1,"loss":0.5]\n');
    assert.match(messageOf(() => readHistoryFile(broken.path, broken.ref, 'x', 5)), /^x: its first 23 bytes have sha256 .*\(edited\?\)$/);
  });

  it('checks the entries against the history schema', () => {
    const { path, ref } = write('schema.jsonl', '{"epoch":1,"loss":"low"}\n', 0);
    assert.match(messageOf(() => readHistoryFile(path, ref, 's')), /^invalid history file s: \/0\/loss: must be number$/);
  });
});
