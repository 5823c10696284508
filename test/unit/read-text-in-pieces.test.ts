import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonValue, readTextInPieces } from '../../core/json-file.js';
import { Rng } from '../../core/training/prng.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

describe('reading a user file as text in pieces (core/json-file.ts readTextInPieces)', () => {
  let file: string;
  before(() => {
    file = join(tempDir('dl-lab-read-text-'), 'input.json');
  });
  after(cleanupTempDirs);

  it("gives what readFileSync(path, 'utf8') gives, for 500 random byte strings (valid and invalid UTF-8) in pieces of 1 to 64 bytes", () => {
    const rng = new Rng(21);
    const characters = ['a', '"', '\n', 'é', '€', '𝛼', '\uFEFF'];
    for (let trial = 0; trial < 500; trial++) {
      const parts: Buffer[] = [];
      for (let i = Math.floor(rng.uniform() * 40); i > 0; i--) {
        // Whole characters of one to four bytes, or a byte of anything (a broken or cut sequence).
        parts.push(rng.uniform() < 0.6 ? Buffer.from(characters[Math.floor(rng.uniform() * characters.length)]) : Buffer.from([Math.floor(rng.uniform() * 256)]));
      }
      writeFileSync(file, Buffer.concat(parts));
      const expected = readFileSync(file, 'utf8');
      for (const pieceBytes of [1, 2, 3, 5, 7, 64]) assert.equal(readTextInPieces(file, pieceBytes), expected, `trial ${trial}, pieces of ${pieceBytes}`);
    }
  });

  it('reads a file of several pieces of the default size, and an empty one', () => {
    const text = `{"history": [${Array.from({ length: 150_000 }, (_, step) => `{"epoch": ${step}, "loss": ${1 / (step + 1)}, "note": "é𝛼"}`).join(',\n')}]}`;
    writeFileSync(file, text);
    assert.ok(Buffer.byteLength(text) > 3 * 1024 * 1024);
    assert.equal(readTextInPieces(file), text);
    assert.equal((readJsonValue<{ history: unknown[] }>(file)).history.length, 150_000);
    writeFileSync(file, '');
    assert.equal(readTextInPieces(file), '');
  });
});
