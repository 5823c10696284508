import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYSIS, MANIFEST, SUMMARY } from '../run/paths.js';

/** The documents `dl-lab runs` may read from a run folder; `experiment` exists only in experiment records. */
export const RUN_DOCUMENTS = { manifest: MANIFEST, summary: SUMMARY, analysis: ANALYSIS, experiment: 'experiment.json' } as const;
export type RunDocumentName = keyof typeof RUN_DOCUMENTS;

type Json = Record<string, unknown>;

/**
 * One run folder as `dl-lab runs` and the report's grouping see it: its documents, each read on
 * first use only (a query over metrics never opens a manifest), never hashed or verified. A
 * document that is missing, not JSON or not an object reads as undefined: listing runs must not
 * stop at one damaged run (`dl-lab verify` is the command that says what is wrong with it).
 */
export class RunDocuments {
  private readonly bytes = new Map<RunDocumentName, Buffer | undefined>();
  private readonly parsed = new Map<RunDocumentName, Json | undefined>();
  private readonly members = new Map<string, unknown>();

  constructor(readonly tag: string, readonly dir: string) {}

  /** The whole document, parsed. */
  get(name: RunDocumentName): Json | undefined {
    if (this.parsed.has(name)) return this.parsed.get(name);
    const value = parseObject(this.read(name));
    this.parsed.set(name, value);
    return value;
  }

  /**
   * One top-level member of a document. Our writers (and Python's `json.dump(indent=2)`) put each
   * top-level member on a line of its own indented by two spaces, which no nested line or string
   * can look like; so the member is cut out and parsed alone. Parsing whole manifests of 10,000 runs
   * (their environment is most of them) costs more than reading them, and as much again in garbage
   * collection. A document in any other layout is parsed whole.
   */
  top(name: RunDocumentName, key: string): unknown {
    if (this.parsed.has(name)) return member(this.parsed.get(name), key);
    const id = `${name}/${key}`;
    if (this.members.has(id)) return this.members.get(id);
    const cut = this.cut(name, key);
    const value = cut === undefined ? member(this.get(name), key) : cut.value;
    this.members.set(id, value);
    return value;
  }

  /** A document the caller has already read and parsed (the report has every verified run's), or knows is absent. */
  preset(name: RunDocumentName, value: Json | undefined): this {
    this.parsed.set(name, value);
    return this;
  }

  /** Drop what was read: thousands of documents would not fit the memory budget at once. */
  forget(): void {
    this.bytes.clear();
    this.parsed.clear();
    this.members.clear();
  }

  /**
   * cutMember of the document, opened once: a large one (HEAD_READ_BYTES or more) from its first
   * bytes only, read until the member ends, and its last bytes (a document cut short is parsed
   * whole, and fails): the results of a run that logged every step come before its 30-80 MB
   * history. Otherwise, or where its first MiBs do not hold the member, from the whole document,
   * whose bytes are kept (`read`).
   */
  private cut(name: RunDocumentName, key: string): { value: unknown } | undefined {
    if (this.bytes.has(name)) {
      const bytes = this.bytes.get(name);
      return bytes === undefined ? { value: undefined } : cutMember(bytes, key);
    }
    let fd: number;
    try {
      fd = openSync(join(this.dir, RUN_DOCUMENTS[name]), 'r');
    } catch {
      this.bytes.set(name, undefined);
      return { value: undefined };
    }
    try {
      const size = fstatSync(fd).size;
      const fromHead = size >= HEAD_READ_BYTES ? cutFromHead(fd, size, key) : undefined;
      if (fromHead) return fromHead;
      const bytes = this.read(name, fd);
      return bytes === undefined ? { value: undefined } : cutMember(bytes, key);
    } finally {
      closeSync(fd);
    }
  }

  /*
   * Synchronous reads: a query touches one to three small files of thousands of runs, and a sync
   * read costs a fraction of the thread-pool round trips of an async one (as in verify-run.ts).
   */
  private read(name: RunDocumentName, fd?: number): Buffer | undefined {
    if (this.bytes.has(name)) return this.bytes.get(name);
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(fd ?? join(this.dir, RUN_DOCUMENTS[name]));
    } catch {
      bytes = undefined;
    }
    this.bytes.set(name, bytes);
    return bytes;
  }
}

