import assert from 'node:assert/strict';
import { emitJsonText } from '../../core/json-chunks.js';
import { stringifyJson } from '../../core/json-file.js';

/** The pieces emitJsonText hands out for `value`. */
const pieces = (value: unknown, pieceChars?: number): string[] => {
  const out: string[] = [];
  emitJsonText(value, (piece) => out.push(piece), pieceChars);
  return out;
};

const history = (length: number) =>
  Array.from({ length }, (_, step) => ({ epoch: step, loss: 1 / (step + 1), val_loss: step % 7 === 0 ? null : 0.5 + step / 1e6, note: step === 3 ? 'é "quoted"\n' : undefined }));

describe('json chunks: stringifyJson text in pieces, for documents with large arrays', () => {
  const cases: Array<[string, unknown]> = [
    ['a small document (one JSON.stringify)', { results: { accuracy: 0.9 }, history: history(3) }],
    ['a run analysis with a 5,000-entry history', { schema_version: '1.2.0', results: { accuracy: 0.91, loss: 0.2 }, history: history(5000), extra: [] }],
    ['a large top-level array', history(1000)],
    ['nested large arrays, empty containers, skipped values', { a: { b: [history(300), [], {}, undefined, () => 1, Symbol('s')] }, c: undefined, d: [[...Array(400).keys()]], e: {} }],
    ['values with toJSON and boxed primitives inside a large array', Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? new Date(i * 1e9) : i % 3 === 1 ? new Number(i) : { at: new Date(0), n: -0, big: 1e21, nan: NaN }))],
    ['a large array of strings with escapes and astral characters', Array.from({ length: 500 }, (_, i) => `line ${i}\t"𝛼" \u2028 \\`)],
    ['large arrays three and four levels deep, in batches, and one inside an element of another', { a: { b: { c: history(600), d: [[...Array(700).keys()], 1] } }, e: [...Array(300).keys()].map((i) => (i === 7 ? { inner: history(300) } : i)) }],
    ['a large sparse array (holes are null)', Object.assign(new Array(600), { 5: 1, 599: { x: [2] } })],
    ['integer-like keys, which both order first', { b: 1, 2: history(300), 1: 'one', a: [...Array(300).keys()] }],
    ['an object with a null prototype', Object.assign(Object.create(null) as object, { history: history(400), k: 1 })],
  ];
  for (const [name, value] of cases) {
    it(`${name}: the pieces join to exactly stringifyJson's text`, () => {
      assert.equal(pieces(value).join(''), stringifyJson(value));
      assert.equal(pieces(value, 64).join(''), stringifyJson(value));
    });
  }

  it('hands a large document out in pieces of about the asked size, not as one string', () => {
    const value = { history: history(20_000) };
    const out = pieces(value, 65_536);
    const text = stringifyJson(value);
    assert.equal(out.join(''), text);
    // Each piece but the last reaches the asked size and overshoots it by at most one batch of 256 entries (~110 characters each).
    const batch = 256 * 120;
    assert.ok(out.length >= text.length / (65_536 + batch), `${out.length} pieces for ${text.length} characters`);
    for (const piece of out.slice(0, -1)) assert.ok(piece.length >= 65_536 && piece.length < 65_536 + batch, String(piece.length));
  });

  it('a small document is one piece', () => {
    assert.deepEqual(pieces({ a: [1, 2, 3] }), [stringifyJson({ a: [1, 2, 3] })]);
  });

  it('throws what JSON.stringify throws (a BigInt inside a large array)', () => {
    assert.throws(() => pieces([...Array(300).keys(), 1n]), /BigInt/);
  });
});
