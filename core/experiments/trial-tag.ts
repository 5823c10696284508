import { validateTag } from '../project.js';

/** A trial's run tag: `<NAME>-<variant>-s<seed>` (e.g. `abl-lr0.1-s3`); checked like any tag. */
export const trialTag = (name: string, variant: string, seed: number): string =>
  validateTag(`${name}-${variant}-s${seed}`, `trial tag (NAME-variant-sSEED) of ${name}`);