const parseObject = (bytes: Buffer | undefined): Json | undefined => {
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
};

const LAYOUT_START = Buffer.from('{\n  "');
const NEXT_MEMBER = Buffer.from('\n  "');
const CLOSE = Buffer.from('\n}');

/** A document cut short (a truncated write) must not answer for the members it still has: it is parsed whole, and fails. */
const endsWithClose = (bytes: Buffer): boolean => {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x20 || bytes[end - 1] === 0x0d)) end--;
  return end >= CLOSE.length && bytes.subarray(end - CLOSE.length, end).equals(CLOSE);
};

/** Documents this large have their members cut from their first pieces (RunDocuments.cutFromHead). */
const HEAD_READ_BYTES = 1 << 20;
const HEAD_PIECE_BYTES = 64 * 1024;
/** Beyond this, a member not yet found is cut from the whole document. */
const HEAD_LIMIT_BYTES = 4 << 20;
/** Enough of the end to see the closing brace past trailing white space. */
const TAIL_BYTES = 64;

/**
 * cutFrom the first bytes of the open document `fd` of `size` bytes (its end checked first), read
 * in doubling pieces up to HEAD_LIMIT_BYTES; undefined where they do not settle it.
 */
const cutFromHead = (fd: number, size: number, key: string): { value: unknown } | undefined => {
  const tail = Buffer.alloc(TAIL_BYTES);
  if (!endsWithClose(tail.subarray(0, readSync(fd, tail, 0, TAIL_BYTES, size - TAIL_BYTES)))) return undefined;
  const head = Buffer.allocUnsafe(Math.min(size, HEAD_LIMIT_BYTES));
  for (let filled = 0; filled < head.length; ) {
    const read = readSync(fd, head, filled, Math.min(head.length - filled, Math.max(HEAD_PIECE_BYTES, filled)), filled);
    if (read === 0) return undefined;
    filled += read;
    const cut = cutFrom(head.subarray(0, filled), key);
    if (cut !== 'read on') return cut;
  }
  return undefined;
};

/** `{value}` of top-level member `key` cut from a two-space-indented document, or undefined when the layout is not that (parse it whole). */
const cutMember = (bytes: Buffer, key: string): { value: unknown } | undefined => {
  if (!endsWithClose(bytes)) return undefined;
  const cut = cutFrom(bytes, key);
  if (cut !== 'read on') return cut;
  // The member is the last one, or absent.
  const needle = Buffer.from(`\n  ${JSON.stringify(key)}: `);
  const at = bytes.indexOf(needle);
  return at < 0 ? { value: undefined } : parseMember(bytes, at + needle.length, bytes.lastIndexOf(CLOSE));
};

/**
 * cutMember of the first bytes of a document (whose end was checked): the member when the next
 * member's start is among them, undefined when the layout is not ours, 'read on' when more bytes
 * are needed (or, given all of them, the member is the last or absent).
 */
const cutFrom = (head: Buffer, key: string): { value: unknown } | undefined | 'read on' => {
  if (!head.subarray(0, LAYOUT_START.length).equals(LAYOUT_START.subarray(0, head.length))) return undefined;
  const needle = Buffer.from(`\n  ${JSON.stringify(key)}: `);
  const at = head.indexOf(needle);
  if (at < 0) return 'read on';
  const end = head.indexOf(NEXT_MEMBER, at + needle.length);
  return end < 0 ? 'read on' : parseMember(head, at + needle.length, end);
};

const parseMember = (bytes: Buffer, start: number, end: number): { value: unknown } | undefined => {
  if (end < start) return undefined;
  const text = bytes.toString('utf8', start, end).trimEnd();
  try {
    return { value: JSON.parse(text.endsWith(',') ? text.slice(0, -1) : text) };
  } catch {
    return undefined;
  }
};

/** `object[key]` when `object` is a plain JSON object, else undefined (documents are read defensively). */
export const member = (object: unknown, key: string): unknown =>
  object !== null && typeof object === 'object' && !Array.isArray(object) && Object.hasOwn(object, key) ? (object as Json)[key] : undefined;

/** A value reached by a path of keys, each step defensive. */
export const memberPath = (object: unknown, keys: readonly string[]): unknown => keys.reduce<unknown>((value, key) => member(value, key), object);
