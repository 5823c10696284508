import { constants as bufferConstants } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import pLimit from 'p-limit';
import type { RunManifest } from '../contract/generated/manifest.js';
import type { RunSummary } from '../contract/generated/summary.js';
import { runContractViolations } from '../contract/run-contract.js';
import { formatViolation, schemaViolations, type Violation } from '../contract/validate.js';
import { sha256File } from '../hashing/sha256-file.js';
import { readTextFile } from '../hashing/text-file.js';
import { readAnalysisDocument, TABLE_ANALYSIS_BYTES, type AnalysisDocument } from '../run/analysis-document.js';
import type { SharedVerifications } from './shared-verifications.js';
import type { RunVerifier } from './verify-with-documents.js';
import { parseJson } from '../json-file.js';
import { RUNS_DIR, relativeInside } from '../project.js';
import { runChecksums, sealDigest } from '../run/outputs.js';
import { parentLinkProblems, type ParentLink } from '../run/parent.js';
import { ANALYSIS, CHECKPOINT_RECORD, MANIFEST, SHA256SUMS, SUMMARY } from '../run/paths.js';
import { experimentRecordViolations } from '../experiments/verify-experiment.js';
import { EXPERIMENT_FILE } from '../experiments/versions.js';

export interface RunVerification {
  /** The run directory relative to the root ('.' for a standalone `--out-dir` run). */
  runDir: string;
  ok: boolean;
  problems: Violation[];
}

/** The four run documents as verify parsed them (valid against the contract when handed out). */
export interface ParsedRunDocuments { manifest: unknown; summary: unknown; analysis: unknown; checkpointRecord: unknown }

export interface VerifyRunOptions {
  /**
   * Called with the four run documents, parsed, when they satisfy the contract (whatever the bytes
   * check finds next): a reader of many runs (the report) takes them instead of reading and
   * validating every document a second time.
   */
  onDocuments?: (documents: ParsedRunDocuments) => void;
  /**
   * The runs being verified below this one, through parent links or as a record's members (a loop,
   * possible only in forged manifests, is reported, not followed). Not given with `shared`.
   */
  descendants?: ReadonlySet<string>;
  /**
   * The verifications of the command this one is part of (verify of a project, the report): the
   * parent's and the members' verifications are taken from there, so that each run is verified
   * once (shared-verifications.ts).
   */
  shared?: SharedVerifications;
  /** Called when a loop of parent links (or members) is met within this verification. */
  onLoop?: () => void;
  /**
   * How far a resumed run's parent is checked: 'verified' (the default: the parent passes verify,
   * its own ancestors included) or 'linked' (only the link: the parent's manifest is valid, has the
   * recorded seal and lists the checkpoint; its files and ancestors are not read). `run --parent`
   * verifies the parent with its link 'linked', so that a resumption costs the parent's files, not
   * every ancestor's checkpoints again.
   */
  parent?: 'verified' | 'linked';
}

/** Files up to this size are read whole (hashed and, for JSON, parsed from one read); larger ones are streamed. */
const READ_WHOLE_LIMIT = 8 * 1024 * 1024;
const { MAX_STRING_LENGTH } = bufferConstants;

/**
 * The files verify parses (or compares as text) are read whole at any size a string can hold: a
 * per-step history makes analysis.json tens of MB (300,000 entries: 43 MB), and such a run must
 * verify like any other.
 */
const PARSED_FILES: ReadonlySet<string> = new Set([MANIFEST, SUMMARY, ANALYSIS, CHECKPOINT_RECORD, SHA256SUMS, EXPERIMENT_FILE]);
/** Of those, the JSON documents every run has, which verify parses from their text alone. */
const DOCUMENTS: ReadonlySet<string> = new Set([MANIFEST, SUMMARY, ANALYSIS, CHECKPOINT_RECORD]);

const toPosix = (path: string): string => path.split(sep).join('/');
const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/*
 * Run files are small and many (bench/verify: 10,000 runs = 60,000 files). Synchronous reads cost a
 * fraction of the thread-pool round trips five async calls per file take, which measured ~2× slower.
 */

/**
 * Every regular file and every symlink below `dir`, as POSIX paths relative to it. The types come
 * from readdir itself (no stat per file); symlinks are reported, never followed.
 */
