import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `file` so readers see either the old or the new content, never a torn write: write a
 * temp file in the same directory (rename is only atomic within one file system), fsync it so a
 * crash cannot leave the new name pointing at unwritten blocks, then rename over the target.
 * The temp name is unique per process and call, so concurrent writers never share one.
 *
 * `data` may also be pieces one after the other, e.g. made by a generator as they are written (a
 * large page never has to exist as one string or buffer); each is written before the next is asked
 * for, so a generator may hand out views of one reused buffer.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array | Iterable<string | Uint8Array>): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
      else for (const part of data) await handle.writeFile(part);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
