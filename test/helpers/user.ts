import { spawnSync } from 'node:child_process';

export interface User { name: string; uid: number; gid: number }

/**
 * The user tests run people's commands as: none when the tests themselves are not root (they run
 * as that user already); as root, uid 1000 (yo refuses root, and a researcher is not root), or
 * undefined when there is no such user.
 */
export const nonRootUser = (): User | undefined => {
  if (process.getuid?.() !== 0) return undefined;
  const entry = spawnSync('getent', ['passwd', '1000'], { encoding: 'utf8' }).stdout.trim();
  if (!entry) return undefined;
  const [name, , uid, gid] = entry.split(':');
  return { name, uid: Number(uid), gid: Number(gid) };
};

/** As root without a uid-1000 user there is nobody to run a user's commands as. */
export const canRunAsUser = (user: User | undefined): boolean => process.getuid?.() !== 0 || user !== undefined;

/** spawn options that run a child as `user` (nothing when the tests are not root). */
export const asUser = (user: User | undefined): { uid?: number; gid?: number } => (user ? { uid: user.uid, gid: user.gid } : {});
