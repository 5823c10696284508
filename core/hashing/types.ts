/** What hashing a file yields: the lowercase hex sha256 of its bytes and how many bytes were read. */
export interface FileDigest {
  sha256: string;
  bytes: number;
}

/**
 * The stat fields that identify one version of a file for the hash cache (see hash-cache.ts).
 * Kept as bigint because `stat(..., { bigint: true })` is the only way to get nanosecond mtimes
 * and 64-bit inode numbers without rounding.
 */
export interface FileIdentity {
  size: bigint;
  mtimeNs: bigint;
  ino: bigint;
}

/** A digest plus the identity of the exact file version that was read (taken on the open descriptor). */
export interface IdentifiedDigest extends FileDigest {
  identity: FileIdentity;
}
