import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { planDemo, type DemoPlan } from '../commands/demo.js';
import { requireDocs, resolveRun, type LoadedRun, type RunDocs } from '../compare/run-record.js';
import type { ExperimentConfig } from '../config.js';
import type { ExperimentRecord } from '../contract/generated/experiment.js';
import type { RunManifest } from '../contract/generated/manifest.js';
import { formatViolation } from '../contract/validate.js';
import { UserError } from '../errors.js';
import { EXPERIMENT_FILE } from '../experiments/versions.js';
import { parseJson } from '../json-file.js';
import { sha256File } from '../hashing/sha256-file.js';
import { RUNS_DIR, findProjectRoot, validateTag } from '../project.js';

/**
 * What dl-lab can re-execute: its own demo. A run sealed by `dl-lab run` trained outside dl-lab
 * ('external'), or is a wiring run whose numbers are placeholders ('wiring'): neither can be re-run.
 * An experiment record (`dl-lab aggregate`, 'experiment') trained nothing itself: its members are
 * reproduced one by one.
 */
export type ReproduceKind = 'demo' | 'external' | 'wiring' | 'experiment';

/** The recorded config file against its current bytes (the reproduction never reads it: it uses the recorded hyperparameters). */
export interface ConfigCheck {
  path: string | null;
  recorded_sha256: string;
  current_sha256: string | null;
  /** 'not checked': the path is relative to a project the run does not record, and reproduce runs outside any project. */
  status: 'unchanged' | 'changed' | 'missing' | 'built-in defaults' | 'not checked';
}

export interface ReproducePlan {
  source: LoadedRun;
  docs: RunDocs;
  kind: ReproduceKind;
  config: ConfigCheck;
  /** Only for kind 'demo': where the new run goes and its (recorded) settings. */
  demo: DemoPlan | undefined;
  /** Only for kind 'experiment': its experiment.json (members, statistics). */
  experiment?: ExperimentRecord;
}

export interface ReproduceOptions {
  cwd: string;
  /** The run to reproduce: a tag of the enclosing project or a run folder. */
  source: string;
  /** `--as`: the new run's tag (default: the first free `<TAG>-repro`, `<TAG>-repro2`, …). */
  as?: string;
  /** `--out-dir`: write the new run there instead of artifacts/runs/<NEW_TAG>/ (needed outside a project). */
  outDir?: string;
  command: string[];
}

export const kindOf = (docs: RunDocs): ReproduceKind => {
  const subcommand = docs.manifest.generator.subcommand;
  if (subcommand === 'aggregate') return 'experiment';
  if (subcommand === 'demo' || (subcommand === undefined && docs.checkpointRecord.format === 'dl-lab-mlp/v1')) return 'demo';
  return docs.manifest.demo ? 'wiring' : 'external';
};

/** `root`: the folder the recorded path is relative to; undefined when that is not known (see configRoot). */
export const checkConfig = async (root: string | undefined, config: RunManifest['config']): Promise<ConfigCheck> => {
  const base = { path: config.path, recorded_sha256: config.sha256 };
  if (config.path === null) return { ...base, current_sha256: null, status: 'built-in defaults' };
  if (root === undefined) return { ...base, current_sha256: null, status: 'not checked' };
  const absolute = resolve(root, config.path);
  if (!existsSync(absolute)) return { ...base, current_sha256: null, status: 'missing' };
  const { sha256 } = await sha256File(absolute);
  return { ...base, current_sha256: sha256, status: sha256 === config.sha256 ? 'unchanged' : 'changed' };
};

/**
 * The folder a run's config path is relative to. A run written with `--out-dir` outside a project
 * is its own root (run_dir '.'), but the config it read (configs/default.json) was the project's,
 * and the manifest records no project root: resolving against the run folder reported a config
 * that is there as gone. The project reproduce runs in is where the user made the run from (its
 * git state is that project's too); outside any project nothing says where the file was.
 */
const configRoot = (source: LoadedRun, docs: RunDocs, cwd: string): string | undefined => {
  const { path } = docs.manifest.config;
  if (docs.manifest.run_dir !== '.' || path === null || isAbsolute(path)) return source.root;
  return findProjectRoot(cwd);
};

