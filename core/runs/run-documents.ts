import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYSIS, MANIFEST, SUMMARY } from '../run/paths.js';

/** The documents `dl-lab runs` may read from a run folder; `experiment` exists only in experiment records. */
export const RUN_DOCUMENTS = { manifest: MANIFEST, summary: SUMMARY, analysis: ANALYSIS, experiment: 'experiment.json' } as const;
export type RunDocumentName = keyof typeof RUN_DOCUMENTS;

type Json = Record<string, unknown>;

/**
 * One run folder as `dl-lab runs` and the report's grouping see it: its documents, each read and
 * parsed on first use only (a query over metrics never opens a manifest), never hashed or verified.
 * A document that is missing, not JSON or not an object reads as undefined: listing runs must not
 * stop at one damaged run (`dl-lab verify` is the command that says what is wrong with it).
 */
export class RunDocuments {
  private readonly cache = new Map<RunDocumentName, Json | undefined>();

  constructor(readonly tag: string, readonly dir: string) {}

  get(name: RunDocumentName): Json | undefined {
    if (this.cache.has(name)) return this.cache.get(name);
    const value = readObject(join(this.dir, RUN_DOCUMENTS[name]));
    this.cache.set(name, value);
    return value;
  }

  /** Drop what was read: thousands of parsed manifests would not fit the memory budget at once. */
  forget(): void {
    this.cache.clear();
  }
}

/*
 * Synchronous reads: a query touches one to three small files of thousands of runs, and a sync read
 * costs a fraction of the thread-pool round trips of an async one (as in verify-run.ts).
 */
const readObject = (path: string): Json | undefined => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
};

/** `object[key]` when `object` is a plain JSON object, else undefined (documents are read defensively). */
export const member = (object: unknown, key: string): unknown =>
  object !== null && typeof object === 'object' && !Array.isArray(object) && Object.hasOwn(object, key) ? (object as Json)[key] : undefined;

/** A value reached by a path of keys, each step defensive. */
export const memberPath = (object: unknown, keys: readonly string[]): unknown => keys.reduce<unknown>((value, key) => member(value, key), object);
