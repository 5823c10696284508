import { CONTRACT_VERSION } from '../contract/contract-version.js';
import type { RunManifest } from '../contract/generated/manifest.js';
import type { ExperimentConfig } from '../config.js';
import { GENERATOR_NAME } from '../project.js';
import { PACKAGE_VERSION } from '../version.js';
import { sealDigest, type OutputEntry } from './outputs.js';
import type { ParentLink } from './parent.js';

export type { RunManifest };

/** Everything the manifest says besides the outputs, gathered by the command that writes the run. */
export interface ManifestInputs {
  tag: string;
  demo: boolean;
  note?: string;
  subcommand: string;
  command: string[];
  runDir: string;
  createdAt: Date;
  code: { git: RunManifest['code']['git'] };
  environment: RunManifest['environment'];
  data: RunManifest['data'];
  config: RunManifest['config'];
  hyperparameters: ExperimentConfig;
  /** The run this one resumed from (contract 1.1). */
  parent?: ParentLink;
  /** The sweep trial this run is (`dl-lab sweep`), if it is one. */
  experiment?: RunManifest['experiment'];
}

export const buildManifest = (inputs: ManifestInputs, outputs: readonly OutputEntry[]): RunManifest => {
  const patch = outputs.find((o) => o.role === 'patch');
  return {
    schema_version: CONTRACT_VERSION,
    tag: inputs.tag,
    created_at: inputs.createdAt.toISOString(),
    demo: inputs.demo,
    ...(inputs.note === undefined ? {} : { note: inputs.note }),
    generator: { name: GENERATOR_NAME, version: PACKAGE_VERSION, subcommand: inputs.subcommand },
    command: inputs.command as RunManifest['command'],
    run_dir: inputs.runDir,
    code: { git: inputs.code.git, patch: patch ? { path: patch.path, sha256: patch.sha256, bytes: patch.bytes } : null },
    environment: inputs.environment,
    data: inputs.data,
    config: inputs.config,
    hyperparameters: inputs.hyperparameters,
    seed: inputs.hyperparameters.seed,
    outputs: outputs.map(({ path, sha256, bytes, role }) => ({ path, sha256, bytes, role })),
    seal: { algorithm: 'sha256-outputs-v1', digest: sealDigest(outputs) },
    paths_are_relative_to: 'project_root',
    ...(inputs.parent === undefined ? {} : { parent: inputs.parent }),
    ...(inputs.experiment === undefined ? {} : { experiment: inputs.experiment }),
  };
};
