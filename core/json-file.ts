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
 * Read a file the user named, refusing a non-file or one over `maxBytes` before reading it;
 * errors name the file as `label`.
 */
export const readUserFile = (path: string, label: string, maxBytes: number, what = 'inputs'): Buffer => {
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
  return readFileSync(path);
};

/** Read and parse a JSON file the user gave us; `label` is how the file is named in messages. */
export const readJsonInput = <T = unknown>(path: string, label = path): JsonInput<T> => {
  const bytes = readUserFile(path, label, MAX_JSON_INPUT_BYTES, 'JSON inputs');
  return { value: parseJson<T>(bytes.toString('utf8'), label), bytes };
};

/** The one JSON layout every file we write uses: two-space indent and a final newline. */
export const stringifyJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
