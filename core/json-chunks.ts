/**
 * The text of `stringifyJson(value)` (two-space indent, final newline), handed out in pieces.
 *
 * Why: a run's analysis.json carries the training history, and a per-step history of 300,000
 * entries is ~43 MB of JSON. Built as one string and then turned into one Buffer, it held ~90 MB
 * at the run's memory peak (bench/README.md). Here a large array is written a batch of elements
 * at a time, so a caller can hash and write the text as it comes, holding only about
 * `pieceChars` of it. All text still comes from JSON.stringify itself (of a batch, or of a value
 * holding no large array), so the bytes are JSON.stringify's; the tests compare them.
 */

/**
 * Marks an object that stands for an array it hands out a batch at a time (`slice(start, end)`,
 * `length`), and is that array in JSON.stringify (`toJSON`): a HistoryTable. Written here as that
 * array, a batch at a time, so it is never made whole.
 */
export const BATCHED_ARRAY = Symbol.for('dl-lab batched array'); // registered: one symbol even where a module is loaded twice

interface BatchedArray { readonly length: number; slice(start: number, end: number): unknown[] }

const isBatchedArray = (value: unknown): value is BatchedArray => typeof value === 'object' && value !== null && BATCHED_ARRAY in value;

/** Arrays longer than this are written in batches of this many elements; shorter ones in one JSON.stringify. */
const LARGE_ARRAY = 256;

/** Text is handed out in pieces of at least this many UTF-16 code units (the last may be shorter). */
const PIECE_CHARS = 1 << 20;

const isPlainContainer = (value: unknown): value is Record<string, unknown> | unknown[] => {
  if (typeof value !== 'object' || value === null) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
};

/** Whether JSON.stringify leaves this property out of an object (and writes `null` for it in an array). */
const isSkipped = (value: unknown): boolean => value === undefined || typeof value === 'function' || typeof value === 'symbol';

/** Whether somewhere inside `value` (plain objects and arrays only) an array is large enough to write in pieces. */
const holdsLargeArray = (value: unknown, depth = 0): boolean => {
  if (isBatchedArray(value)) return value.length > LARGE_ARRAY;
  if (!isPlainContainer(value) || depth > 64) return false;
  if (Array.isArray(value)) return value.length > LARGE_ARRAY || value.some((item) => holdsLargeArray(item, depth + 1));
  return Object.values(value).some((item) => holdsLargeArray(item, depth + 1));
};

/**
 * Calls `emit` with consecutive pieces of `stringifyJson(value)`; their concatenation is exactly
 * that text. Throws what JSON.stringify throws (a cycle, a BigInt) before emitting anything only
 * for values without large arrays; otherwise pieces before the failing element were emitted.
 */
export const emitJsonText = (value: unknown, emit: (piece: string) => void, pieceChars = PIECE_CHARS): void => {
  let pending: string[] = [];
  let pendingChars = 0;
  const write = (text: string): void => {
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars >= pieceChars) {
      emit(pending.join(''));
      pending = [];
      pendingChars = 0;
    }
  };
  writeValue(value, '', write);
  write('\n');
  if (pending.length > 0) emit(pending.join(''));
};

/** Writes `value` as JSON.stringify(value, null, 2) would at nesting `indent` (it is not undefined). */
const writeValue = (value: unknown, indent: string, write: (text: string) => void): void => {
  if (!holdsLargeArray(value)) {
    // Strings in JSON never hold a raw line break, so every '\n' starts a line to indent.
    const text = JSON.stringify(value, null, 2);
    write(indent === '' ? text : text.replaceAll('\n', `\n${indent}`));
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value) || isBatchedArray(value)) {
    write('[');
    // In batches of LARGE_ARRAY elements, each batch one JSON.stringify nested as deep as this
    // array (so its lines come out indented as they belong here, with no re-indenting pass), its
    // brackets cut off. An element is written whole, large arrays inside it included. Holes and
    // skipped values are null there as in one JSON.stringify of the whole array.
    const depth = indent.length / 2;
    const cut = (depth + 1) * (depth + 2); // the opening brackets' lines, "  ".repeat(k) + "[\n" for k = 0..depth; the closing ones as long
    for (let start = 0; start < value.length; start += LARGE_ARRAY) {
      let nested: unknown = value.slice(start, start + LARGE_ARRAY);
      for (let level = 0; level < depth; level++) nested = [nested];
      const text = JSON.stringify(nested, null, 2);
      write(`${start === 0 ? '\n' : ',\n'}${text.slice(cut, text.length - cut)}`);
    }
    write(`\n${indent}]`);
    return;
  }
  // holdsLargeArray: a plain object with at least one large array inside, so never `{}`.
  let first = true;
  write('{');
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (isSkipped(item)) continue;
    write(`${first ? '' : ','}\n${inner}${JSON.stringify(key)}: `);
    writeValue(item, inner, write);
    first = false;
  }
  write(`\n${indent}}`);
};
