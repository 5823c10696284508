import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentRecord } from '../contract/generated/experiment.js';
import type { RunSummary } from '../contract/generated/summary.js';
import { escapePointer } from '../contract/definitions.js';
import { formatViolation, schemaViolations, type Violation } from '../contract/validate.js';
import { isUserError } from '../errors.js';
import { HISTORY_BATCH_ROWS, isHistoryTable, shiftRowPointer, type HistoryTable } from '../history-table.js';
import { parseJson, stringifyJson } from '../json-file.js';
import { RUNS_DIR } from '../project.js';
import { forEachRunDir } from '../run/read-limits.js';
import { verifyWithDocuments, type RunVerifier } from '../verify/verify-with-documents.js';
import { memberOfVerifiedRun, type MemberData } from './members.js';
import { recordDocuments } from './record.js';
import type { AnalysisDocument } from '../run/analysis-document.js';
import { EXPERIMENT_FILE, recordTag } from './versions.js';

/**
 * The first place two JSON values differ, as a JSON pointer below the values (`/wide/val_accuracy/mean`,
 * `/12345/base.loss.mean` in a history), or undefined. Arrays are compared element by element: a
 * history of 300,000 steps is never written out whole, neither to compare nor in the message.
 */
const firstDifference = (recorded: unknown, recomputed: unknown, pointer = ''): Difference | undefined => {
  if (isHistoryTable(recomputed)) return firstDifferenceFromTable(recorded, recomputed, pointer);
  if (sameJson(recorded, recomputed)) return undefined;
  if (Array.isArray(recorded) && Array.isArray(recomputed)) {
    for (let i = 0; i < Math.max(recorded.length, recomputed.length); i++) {
      const found = firstDifference(recorded[i], recomputed[i], `${pointer}/${i}`);
      if (found) return found;
    }
    return undefined;
  }
  if (stringifyJson(recorded) === stringifyJson(recomputed)) return undefined;
  if (recorded && recomputed && typeof recorded === 'object' && typeof recomputed === 'object' && !Array.isArray(recorded) && !Array.isArray(recomputed)) {
    const keys = [...new Set([...Object.keys(recorded), ...Object.keys(recomputed)])];
    for (const key of keys) {
      const found = firstDifference((recorded as Record<string, unknown>)[key], (recomputed as Record<string, unknown>)[key], `${pointer}/${escapePointer(key)}`);
      if (found) return found;
    }
  }
  return { pointer, recorded, recomputed };
};

interface Difference { pointer: string; recorded: unknown; recomputed: unknown }

/**
 * firstDifference with a recomputed HistoryTable (a record's mean history), a batch of rows at a
 * time: never all of them as objects. The recorded history is rows, or a table when verify read a
 * long one as it parsed it.
 */
const firstDifferenceFromTable = (recorded: unknown, table: HistoryTable, pointer: string): Difference | undefined => {
  if (!Array.isArray(recorded) && !isHistoryTable(recorded)) return firstDifference(recorded, table.toJSON(), pointer);
  if (isHistoryTable(recorded) && recorded.sameRows(table)) return undefined;
  for (let start = 0; start < Math.max(recorded.length, table.length); start += HISTORY_BATCH_ROWS) {
    const found = firstDifference(recorded.slice(start, start + HISTORY_BATCH_ROWS), table.slice(start, start + HISTORY_BATCH_ROWS));
    if (found) return { ...found, pointer: shiftRowPointer(found.pointer, start, pointer) };
  }
  return undefined;
};

/**
 * Whether two JSON values are certainly the same: equal primitives, or arrays and plain objects of
 * them with the same keys in the same order. Then they stringify alike; anything else (a value
 * JSON writes differently, NaN, a toJSON) is left to firstDifference's comparison of their JSON.
 * Why: a record's history is 300,000 rows, and stringifying each twice was a third of its verify.
 */
const sameJson = (a: unknown, b: unknown): boolean => {
  if (typeof a !== 'object' || a === null) return a === b && (typeof a !== 'number' || Number.isFinite(a));
  if (typeof b !== 'object' || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const keys = Object.keys(a);
  const other = Object.keys(b);
  if (keys.length !== other.length) return false;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== other[i] || !sameJson((a as Record<string, unknown>)[keys[i]], (b as Record<string, unknown>)[keys[i]])) return false;
  }
  return true;
};

const shown = (value: unknown): string => (value === undefined ? 'absent' : JSON.stringify(value));