const MAX_TAG_LENGTH = 128;

/** `<tag><suffix>`, shortened so the result is still a valid tag. */
const suffixed = (tag: string, suffix: string): string => `${tag.slice(0, MAX_TAG_LENGTH - suffix.length)}${suffix}`;

/** The first of `<tag>-repro`, `<tag>-repro2`, … not yet taken in the project (a tag is never reused). */
const freeReproTag = (projectRoot: string | undefined, tag: string): string => {
  for (let n = 1; ; n++) {
    const candidate = suffixed(tag, n === 1 ? '-repro' : `-repro${n}`);
    if (!projectRoot || !existsSync(join(projectRoot, RUNS_DIR, candidate))) return candidate;
  }
};

/** The recorded command-line overrides (they are already part of the hyperparameters; passing them again keeps the manifest's config block identical). */
const recordedOverrides = (config: RunManifest['config']): Pick<Parameters<typeof planDemo>[0], 'seed' | 'epochs' | 'lr' | 'hidden'> => {
  const overrides = (config.overrides ?? {}) as Record<string, unknown>;
  const pick = (key: string): number | undefined => (typeof overrides[key] === 'number' ? (overrides[key] as number) : undefined);
  return { seed: pick('seed'), epochs: pick('epochs'), lr: pick('lr'), hidden: pick('hidden') };
};

/**
 * Everything `reproduce` checks before running anything: the source run exists and verifies, what
 * kind of run it is, whether its config file changed, and (for a demo run) where the new run goes.
 */
export const planReproduce = async (options: ReproduceOptions): Promise<ReproducePlan> => {
  const source = await resolveRun(options.cwd, options.source, 'TAG');
  if (!source.verification.ok) {
    throw new UserError(`run ${source.tag} fails verification: reproduce refuses a run whose record is not as sealed (tampered or damaged)`, {
      file: source.verification.problems[0]?.file ?? source.verification.runDir,
      field: 'TAG',
      details: source.verification.problems.map(formatViolation),
    });
  }
  const docs = requireDocs(source, 'TAG');
  const kind = kindOf(docs);
  const config = await checkConfig(configRoot(source, docs, options.cwd), docs.manifest.config);
  if (options.as !== undefined) validateTag(options.as, '--as');
  if (kind === 'experiment') {
    if (options.as !== undefined || options.outDir !== undefined) {
      throw new UserError(`${options.as !== undefined ? '--as' : '--out-dir'}: ${docs.manifest.tag} is an experiment record, reproduced member by member, each into <member>-repro; the option names one run`, { field: options.as !== undefined ? '--as' : '--out-dir' });
    }
    const experiment = parseJson<ExperimentRecord>(await readFile(join(source.verification.runDir, EXPERIMENT_FILE), 'utf8'), `${docs.manifest.tag}/${EXPERIMENT_FILE}`);
    return { source, docs, kind, config, demo: undefined, experiment };
  }
  if (kind !== 'demo') return { source, docs, kind, config, demo: undefined };

  const projectRoot = findProjectRoot(options.outDir ? resolve(options.cwd, options.outDir) : options.cwd);
  if (!options.outDir && !projectRoot) {
    throw new UserError('not inside a dl-lab project: reproduce writes the new run into artifacts/runs/<NEW_TAG>/; outside a project pass --out-dir <folder>', { field: '--out-dir' });
  }
  const demo = await planDemo({
    cwd: options.cwd,
    tag: options.as ?? freeReproTag(projectRoot, docs.manifest.tag),
    ...(options.outDir ? { outDir: options.outDir } : {}),
    ...recordedOverrides(docs.manifest.config),
    // The recorded effective config, never the config file as it is now (it may have changed since).
    effectiveConfig: {
      config: docs.manifest.hyperparameters as ExperimentConfig,
      path: docs.manifest.config.path,
      sha256: docs.manifest.config.sha256,
    },
    command: options.command,
  });
  return { source, docs, kind, config, demo };
};
