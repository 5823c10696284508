import type { RunManifest } from '../contract/generated/manifest.js';

/** manifest.json `parent`: the run this one resumed from. */
export type ParentLink = NonNullable<RunManifest['parent']>;

/** The checkpoint files a run holds (manifest outputs with role "checkpoint"). */
export const checkpointOutputs = (manifest: Pick<RunManifest, 'outputs'>): RunManifest['outputs'] =>
  manifest.outputs.filter((output) => output.role === 'checkpoint');

/**
 * What is wrong with a parent link, given the parent's manifest (already verified by the caller):
 * its seal must be the one recorded, and it must hold a checkpoint file with the recorded sha256.
 */
export const parentLinkProblems = (link: ParentLink, parent: Pick<RunManifest, 'outputs' | 'seal'>): string[] => [
  ...(parent.seal.digest === link.seal ? [] : [`run ${link.tag} has seal ${parent.seal.digest.slice(0, 12)}…, not the recorded ${link.seal.slice(0, 12)}… (re-sealed or replaced?)`]),
  ...(checkpointOutputs(parent).some((output) => output.sha256 === link.checkpoint_sha256)
    ? []
    : [`run ${link.tag} holds no checkpoint with sha256 ${link.checkpoint_sha256.slice(0, 12)}… (the checkpoint this run resumed from)`]),
];