/** A member as the record lists it, checked against its run: present, verified, with the recorded seal. */
const checkMember = async (root: string, experiment: string, member: ExperimentRecord['members'][number], file: string, index: number, verify: RunVerifier): Promise<{ data?: MemberData; problems: Violation[] }> => {
  const at = `/members/${index}`;
  const dir = join(root, RUNS_DIR, member.tag);
  if (member.seal === null) return { data: { member, demo: false }, problems: [] }; // a missing trial may have run since: a later version records it
  if (!existsSync(dir)) return { problems: [{ file, pointer: at, message: `member run ${RUNS_DIR}/${member.tag} does not exist (removed?)` }] };
  const { verification, documents } = await verifyWithDocuments(verify, root, dir);
  if (!verification.ok) {
    return { problems: [{ file, pointer: at, message: `member run ${member.tag} fails verification: ${formatViolation(verification.problems[0])}` }] };
  }
  try {
    const data = memberOfVerifiedRun(experiment, member, documents);
    if (data.member.seal !== member.seal) {
      return { problems: [{ file, pointer: `${at}/seal`, message: `member run ${member.tag} has seal ${data.member.seal?.slice(0, 12)}…, not the recorded ${member.seal.slice(0, 12)}… (re-sealed since?)` }] };
    }
    const difference = firstDifference(member, data.member);
    if (difference) return { problems: [{ file, pointer: `${at}${difference.pointer}`, message: `${shown(difference.recorded)} but member run ${member.tag} says ${shown(difference.recomputed)}` }] };
    return { data, problems: [] };
  } catch (error) {
    if (!isUserError(error)) throw error;
    return { problems: [{ file, pointer: at, message: error.message.split('\n')[0] }] };
  }
};

/**
 * The experiment-record checks of `verify` (the run itself already verified): experiment.json valid;
 * every member run exists, passes verify and still has the recorded seal; and every statistic,
 * result, definition and the uncertainty section recompute, from the members' analysis.json, to
 * exactly what the record holds (a record edited and re-sealed is caught here).
 */
export const experimentRecordViolations = async (
  root: string,
  runDir: string,
  tag: string,
  documents: { experimentBytes: Buffer; summary: RunSummary; analysis: AnalysisDocument },
  verify: RunVerifier,
): Promise<Violation[]> => {
  const file = `${runDir}/${EXPERIMENT_FILE}`;
  let record: ExperimentRecord;
  try {
    record = parseJson<ExperimentRecord>(documents.experimentBytes.toString('utf8'), file);
  } catch (error) {
    return [{ file, pointer: '', message: (error as Error).message.replace(`${file}: `, '') }];
  }
  const invalid = schemaViolations('experiment', record, file);
  if (invalid.length > 0) return invalid;
  let expectedTag: string | undefined;
  try {
    expectedTag = recordTag(record.name, record.version);
  } catch {
    expectedTag = undefined;
  }
  if (expectedTag !== tag) return [{ file, pointer: '/version', message: `experiment ${record.name} version ${record.version} belongs in ${RUNS_DIR}/${expectedTag ?? '?'}, not ${runDir}` }];

  const checked: Array<{ data?: MemberData; problems: Violation[] }> = new Array(record.members.length);
  await forEachRunDir(record.members.map((member) => join(root, RUNS_DIR, member.tag)), async (index) => {
    checked[index] = await checkMember(root, record.name, record.members[index], file, index, verify);
  });
  const problems = checked.flatMap((c) => c.problems);
  if (problems.length > 0) return problems;

  let recomputed: ReturnType<typeof recordDocuments>;
  try {
    recomputed = recordDocuments({
      name: record.name,
      tag,
      version: record.version,
      previousVersion: record.previous_version ?? null,
      planSha256: record.plan_sha256,
      members: checked.map((c) => c.data!),
      variants: record.variants,
    });
  } catch (error) {
    if (!isUserError(error)) throw error;
    return [{ file, pointer: '', message: error.message.split('\n')[0] }];
  }
  const comparisons: Array<[string, string, unknown, unknown]> = [
    [file, '/statistics', record.statistics, recomputed.experiment.statistics],
    [file, '/uncertainty', record.uncertainty, recomputed.experiment.uncertainty],
    [file, '/primary_metric', record.primary_metric, recomputed.experiment.primary_metric],
    [`${runDir}/analysis.json`, '/results', documents.analysis.results, recomputed.analysis.results],
    [`${runDir}/analysis.json`, '/history', documents.analysis.history, recomputed.analysis.history],
    [`${runDir}/analysis.json`, '/uncertainty', documents.analysis.uncertainty, recomputed.analysis.uncertainty],
    [`${runDir}/summary.json`, '/metrics', documents.summary.metrics, recomputed.summary.metrics],
    [`${runDir}/summary.json`, '/metric_definitions', documents.summary.metric_definitions, recomputed.summary.metric_definitions],
  ];
  for (const [where, pointer, recorded, expected] of comparisons) {
    const difference = firstDifference(recorded, expected);
    if (!difference) continue;
    problems.push({ file: where, pointer: `${pointer}${difference.pointer}`, message: `${shown(difference.recorded)} does not recompute from the member runs (they give ${shown(difference.recomputed)})` });
  }
  return problems;
};
