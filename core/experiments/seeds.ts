import { UserError } from '../errors.js';

/** The largest seed: the demo's PRNG and `--seed` take 32-bit unsigned integers. */
const MAX_SEED = 0xffffffff;
/** More trials than this from one `--seeds` is almost certainly a typo (0-10000000). */
const MAX_SEEDS = 10_000;

const seedNumber = (text: string, spec: string): number => {
  if (!/^\d+$/.test(text) || Number(text) > MAX_SEED) {
    throw new UserError(`--seeds ${JSON.stringify(spec)}: ${JSON.stringify(text)} is not a seed (an integer from 0 to ${MAX_SEED})`, { field: '--seeds' });
  }
  return Number(text);
};

/**
 * `--seeds`: a comma-separated list of seeds and inclusive ranges, e.g. `0-4`, `0,3,7`, `0-2,10`.
 * The order is kept (it is the order trials are planned in); a repeated seed is refused.
 */
export const parseSeeds = (spec: string): number[] => {
  const seeds: number[] = [];
  for (const item of spec.split(',').map((part) => part.trim())) {
    const range = /^(\d+)-(\d+)$/.exec(item);
    if (range) {
      const [low, high] = [seedNumber(range[1], spec), seedNumber(range[2], spec)];
      if (high < low) throw new UserError(`--seeds ${JSON.stringify(spec)}: range ${item} runs backwards`, { field: '--seeds' });
      if (high - low >= MAX_SEEDS) throw new UserError(`--seeds ${JSON.stringify(spec)}: range ${item} has more than ${MAX_SEEDS} seeds`, { field: '--seeds' });
      for (let seed = low; seed <= high; seed++) seeds.push(seed);
    } else seeds.push(seedNumber(item, spec));
  }
  const repeated = seeds.find((seed, index) => seeds.indexOf(seed) !== index);
  if (repeated !== undefined) throw new UserError(`--seeds ${JSON.stringify(spec)}: seed ${repeated} is given twice`, { field: '--seeds' });
  if (seeds.length > MAX_SEEDS) throw new UserError(`--seeds ${JSON.stringify(spec)}: more than ${MAX_SEEDS} seeds`, { field: '--seeds' });
  return seeds;
};
