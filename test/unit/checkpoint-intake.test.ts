import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, linkSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyHashing, finishMove, intakeCheckpoint } from '../../core/run/checkpoint-intake.js';
import { parseReadBytes, storageReadBytes } from '../../core/run/storage-reads.js';
import { requirePart } from '../helpers/requirement.js';

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

  it("move-or-copy (a sweep trial's {out}): a file of one name is linked; a symlink or a file with another name is copied and stays", async () => {
    const bytes = randomFillSync(Buffer.alloc(MiB));
    const intake = (from: string, to: string) => intakeCheckpoint({ from, to: join(dir, to), given: from, mode: 'move-or-copy' });
    const sole = join(dir, 'sole.pt');
    writeFileSync(sole, bytes);
    const moved = await intake(sole, 'moved/best.pt');
    assert.deepEqual(moved, { sha256: sha256sum(sole), bytes: MiB, linked: true });
    assert.equal(lstatSync(join(dir, 'moved/best.pt')).ino, lstatSync(sole).ino, 'a hard link: nothing copied');
    await finishMove(sole);
    assert.equal(existsSync(sole), false);

    const users = join(dir, 'users.pt');
    writeFileSync(users, bytes);
    symlinkSync(users, join(dir, 'symlink.pt'));
    linkSync(users, join(dir, 'second-name.pt'));
    for (const name of ['symlink.pt', 'second-name.pt']) {
      const copied = await intake(join(dir, name), `copied-${name}`);
      assert.deepEqual(copied, { sha256: sha256sum(users), bytes: MiB, linked: false }, name);
      assert.notEqual(statSync(join(dir, `copied-${name}`)).ino, statSync(users).ino, `${name}: a copy, not the user's inode`);
      assert.ok(existsSync(join(dir, name)));
    }
  });

  it('move-or-copy across filesystems: copied (EXDEV), and the file stays', async function () {
    const shm = '/dev/shm';
    requirePart(this, existsSync(shm) && statSync(shm).dev !== statSync(dir).dev, `${shm} is not a filesystem of its own here`);
    const from = mkdtempSync(join(shm, 'dl-lab-intake-'));
    try {
      writeFileSync(join(from, 'best.pt'), 'weights');
      const result = await intakeCheckpoint({ from: join(from, 'best.pt'), to: join(dir, 'across/best.pt'), given: 'best.pt', mode: 'move-or-copy' });
      assert.deepEqual(result, { sha256: sha256sum(join(from, 'best.pt')), bytes: 7, linked: false });
      assert.equal(readFileSync(join(dir, 'across/best.pt'), 'utf8'), 'weights');
      assert.equal(readFileSync(join(from, 'best.pt'), 'utf8'), 'weights');
    } finally {
      rmSync(from, { recursive: true, force: true });
    }
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
