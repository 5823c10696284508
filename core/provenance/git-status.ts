/** The working-tree state `git status` reports, split the way the record needs it. */
export interface WorkingTreeStatus {
  /** Tracked paths with staged or unstaged changes (renames count once, by their new path). */
  changed: string[];
  /** Those of `changed` whose working-tree file differs from the index (Y column not blank). */
  unstaged: string[];
  /** Untracked, not-ignored paths; a nested repository shows as one entry ending in '/'. */
  untracked: string[];
}

/**
 * Parse `git status --porcelain=v1 -z [--branch]`: entries "XY path" separated by NUL, after a
 * "## branch" header with --branch. A rename or copy (X or Y is R/C) is followed by one more
 * field, the original path. -z because it prints paths verbatim (no quoting of odd names).
 */
export const parsePorcelainStatus = (output: string): WorkingTreeStatus => {
  const fields = output.split('\0');
  const changed: string[] = [];
  const unstaged: string[] = [];
  const untracked: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i];
    if (entry.length < 4) continue; // the empty field after the last NUL
    const xy = entry.slice(0, 2);
    if (xy === '##') continue; // the --branch header
    const path = entry.slice(3);
    if (xy === '??') untracked.push(path);
    else if (xy !== '!!') {
      changed.push(path);
      if (xy[1] !== ' ') unstaged.push(path);
    }
    if (/[RC]/.test(xy)) i++; // skip the original path of a rename/copy
  }
  return { changed, unstaged, untracked: untracked.sort() };
};
