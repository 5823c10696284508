import { join } from 'node:path';

/** Where a sweep keeps its inputs and scratch: `artifacts/experiments/<NAME>/` (paths relative to the project root). */
export const EXPERIMENTS_DIR = 'artifacts/experiments';

export const experimentDir = (name: string): string => `${EXPERIMENTS_DIR}/${name}`;
export const planPath = (name: string): string => `${experimentDir(name)}/plan.json`;
/** The config a trial runs with: the base config, the variant's overrides and the trial's seed (`{config}`). */
export const trialConfigPath = (name: string, tag: string): string => `${experimentDir(name)}/configs/${tag}.json`;
/** The empty folder a command trial writes into (`{out}`); its metrics.json is what gets sealed. */
export const trialOutDir = (name: string, tag: string): string => `${experimentDir(name)}/out/${tag}`;
/** stdout and stderr of a command trial. */
export const trialLogPath = (name: string, tag: string): string => `${experimentDir(name)}/logs/${tag}.log`;
export const slurmScriptPath = (name: string, which: 'trials' | 'aggregate'): string => `${experimentDir(name)}/slurm-${which}.sbatch`;

export const absolute = (root: string, path: string): string => join(root, ...path.split('/'));