const listTree = (dir: string): { files: Set<string>; links: string[] } => {
  const files = new Set<string>();
  const links: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(rel ? join(dir, rel) : dir, { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) links.push(path);
      else if (entry.isDirectory()) walk(path);
      else files.add(path);
    }
  };
  walk('');
  return { files, links };
};

/** A run file's size and digest; the bytes of a file verify reads as bytes, the text of a document it parses (or the document, parsed as it was read). */
interface ReadFile { size: number; sha256: string; bytes?: Buffer; text?: string; parsed?: unknown }

/**
 * Large files (checkpoints) are hashed a core's worth at a time, whatever the number of runs being
 * verified at once: each holds two 4 MiB buffers, and more at once only share the same cores (a
 * project of 16 resumed runs with 32 MB checkpoints, all verified at once, peaked at 276 MB).
 */
const streamedHashes = pLimit(availableParallelism());

const readRunFile = async (path: string, wholeLimit: number): Promise<ReadFile> => {
  if (statSync(path).size > wholeLimit) {
    const { sha256, bytes } = await streamedHashes(() => sha256File(path));
    return { size: bytes, sha256 };
  }
  const bytes = readFileSync(path);
  return { size: bytes.length, sha256: sha256Of(bytes), bytes };
};

/**
 * A run document (JSON verify parses), read as text with the digest of its bytes (readTextFile); a
 * large analysis.json is parsed as it is read, its history into a table (readAnalysisDocument).
 */
const readRunDocument = async (path: string, name: string): Promise<ReadFile> => {
  const size = statSync(path).size;
  if (size > MAX_STRING_LENGTH) return readRunFile(path, MAX_STRING_LENGTH);
  if (name === ANALYSIS && size >= TABLE_ANALYSIS_BYTES) {
    const { value, ...read } = readAnalysisDocument(path);
    return value === undefined ? read : { ...read, parsed: value };
  }
  const { text, bytes, sha256 } = readTextFile(path);
  return { size: bytes, sha256, text };
};

const parseDocument = (text: string | undefined, label: string, problems: Violation[]): unknown => {
  if (text === undefined) return undefined;
  try {
    return parseJson(text, label);
  } catch (error) {
    problems.push({ file: label, pointer: '', message: (error as Error).message.replace(`${label}: `, '') });
    return undefined;
  }
};

/**
 * Check one published run against its manifest: the contract (schemas and cross-file rules), every
 * output present as a regular file inside the run with the recorded size and sha256, no file the
 * manifest does not list, no symlink, the seal over the outputs and SHA256SUMS over every file
 * including the manifest. Each file is read once.
 */
