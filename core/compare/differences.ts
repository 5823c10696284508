import type { RunManifest } from '../contract/generated/manifest.js';

/** One thing that differs between two runs; `a`/`b` are undefined when only one run has it. */
export interface Difference { section: 'hyperparameters' | 'config' | 'code' | 'data' | 'environment'; key: string; a: unknown; b: unknown }

type Leaves = Record<string, unknown>;

/** Nested objects as dotted keys (`training.lr`); arrays and scalars are leaves. */
export const flatten = (value: unknown, prefix = ''): Leaves => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix ? { [prefix]: value } : {};
  const out: Leaves = {};
  for (const [key, child] of Object.entries(value)) Object.assign(out, flatten(child, prefix ? `${prefix}.${key}` : key));
  return out;
};

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The leaves that differ, in A's key order then B's new keys. */
const diffLeaves = (section: Difference['section'], a: Leaves, b: Leaves): Difference[] =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => !same(a[key], b[key])).map((key) => ({ section, key, a: a[key], b: b[key] }));

/** The digest of the data a run actually used: a drifted registered dataset was used as it was found. */
export const effectiveDataDigest = (entry: RunManifest['data'][number]): string =>
  'drift' in entry && entry.drift ? entry.drift.current_digest : entry.sha256;

export const dataDigests = (manifest: RunManifest): Record<string, string> =>
  Object.fromEntries(manifest.data.map((entry) => [entry.name, effectiveDataDigest(entry)]));

const codeLeaves = (m: RunManifest): Leaves => {
  const git = m.code.git;
  return {
    'dl-lab version': m.generator.version,
    ...(git.available
      ? { commit: git.commit, branch: git.branch, dirty: git.dirty, 'patch sha256': m.code.patch?.sha256 ?? null }
      : { git: `unavailable: ${git.reason}` }),
  };
};

/** `name==version` lists as {name: version}, so a changed version is one difference, not two. */
const packageVersions = (packages: readonly string[]): Leaves =>
  Object.fromEntries(packages.map((line) => {
    const at = line.indexOf('==');
    return at < 0 ? [`python package ${line}`, '(any)'] : [`python package ${line.slice(0, at)}`, line.slice(at + 2)];
  }));

const environmentLeaves = (m: RunManifest): Leaves => {
  const env = m.environment;
  const python = env.python;
  const gpu = env.gpu;
  return {
    node: env.node,
    os: `${env.os.platform} ${env.os.release}`,
    arch: env.arch,
    'cpu model': env.cpu.model,
    hostname: env.hostname,
    ...(python.available ? { python: python.version, ...packageVersions(python.packages) } : { python: `unavailable: ${python.reason}` }),
    ...(gpu.available
      ? { 'gpu driver': gpu.driver, 'gpu cuda': gpu.cuda, gpus: gpu.gpus.map((device) => device.name).join(', ') || 'none' }
      : { gpus: `unavailable: ${gpu.reason}` }),
  };
};

/** Everything besides the numbers that differs between run A and run B: hyperparameters, config, code, data, environment. */
export const manifestDifferences = (a: RunManifest, b: RunManifest): Difference[] => [
  ...diffLeaves('hyperparameters', flatten(a.hyperparameters), flatten(b.hyperparameters)),
  ...diffLeaves('config', flatten(a.config), flatten(b.config)),
  ...diffLeaves('code', codeLeaves(a), codeLeaves(b)),
  ...diffLeaves('data', dataDigests(a), dataDigests(b)),
  ...diffLeaves('environment', environmentLeaves(a), environmentLeaves(b)),
];
