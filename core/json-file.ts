import { readFileSync, statSync } from 'node:fs';
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
 * A file the user named, as UTF-8 text (checked as assertUserFile says), decoded as Node reads it.
 * Why not readUserFile's bytes decoded: those bytes live outside the JavaScript heap until a full
 * garbage collection finds them dead, and none may come before the command ends. For a metrics
 * file holding a per-step history (300,000 entries, 30 MB) they were 30 MB of the run's peak.
 */
export const readUserText = (path: string, label: string, maxBytes: number, what = 'inputs'): string => {
  assertUserFile(path, label, maxBytes, what);
  return readFileSync(path, 'utf8');
};

/** Read and parse a JSON file the user gave us, keeping its bytes (e.g. to record their digest); `label` names it in messages. */
export const readJsonInput = <T = unknown>(path: string, label = path): JsonInput<T> => {
  const bytes = readUserFile(path, label, MAX_JSON_INPUT_BYTES, 'JSON inputs');
  return { value: parseJson<T>(bytes.toString('utf8'), label), bytes };
};

/** Read and parse a JSON file the user gave us, when its bytes are not needed (see readUserText). */
export const readJsonValue = <T = unknown>(path: string, label = path): T =>
  parseJson<T>(readUserText(path, label, MAX_JSON_INPUT_BYTES, 'JSON inputs'), label);

/** The one JSON layout every file we write uses: two-space indent and a final newline. */
export const stringifyJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