export const verifyRun = async (root: string, runDirAbs: string, options: VerifyRunOptions = {}): Promise<RunVerification> => {
  const runDir = toPosix(relative(root, runDirAbs)) || '.';
  const label = (name: string) => (runDir === '.' ? name : `${runDir}/${name}`);
  const problems: Violation[] = [];
  const done = () => {
    problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    return { runDir, ok: problems.length === 0, problems };
  };

  let tree: ReturnType<typeof listTree>;
  try {
    tree = listTree(runDirAbs);
  } catch (error) {
    problems.push({ file: runDir, pointer: '', message: `cannot read the run folder (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
    return done();
  }
  if (relativeInside(realpathSync(root), realpathSync(runDirAbs)) === undefined) {
    problems.push({ file: runDir, pointer: '', message: 'resolves outside the project (a symlinked run folder?)' });
  }
  for (const link of tree.links) problems.push({ file: label(link), pointer: '', message: 'symlink inside a run (runs hold regular files only)' });
  const isLink = new Set(tree.links);

  const contents = new Map<string, ReadFile>();
  await Promise.all(
    [...tree.files].map(async (name) => {
      try {
        const path = join(runDirAbs, name);
        contents.set(name, await (DOCUMENTS.has(name) ? readRunDocument(path, name) : readRunFile(path, PARSED_FILES.has(name) ? MAX_STRING_LENGTH : READ_WHOLE_LIMIT)));
      } catch (error) {
        problems.push({ file: label(name), pointer: '', message: `cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` });
      }
    }),
  );
  /** A document, parsed; its text (or what was parsed as it was read) let go here: a document of tens of MB is not held twice. */
  const parsedDocument = (name: string): unknown => {
    const read = contents.get(name);
    const { text, parsed } = read ?? {};
    if (read) [read.text, read.parsed] = [undefined, undefined];
    if (parsed !== undefined) return parsed;
    if (text === undefined) {
      const why = isLink.has(name) ? 'is a symlink, not a file' : read ? `too large to be a run document (${read.size} bytes; at most ${MAX_STRING_LENGTH})` : 'cannot read (ENOENT)';
      problems.push({ file: label(name), pointer: '', message: why });
    }
    return parseDocument(text, label(name), problems);
  };
  const [manifest, summary, analysis, checkpointRecord] = [MANIFEST, SUMMARY, ANALYSIS, CHECKPOINT_RECORD].map(parsedDocument);
  if (problems.length > 0) return done();
  problems.push(
    ...runContractViolations(
      { manifest, summary, analysis, checkpointRecord },
      { manifest: label(MANIFEST), summary: label(SUMMARY), analysis: label(ANALYSIS), checkpointRecord: label(CHECKPOINT_RECORD) },
    ),
  );
  if (problems.length === 0) options.onDocuments?.({ manifest, summary, analysis, checkpointRecord });
  // With a sound manifest, go on to the bytes: "summary.json: sha256 differs" says more than its schema error.
  if (problems.some((problem) => problem.file === label(MANIFEST))) return done();

  const m = manifest as RunManifest;
  const manifestLabel = label(MANIFEST);
  if (m.run_dir !== runDir) problems.push({ file: manifestLabel, pointer: '/run_dir', message: `'${m.run_dir}' but the run is at '${runDir}'` });
  if (runDir.startsWith(`${RUNS_DIR}/`) && m.tag !== basename(runDirAbs)) {
    problems.push({ file: manifestLabel, pointer: '/tag', message: `'${m.tag}' but the run folder is '${basename(runDirAbs)}'` });
  }
  const prefix = runDir === '.' ? '' : `${runDir}/`;
  const listed = new Set<string>([MANIFEST, SHA256SUMS]);
  m.outputs.forEach((output, index) => {
    const at = `${manifestLabel}:/outputs/${index}`;
    if (!output.path.startsWith(prefix)) {
      problems.push({ file: manifestLabel, pointer: `/outputs/${index}/path`, message: `'${output.path}' is outside the run directory '${runDir}'` });
      return;
    }
    const name = output.path.slice(prefix.length);
    listed.add(name);
    const found = contents.get(name);
    if (!found) {
      problems.push({ file: output.path, pointer: '', message: isLink.has(name) ? 'is a symlink, not a file' : `missing (listed at ${at})` });
      return;
    }
    if (found.size !== output.bytes) problems.push({ file: output.path, pointer: '', message: `size ${found.size} differs from the recorded ${output.bytes} (${at}/bytes)` });
    if (found.sha256 !== output.sha256) {
      problems.push({ file: output.path, pointer: '', message: `sha256 ${found.sha256.slice(0, 12)}… differs from the recorded ${output.sha256.slice(0, 12)}… (${at}/sha256)` });
    }
  });
  for (const name of tree.files) {
    if (!listed.has(name)) problems.push({ file: label(name), pointer: '', message: 'not listed in manifest.json outputs (added after the run was sealed?)' });
  }
  for (const [name, role] of [[SUMMARY, 'summary'], [ANALYSIS, 'analysis'], [CHECKPOINT_RECORD, 'checkpoint-record']] as const) {
    if (!m.outputs.some((output) => output.path === `${prefix}${name}`)) problems.push({ file: manifestLabel, pointer: '/outputs', message: `${label(name)} (${role}) is not listed` });
  }
  const seal = sealDigest(m.outputs);
  if (seal !== m.seal.digest) problems.push({ file: manifestLabel, pointer: '/seal/digest', message: `seal ${m.seal.digest.slice(0, 12)}… does not match the outputs (${seal.slice(0, 12)}…)` });
  const sums = contents.get(SHA256SUMS)?.bytes?.toString('utf8');
  if (sums === undefined) problems.push({ file: label(SHA256SUMS), pointer: '', message: 'missing' });
  else if (sums !== runChecksums(runDir, m.outputs, contents.get(MANIFEST)!.sha256)) {
    problems.push({ file: label(SHA256SUMS), pointer: '', message: 'does not match manifest.json and its outputs (manifest.json or SHA256SUMS was edited)' });
  }
  const below = new Set([...(options.descendants ?? []), runDirAbs]);
  if (m.parent) {
    const message = await parentProblem(root, m.parent, runDirAbs, below, options);
    if (message) problems.push({ file: manifestLabel, pointer: '/parent', message });
  }
  // An experiment record (it lists experiment.json) is also checked against its member runs.
  const experimentBytes = listed.has(EXPERIMENT_FILE) ? contents.get(EXPERIMENT_FILE)?.bytes : undefined;
  if (problems.length === 0 && experimentBytes) {
    // The record's files are checked; its member runs are read next, without its bytes held (tens of MB for a per-step history).
    contents.clear();
    const verifyMember: RunVerifier = (memberRoot, memberDir, memberOptions = {}) => dependencyVerification(memberRoot, memberDir, runDirAbs, below, options, memberOptions.onDocuments);
    problems.push(...(await experimentRecordViolations(root, runDir, m.tag, { experimentBytes, summary: summary as RunSummary, analysis: analysis as AnalysisDocument }, verifyMember)));
  }
  return done();
};

/**
 * The verification a run's check depends on (its parent's, a record's member's): shared with the
 * command when it can be (a result that met a loop is not: that depends on who asks), else done
 * here with the runs below (`below`, this one included) so that a loop is reported, not followed.
 * `onDocuments` asks for a verification of its own (the shared ones hold no documents).
 */
const dependencyVerification = async (
  root: string,
  dir: string,
  runDirAbs: string,
  below: ReadonlySet<string>,
  options: VerifyRunOptions,
  onDocuments?: VerifyRunOptions['onDocuments'],
): Promise<RunVerification> => {
  if (below.has(dir)) {
    options.onLoop?.();
    const runDir = toPosix(relative(root, dir)) || '.';
    return { runDir, ok: false, problems: [{ file: runDir, pointer: '', message: 'is also being verified below this run (a loop of parent links or experiment members)' }] };
  }
  if (options.shared && onDocuments) {
    const own = await options.shared.verifyWithDocuments(root, dir, runDirAbs);
    if (own && !own.loopMet) {
      if (own.documents) onDocuments(own.documents);
      return own.verification;
    }
  } else if (options.shared) {
    const shared = await options.shared.verify(root, dir, runDirAbs);
    if (shared && !shared.loopMet) return shared.verification;
  }
  return verifyRun(root, dir, { descendants: below, onLoop: options.onLoop, onDocuments });
};

/**
 * A run resumed from another (manifest `parent`, contract 1.1) is only as good as its parent: that
 * run must exist, pass verify itself (its own parent included; with `parent: 'linked'`, have a
 * valid manifest only), still have the recorded seal and hold the checkpoint training loaded.
 * `below` are the runs being verified below it, this one included (a loop of parents, possible only
 * in a forged manifest, is reported instead of followed).
 */
const parentProblem = async (root: string, link: ParentLink, runDirAbs: string, below: ReadonlySet<string>, options: VerifyRunOptions): Promise<string | undefined> => {
  const dir = join(root, RUNS_DIR, link.tag);
  if (below.has(dir)) {
    options.onLoop?.();
    return `parent ${link.tag} is also a descendant of this run (a loop of parent links)`;
  }
  if (!existsSync(join(dir, MANIFEST))) return `parent run ${link.tag} does not exist (${RUNS_DIR}/${link.tag}/ holds no sealed run)`;
  const manifestLabel = `${RUNS_DIR}/${link.tag}/${MANIFEST}`;
  if (options.parent !== 'linked') {
    const parent = await dependencyVerification(root, dir, runDirAbs, below, options);
    if (!parent.ok) return `parent run ${link.tag} does not pass verification: ${parent.problems.slice(0, 3).map(formatViolation).join('; ')}${parent.problems.length > 3 ? '; …' : ''}`;
  }
  let manifest: RunManifest;
  try {
    manifest = parseJson<RunManifest>(readFileSync(join(dir, MANIFEST), 'utf8'), manifestLabel);
  } catch (error) {
    return `parent run ${link.tag} has an invalid manifest: ${(error as Error).message}`;
  }
  // Verified, the manifest satisfies the contract; linked only, it is checked here.
  const invalid = options.parent === 'linked' ? schemaViolations('manifest', manifest, manifestLabel) : [];
  if (invalid.length > 0) return `parent run ${link.tag} has an invalid manifest: ${formatViolation(invalid[0])}`;
  const problems = parentLinkProblems(link, manifest);
  return problems.length > 0 ? `parent ${problems.join('; ')}` : undefined;
};
