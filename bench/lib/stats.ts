/** Timing helpers shared by the benchmarks: repeat, then report min/median/max. */
export interface Summary { min: number; median: number; max: number }

export const summarize = (samples: readonly number[]): Summary => {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
};

export const timeAsync = async (fn: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

export const repeat = async (times: number, fn: () => Promise<unknown>): Promise<Summary> => {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push(await timeAsync(fn));
  return summarize(samples);
};

export const fmt = (s: Summary, unit = 'ms'): string => `${s.min.toFixed(1)} / ${s.median.toFixed(1)} / ${s.max.toFixed(1)} ${unit}`;
