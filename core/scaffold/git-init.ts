import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';

export type GitInitOutcome = { initialized: true; commit: string } | { initialized: false; reason: string };

/**
 * `git init` + a first commit of the scaffold, so the first run already has a commit to record.
 * Uses the user's git identity; only when none is configured does it commit as "dl-lab" (and says so).
 */
export const initRepository = async (dir: string, message: string): Promise<GitInitOutcome> => {
  if (existsSync(join(dir, '.git'))) return { initialized: false, reason: 'already a git repository: left as it is (commit the scaffold yourself)' };
  const git = simpleGit({ baseDir: dir });
  try {
    await git.version();
  } catch {
    return { initialized: false, reason: 'git is not installed' };
  }
  await git.init();
  await git.add(['-A']);
  const email = (await git.raw(['config', '--get', 'user.email']).catch(() => '')).trim();
  const name = (await git.raw(['config', '--get', 'user.name']).catch(() => '')).trim();
  const identity = email && name ? [] : ['-c', `user.name=${name || 'dl-lab'}`, '-c', `user.email=${email || 'dl-lab@localhost'}`];
  await git.raw([...identity, 'commit', '-q', '-m', message]);
  const commit = (await git.revparse(['HEAD'])).trim();
  return { initialized: true, commit };
};
