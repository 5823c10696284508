/** File names inside a run directory (artifacts/runs/<tag>/). */
export const MANIFEST = 'manifest.json';
export const SUMMARY = 'summary.json';
export const ANALYSIS = 'analysis.json';
export const CHECKPOINT_RECORD = 'checkpoints/best.json';
export const CODE_PATCH = 'code.patch';
/**
 * `sha256sum` lines of every file of the run including manifest.json, paths relative to the run
 * directory: `cd artifacts/runs/<TAG> && sha256sum -c SHA256SUMS` checks a run with no dl-lab at
 * all, and it covers the manifest itself, which the seal (inside the manifest) cannot.
 */
export const SHA256SUMS = 'SHA256SUMS';
/** Prefix of the folder a run is built in before its atomic rename into place. */
export const STAGING_PREFIX = '.staging-';

/** A run file's path relative to the root its manifest's paths are relative to. */
export const runFilePath = (runDir: string, name: string): string => (runDir === '.' ? name : `${runDir}/${name}`);
