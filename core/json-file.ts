import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { collectGarbage } from './collect-garbage.js';
import { UserError } from './errors.js';

/** Inputs larger than this are refused before reading: no metrics or config file is legitimately this big. */
export const MAX_JSON_INPUT_BYTES = 64 * 1024 * 1024;

export interface JsonInput<T = unknown> { value: T; bytes: Buffer }

/** "line L, column C" of a character offset, so a parse error points into the file. */
const lineColumn = (text: string, offset: number): string => {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
};

/** Parse JSON text; errors name the file and where in it (JSON has no NaN or Infinity: both are refused here). */
export const parseJson = <T = unknown>(text: string, label: string): T => {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    const match = /position (\d+)/.exec((error as Error).message);
    const where = match ? ` at ${lineColumn(text, Number(match[1]))}` : '';
    const hint = /\b(NaN|-?Infinity)\b/.test(text) ? '; JSON has no NaN or Infinity: write a finite number, or leave the key out' : '';
    throw new UserError(`${label}: not valid JSON${where} (${(error as Error).message})${hint}`, { file: label, field: '/' });
  }
};

/**
 * Refuse what cannot be a user's input file before reading it: not there, not a regular file, or
 * over `maxBytes`. Errors name the file as `label`.
 */
export const assertUserFile = (path: string, label: string, maxBytes: number, what = 'inputs'): void => {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new UserError(`${label}: not a regular file`, { file: label });
    size = stat.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${label}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: label });
  }
  if (size > maxBytes) throw new UserError(`${label}: ${size} bytes is larger than the ${maxBytes}-byte limit for ${what}`, { file: label });
};

/** A file the user named, as bytes (checked as assertUserFile says). */
export const readUserFile = (path: string, label: string, maxBytes: number, what = 'inputs'): Buffer => {
  assertUserFile(path, label, maxBytes, what);
  return readFileSync(path);
};

/**
 * A file the user named, as UTF-8 text (checked as assertUserFile says), decoded as Node decodes it.
 * Why not readUserFile's bytes decoded: those bytes live outside the JavaScript heap until a full
 * garbage collection finds them dead, and none may come before the command ends. For a metrics
 * file holding a per-step history (300,000 entries, 30 MB) they were 30 MB of the run's peak.
 */
export const readUserText = (path: string, label: string, maxBytes: number, what = 'inputs'): string => {
  assertUserFile(path, label, maxBytes, what);
  return readTextInPieces(path);
};

/** Texts this long (in characters) leave enough garbage, once read or once parsed, to collect at once (collect-garbage.ts). */
const COLLECT_AFTER_CHARS = 8_000_000;
const PIECE_BYTES = 1 << 20;

/**
 * readFileSync(path, 'utf8'), read and decoded 1 MiB at a time (a character split between pieces
 * is decoded whole: StringDecoder), the pieces joined in the JavaScript heap.
 * Why: Node 20 reads a file as text into a C++ string that doubles as it grows (2, 4, 8, 16, 32
 * MiB for a 30 MB metrics file), each freed at once. glibc then raises the size below which it
 * serves memory from its heaps instead of mapping it to 16 MiB, and the rest of the command's
 * buffers and typed arrays fill heaps it seldom gives back: a `run` of such a file peaked at
 * 167 MB, a sweep sealing three of them at 212 MB; read here, 147–150 and 191–195 MB.
 * `pieceBytes`: for tests.
 */
export const readTextInPieces = (path: string, pieceBytes = PIECE_BYTES): string => {
  const fd = openSync(path, 'r');
  let text: string;
  try {
    text = decodePieces(fd, pieceBytes);
  } finally {
    closeSync(fd);
  }
  // The pieces are garbage now (decodePieces' frame is gone), as much again as the text: gone before it is parsed.
  if (text.length >= COLLECT_AFTER_CHARS) collectGarbage();
  return text;
};

const decodePieces = (fd: number, pieceBytes: number): string => {
  const piece = Buffer.allocUnsafe(pieceBytes);
  const decoder = new StringDecoder('utf8');
  const pieces: string[] = [];
  for (let read: number, at = 0; (read = readSync(fd, piece, 0, pieceBytes, at)) > 0; at += read) pieces.push(decoder.write(piece.subarray(0, read)));
  pieces.push(decoder.end());
  return pieces.join('');
};

/** Read and parse a JSON file the user gave us, keeping its bytes (e.g. to record their digest); `label` names it in messages. */
export const readJsonInput = <T = unknown>(path: string, label = path): JsonInput<T> => {
  const bytes = readUserFile(path, label, MAX_JSON_INPUT_BYTES, 'JSON inputs');
  return { value: parseJson<T>(bytes.toString('utf8'), label), bytes };
};

/** Read and parse a JSON file the user gave us, when its bytes are not needed (see readUserText). */
export const readJsonValue = <T = unknown>(path: string, label = path): T => {
  const { value, chars } = parseUserJson<T>(path, label);
  // Its text is garbage now (this frame never held it): gone before the value is worked on.
  if (chars >= COLLECT_AFTER_CHARS) collectGarbage();
  return value;
};

const parseUserJson = <T>(path: string, label: string): { value: T; chars: number } => {
  const text = readUserText(path, label, MAX_JSON_INPUT_BYTES, 'JSON inputs');
  return { value: parseJson<T>(text, label), chars: text.length };
};

/** The one JSON layout every file we write uses: two-space indent and a final newline. */
export const stringifyJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
