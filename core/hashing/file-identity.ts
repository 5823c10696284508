import type { BigIntStats } from 'node:fs';
import { UserError } from '../errors.js';
import type { FileIdentity } from './types.js';

export const identityOf = (stat: BigIntStats): FileIdentity => ({ size: stat.size, mtimeNs: stat.mtimeNs, ino: stat.ino });

/**
 * The identity as the hash cache keys its entries: `<size> <mtime_ns> <inode>` in decimal. A
 * caller that already has these numbers as text (a dataset's find listing) looks files up by it
 * without a stat.
 */
export const identityKey = (identity: FileIdentity): string => `${identity.size} ${identity.mtimeNs} ${identity.ino}`;

/** The size field of an identity key. */
export const sizeOfKey = (key: string): bigint => BigInt(key.slice(0, key.indexOf(' ')));

export const sameIdentity = (a: FileIdentity, b: FileIdentity): boolean =>
  a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino;

/**
 * A hash is only meaningful if the file did not change while we read it: compare the descriptor's
 * stat before and after reading, and the byte count with the size. A writer appending or rewriting
 * the file mid-read would otherwise give a digest of bytes that never existed together on disk.
 */
export function assertStable(path: string, before: FileIdentity, after: FileIdentity, bytesRead: number): void {
  if (!sameIdentity(before, after) || BigInt(bytesRead) !== after.size) {
    throw new UserError(`${path} changed while it was being hashed; re-run once nothing is writing to it`, { file: path });
  }
}
