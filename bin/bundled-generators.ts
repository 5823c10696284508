/**
 * The sub-generators built into the bundled `dl-lab` launcher, by name, in `listSubcommands()`
 * order, each imported on first use (so `dl-lab run` never loads the demo's or the report's code).
 *
 * This file is a placeholder: `scripts/build.mjs` replaces it while it bundles `dist/bin/dl-lab.js`.
 * Unbundled (the tsc output, tsx) it is undefined and the launcher registers generator paths.
 */
export type GeneratorModuleLoader = () => Promise<{ default: unknown }>;

export const BUNDLED_GENERATORS: Readonly<Record<string, GeneratorModuleLoader>> | undefined = undefined;
