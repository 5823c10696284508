import { compareStrings } from './paper/runs.js';

/** Levenshtein distance, for "did you mean" on a mistyped key. */
const editDistance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
};

/**
 * The name the user most likely meant by `key` among `keys` (a prefix either way, or a few edits
 * away), for a "did you mean" in an error; undefined when none is close.
 */
export const suggestKey = (key: string, keys: readonly string[]): string | undefined => {
  const ranked = keys
    .filter((k) => k.startsWith(key) || key.startsWith(k) || editDistance(key, k) <= Math.max(2, Math.floor(key.length / 3)))
    .map((k) => ({ k, d: editDistance(key, k) }))
    .sort((a, b) => a.d - b.d || compareStrings(a.k, b.k));
  return ranked[0]?.k;
};
