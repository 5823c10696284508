import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentRecord } from '../contract/generated/experiment.js';
import { UserError } from '../errors.js';
import { parseJson } from '../json-file.js';
import { RUNS_DIR, validateTag } from '../project.js';

/** The file of an experiment record that says it is one (schemas/experiment.schema.json). */
export const EXPERIMENT_FILE = 'experiment.json';

/** Version 1 is `artifacts/runs/<NAME>/`; a re-aggregation writes `<NAME>.v2`, `<NAME>.v3`, … */
export const recordTag = (name: string, version: number): string => validateTag(version === 1 ? name : `${name}.v${version}`, 'NAME');

export interface RecordVersion { tag: string; version: number; record: ExperimentRecord }

/** Whether a run folder is an experiment record (it has experiment.json). */
export const isExperimentRecord = (root: string, tag: string): boolean => existsSync(join(root, RUNS_DIR, tag, EXPERIMENT_FILE));

export const readExperimentRecord = (root: string, tag: string): ExperimentRecord => {
  const label = `${RUNS_DIR}/${tag}/${EXPERIMENT_FILE}`;
  return parseJson<ExperimentRecord>(readFileSync(join(root, RUNS_DIR, tag, EXPERIMENT_FILE), 'utf8'), label);
};

/**
 * Every record version of an experiment already written, oldest first. A plain run holding the
 * experiment's name is refused: the name is taken.
 */
export const existingRecordVersions = (root: string, name: string): RecordVersion[] => {
  const versions: RecordVersion[] = [];
  for (let version = 1; ; version++) {
    const tag = recordTag(name, version);
    if (!existsSync(join(root, RUNS_DIR, tag))) return versions;
    if (!isExperimentRecord(root, tag)) {
      throw new UserError(`${RUNS_DIR}/${tag} is a run, not a record of experiment ${name}: choose another NAME`, { file: `${RUNS_DIR}/${tag}`, field: 'NAME' });
    }
    versions.push({ tag, version, record: readExperimentRecord(root, tag) });
  }
};
