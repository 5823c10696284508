import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyHashing } from '../../core/run/checkpoint-intake.js';
import { parseReadBytes, storageReadBytes } from '../../core/run/storage-reads.js';

const MiB = 1024 * 1024;
const sha256sum = (path: string): string => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0];

describe('checkpoint intake: the kernel copies, this thread hashes', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dl-lab-intake-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('copies a checkpoint from the page cache (the case flushed while it copies) byte for byte, with its sha256 and mode', async () => {
    // 96 MiB, just written: in the page cache. Whether a 20 ms flush tick falls inside its copy
    // depends on the machine; the bytes, digest and mode must not.
    const from = join(dir, 'big.pt');
    writeFileSync(from, randomFillSync(Buffer.alloc(96 * MiB)));
    const to = join(dir, 'copy.pt');
    const digest = await copyHashing(from, to);
    assert.deepEqual(digest, { sha256: sha256sum(from), bytes: 96 * MiB });
    assert.ok(readFileSync(to).equals(readFileSync(from)));
    assert.equal(statSync(to).mode & 0o777, statSync(from).mode & 0o777);
  });

  it('never copies onto an existing file: EEXIST, and that file keeps its bytes', async () => {
    const from = join(dir, 'small.pt');
    writeFileSync(from, 'checkpoint bytes');
    const to = join(dir, 'taken.pt');
    writeFileSync(to, 'somebody else');
    await assert.rejects(copyHashing(from, to), { code: 'EEXIST' });
    assert.equal(readFileSync(to, 'utf8'), 'somebody else');
  });

  it("reads read_bytes from a /proc/<pid>/io text, and this process's own count on Linux", async () => {
    const text = 'rchar: 2155904\nwchar: 1048576\nsyscr: 120\nsyscw: 16\nread_bytes: 8192\nwrite_bytes: 4096\ncancelled_write_bytes: 0\n';
    assert.equal(parseReadBytes(text), 8192);
    assert.equal(parseReadBytes('rchar: 1\nwchar: 2\n'), undefined);
    const own = await storageReadBytes();
    if (process.platform === 'linux') assert.ok(Number.isSafeInteger(own) && own! >= 0, String(own));
    else assert.equal(own, undefined);
  });
});
