/** File names inside a run directory (artifacts/runs/<tag>/). */
export const MANIFEST = 'manifest.json';
export const SUMMARY = 'summary.json';
export const ANALYSIS = 'analysis.json';
export const CHECKPOINT_RECORD = 'checkpoints/best.json';
export const CODE_PATCH = 'code.patch';

/** A run file's path relative to the root its manifest's paths are relative to. */
export const runFilePath = (runDir: string, name: string): string => (runDir === '.' ? name : `${runDir}/${name}`);
