import { statSync } from 'node:fs';
import { join } from 'node:path';
import { forEachBounded } from '../bounded-pool.js';
import { collectGarbage } from '../collect-garbage.js';
import { ANALYSIS } from './paths.js';

/**
 * How many runs are read at once: run files are small and many, so a few dozen runs in flight keep
 * both cores and the disk busy; but with at most `budget` bytes of analysis.json among them (the
 * document that grows with a per-step history), so long-history runs are read one at a time
 * (bounded-pool.ts).
 */
const RUN_READ_LIMITS = { concurrency: 32, budget: 32 * 1024 * 1024 };

/** The bytes of a run folder's analysis.json that reading the run holds (0 if there is none to stat). */
const analysisBytes = (runDirAbs: string): number => {
  try {
    return statSync(join(runDirAbs, ANALYSIS)).size;
  } catch {
    return 0;
  }
};

/** A run whose analysis.json is this large leaves tens of MB of garbage once read: collected before the next is read (collect-garbage.ts). */
const COLLECT_AFTER_BYTES = 8 * 1024 * 1024;

/** `task(index)` for each run folder of `runDirs` (absolute paths), as many at once as RUN_READ_LIMITS allows. */
export const forEachRunDir = (runDirs: readonly string[], task: (index: number) => Promise<void>): Promise<void> => {
  const weights = runDirs.map(analysisBytes);
  return forEachBounded(runDirs.length, { ...RUN_READ_LIMITS, weight: (index) => weights[index] }, async (index) => {
    await task(index);
    if (weights[index] >= COLLECT_AFTER_BYTES) collectGarbage();
  });
};
