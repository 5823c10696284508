import { readFile } from 'node:fs/promises';

/**
 * Bytes this process has had read from storage so far (Linux's `/proc/self/io` `read_bytes`: the
 * reads that missed the page cache, every thread counted), or undefined where the kernel does not
 * say (macOS, Windows, a kernel without I/O accounting). Over an interval it tells whether a copy's
 * source is coming from the page cache (~0 bytes) or from the disk.
 */
export const storageReadBytes = async (): Promise<number | undefined> => {
  try {
    return parseReadBytes(await readFile('/proc/self/io', 'latin1'));
  } catch {
    return undefined;
  }
};

/** The `read_bytes:` field of a `/proc/<pid>/io` text, or undefined when it has none. */
export const parseReadBytes = (text: string): number | undefined => {
  const match = /^read_bytes:\s*(\d+)$/m.exec(text);
  return match ? Number(match[1]) : undefined;
};
