/**
 * Calling an async task for many items with at most `concurrency` in flight and, where items differ
 * in how much memory a task holds, at most `budget` of their `weight` in flight.
 *
 * Why: verify and the report read runs a few dozen at a time, since run files are small and many
 * (10,000 runs are 60,000 files). A run logged every step has a 43 MB analysis.json that is
 * parsed into ~100 MB; 32 of them at once took 0.7–1.3 GB. With a budget, such runs go one at a
 * time (a task heavier than the whole budget runs alone) while small ones still go 32 at once.
 */
export interface PoolLimits {
  concurrency: number;
  /** How much of the budget item `index` holds while its task runs (e.g. bytes it will read whole). */
  weight?: (index: number) => number;
  budget?: number;
}

/** Runs `task(0)` … `task(count - 1)` within `limits`, in index order of start; resolves when all are done. */
export const forEachBounded = async (count: number, limits: PoolLimits, task: (index: number) => Promise<void>): Promise<void> => {
  const { concurrency, weight = () => 0, budget = Infinity } = limits;
  let next = 0;
  let held = 0;
  let running = 0;
  const waiting: Array<() => void> = [];
  const wake = (): void => {
    for (const resume of waiting.splice(0)) resume();
  };
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      const need = weight(index);
      // Wait while others hold the budget; alone, any task may run, however heavy.
      while (running > 0 && held + need > budget) await new Promise<void>((resume) => waiting.push(resume));
      held += need;
      running++;
      try {
        await task(index);
      } finally {
        held -= need;
        running--;
        wake();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
};
