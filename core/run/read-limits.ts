import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYSIS } from './paths.js';

/**
 * How many runs are read at once: run files are small and many, so a few dozen runs in flight keep
 * both cores and the disk busy; but with at most `budget` bytes of analysis.json among them (the
 * document that grows with a per-step history), so long-history runs are read one at a time
 * (bounded-pool.ts).
 */
export const RUN_READ_LIMITS = { concurrency: 32, budget: 32 * 1024 * 1024 };

/** The bytes of a run folder's analysis.json that reading the run holds (0 if there is none to stat). */
export const analysisBytes = (runDirAbs: string): number => {
  try {
    return statSync(join(runDirAbs, ANALYSIS)).size;
  } catch {
    return 0;
  }
};
