import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { isUserError } from '../../core/errors.js';
import { HashCache } from '../../core/hashing/hash-cache.js';
import { hashFiles, POOL_MIN_BYTES } from '../../core/hashing/hash-files.js';
import { CHUNK_BYTES, sha256File } from '../../core/hashing/sha256-file.js';
import { hashOnThreads, planBatches } from '../../core/hashing/worker-pool.js';
import { readTextFile, sha256OfText } from '../../core/hashing/text-file.js';
import { hashOneHere, WORKER_SOURCE } from '../../core/hashing/worker-source.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const ABC_SHA256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const MiB = 1024 * 1024;

/** The reference implementation: coreutils, in another process. */
const sha256sum = (path: string): string => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0];

/**
 * Files younger than the cache's racy window (2 s) are hashed but deliberately not cached, so
 * cache tests age their files first. Whole milliseconds, so a later utimes can restore it exactly.
 */
const anHourAgo = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);
const setMtime = (path: string, mtime: Date): void => utimesSync(path, mtime, mtime);

describe('hashing', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dl-lab-hashing-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, content: string | Uint8Array): string => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    return path;
  };

  describe('sha256File', () => {
    it('matches the known vectors for "" and "abc"', async () => {
      assert.deepEqual(await sha256File(file('empty', '')), { sha256: EMPTY_SHA256, bytes: 0 });
      assert.deepEqual(await sha256File(file('abc', 'abc')), { sha256: ABC_SHA256, bytes: 3 });
    });

    it('matches sha256sum on a multi-MB file that does not end on a chunk boundary', async () => {
      const size = 2 * CHUNK_BYTES + 12_345; // exercises full, double-buffered and partial reads
      const path = file('multi-mb.bin', randomBytes(size));
      assert.deepEqual(await sha256File(path), { sha256: sha256sum(path), bytes: size });
    });

    it('refuses a directory with a UserError and reports a missing file as ENOENT', async () => {
      await assert.rejects(sha256File(dir), (error) => isUserError(error) && /not a regular file/.test(error.message));
      await assert.rejects(sha256File(join(dir, 'nope')), { code: 'ENOENT' });
    });
  });

  describe('readTextFile', () => {
    it('gives the sha256sum and size of the bytes, for ASCII, a BOM and characters of 2 to 4 bytes', () => {
      for (const [name, text] of [['ascii.json', '{"a": 1}\n'], ['bom.json', '\uFEFF{"a": 1}'], ['wide.json', `{"note": "${'üñ€😀'.repeat(5000)}"}`]]) {
        const path = file(name, text);
        assert.deepEqual(readTextFile(path), { text, bytes: statSync(path).size, sha256: sha256sum(path) }, name);
      }
    });

    it('digests bytes that are not UTF-8 as they are, not the U+FFFD they decode to (the same text as a real U+FFFD)', () => {
      const real = file('real.json', '{"note": "\uFFFD"}');
      const invalid = file('invalid.json', Buffer.from([...Buffer.from('{"note": "'), 0xff, ...Buffer.from('"}')]));
      assert.equal(readTextFile(real).text, readTextFile(invalid).text);
      assert.deepEqual(readTextFile(invalid), { text: '{"note": "\uFFFD"}', bytes: 13, sha256: sha256sum(invalid) });
      assert.deepEqual(readTextFile(real), { text: '{"note": "\uFFFD"}', bytes: 15, sha256: sha256sum(real) });
    });

    it('sha256OfText never splits a surrogate pair between pieces', () => {
      const text = `a${'😀'.repeat(7)}b€`;
      const expected = createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
      for (let piece = 1; piece <= text.length + 1; piece++) assert.equal(sha256OfText(text, piece), expected, `pieces of ${piece}`);
    });
  });

  describe('hashFiles', () => {
    // 50 files totalling ~55 MiB: above the size at which hashFiles starts the worker pool.
    let paths: string[];
    before(() => {
      paths = Array.from({ length: 50 }, (_, i) => file(`many/f${String(i).padStart(2, '0')}.bin`, randomBytes(i === 0 ? 0 : Math.floor(1.1 * MiB) + i * 997)));
    });

    it('equals per-file sha256File results, in input order, on the worker pool', async () => {
      assert.ok(paths.reduce((sum, path) => sum + BigInt(statSync(path).size), 0n) >= POOL_MIN_BYTES, 'enough data for the pool');
      const results = await hashFiles(paths);
      assert.deepEqual([...results.keys()], paths);
      for (const path of paths) assert.deepEqual(results.get(path), await sha256File(path));
    });

    it('gives the same results on this thread alone (concurrency 1) and for small jobs', async () => {
      const pooled = await hashFiles(paths);
      assert.deepEqual(await hashFiles(paths, { concurrency: 1 }), pooled);
      const small = paths.slice(0, 5); // ~4 MiB: below POOL_MIN_BYTES
      assert.deepEqual(await hashFiles(small), new Map(small.map((path) => [path, pooled.get(path)])));
    });

    it('reports its progress: once before reading, then after each file read (not after cache hits), up to the totals', async () => {
      const sizes = paths.map((path) => statSync(path).size);
      const totalBytes = sizes.reduce((sum, size) => sum + size, 0);
      const seen: { files: number; bytes: number; totalFiles: number; totalBytes: number }[] = [];
      await hashFiles(paths, { onProgress: (progress) => seen.push(progress) });
      assert.equal(seen.length, paths.length + 1);
      assert.deepEqual(seen[0], { files: 0, bytes: 0, totalFiles: paths.length, totalBytes });
      assert.deepEqual(seen.at(-1), { files: paths.length, bytes: totalBytes, totalFiles: paths.length, totalBytes });
      assert.ok(seen.every((progress, i) => i === 0 || (progress.files === seen[i - 1].files + 1 && progress.bytes >= seen[i - 1].bytes)), 'one file more each time');

      // Cached files are not read, so they are not in the totals.
      const old = anHourAgo();
      for (const path of paths.slice(0, 10)) setMtime(path, old);
      const cache = HashCache.inMemory();
      await hashFiles(paths.slice(0, 10), { cache });
      const again: { totalFiles: number }[] = [];
      await hashFiles(paths.slice(0, 12), { cache, onProgress: (progress) => again.push(progress) });
      assert.deepEqual(again.map((progress) => progress.totalFiles), [2, 2, 2]);
    });

    it('hashes duplicates once and needs absolute paths', async () => {
      const results = await hashFiles([paths[1], paths[2], paths[1]]);
      assert.deepEqual([...results.keys()], [paths[1], paths[2]]);
      await assert.rejects(hashFiles(['relative/path']), TypeError);
    });

    it('rejects when a file is missing', async () => {
      await assert.rejects(hashFiles([...paths, join(dir, 'missing.bin')]), { code: 'ENOENT' });
    });

    it('this thread and a worker hash small jobs too and report unreadable files', async () => {
      const jobs = paths.slice(0, 5).map((path) => ({ path, size: BigInt(statSync(path).size) }));
      const results = new Map<string, { sha256: string }>();
      await hashOnThreads(jobs, 2, (k, digest) => results.set(jobs[k].path, digest));
      for (const { path } of jobs) assert.equal(results.get(path)?.sha256, sha256sum(path));
      await assert.rejects(hashOnThreads([{ path: dir, size: 0n }], 1, () => undefined), (error) => isUserError(error));
      await assert.rejects(hashOnThreads([{ path: join(dir, 'missing'), size: 0n }], 1, () => undefined), { code: 'ENOENT' });
    });

    it('a worker answers a batch in order, with the same digests as this thread and errors as data', async () => {
      // Which thread takes which batch depends on timing, so the worker's side is driven directly.
      const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { chunkBytes: 1024 } });
      try {
        const batch = [paths[3], dir, join(dir, 'missing'), paths[0]];
        worker.postMessage({ id: 7, paths: batch });
        const [answer] = (await once(worker, 'message')) as [{ id: number; results: Array<Record<string, any>> }];
        assert.equal(answer.id, 7);
        assert.equal(answer.results[0].sha256, sha256sum(paths[3]));
        assert.equal(answer.results[0].bytes, statSync(paths[3]).size); // read in 1 KiB chunks
        assert.deepEqual(answer.results[1].error, { message: `${dir} is not a regular file`, code: 'ENOTREGULAR', path: dir });
        assert.equal(answer.results[2].error.code, 'ENOENT');
        assert.equal(answer.results[3].sha256, sha256sum(paths[0])); // the empty file
        const here = hashOneHere();
        const buffer = Buffer.alloc(1024);
        assert.deepEqual(answer.results, batch.map((path) => here(path, buffer)));
      } finally {
        await worker.terminate();
      }
    });

    it('schedules the largest files first and batches the small ones', () => {
      const jobs = [
        { path: 'small', size: 10n },
        { path: 'huge', size: 100n * BigInt(MiB) },
        { path: 'tiny', size: 1n },
      ];
      assert.deepEqual(planBatches(jobs).map((batch) => batch.map((k) => jobs[k].path)), [['huge'], ['small', 'tiny']]);
    });

    it('works from bundled JavaScript under plain node (no tsx), as it ships in dist/', async function () {
      this.timeout(30_000);
      // The worker is eval'd source, so it must not depend on the TypeScript loader the tests use.
      const entry = join(dir, 'entry.ts');
      const root = fileURLToPath(new URL('../../', import.meta.url));
      writeFileSync(
        entry,
        `import { hashFiles } from ${JSON.stringify(join(root, 'core/hashing/hash-files.ts'))};\n` +
          `const r = await hashFiles(JSON.parse(process.argv[2]), { concurrency: 2 });\n` +
          `console.log(JSON.stringify([...r.values()].map((d) => d.sha256)));\n`,
      );
      const bundle = join(dir, 'bundle.mjs');
      await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' });
      const out = execFileSync(process.execPath, [bundle, JSON.stringify(paths)], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      assert.deepEqual(JSON.parse(out), paths.map(sha256sum));
    });
  });

  describe('HashCache', () => {
    const cacheFile = (): string => join(dir, `cache-${randomBytes(4).toString('hex')}`, 'hashes.txt');
    const HEADER = '{"format":"dl-lab-hash-cache/2"}\n';

    it('saves and loads any path over several pieces, and copies the lines it did not change as they were', async () => {
      const identity = (i: number) => ({ size: BigInt(i), mtimeNs: 1_700_000_000_000_000_000n + BigInt(i), ino: BigInt(i + 7) });
      const digest = (i: number) => ({ sha256: i.toString(16).padStart(64, 'a'), bytes: i });
      const later = 2_000_000_000_000_000_000n; // every entry is long past the racy window
      const paths = Array.from({ length: 12_000 }, (_, i) => `/data/"quoted"\\ é 😀\n\t\u0001${'x'.repeat(i % 50)} ${i}`);
      const target = cacheFile();
      const cache = await HashCache.load(target);
      paths.forEach((path, i) => assert.equal(cache.store(path, identity(i), digest(i), later), digest(i).sha256));
      await cache.save();
      const saved = readFileSync(target, 'utf8');
      assert.ok(saved.length > MiB, 'more than one piece of the save');
      assert.ok(saved.startsWith(HEADER));
      assert.equal(saved.split('\n')[1], `0 1700000000000000000 7 ${digest(0).sha256} ${JSON.stringify(paths[0])}`);

      const loaded = await HashCache.load(target);
      assert.equal(loaded.size, paths.length);
      paths.forEach((path, i) => assert.deepEqual(loaded.lookup(path, identity(i)), digest(i)));
      assert.equal(loaded.lookup(paths[1], identity(2)), undefined, 'another identity is a miss');

      // One entry changed: the file differs in that line only, and the rest load as before.
      loaded.store(paths[5], identity(4), digest(4), later);
      await loaded.save();
      const before = saved.split('\n');
      const after = readFileSync(target, 'utf8').split('\n');
      assert.deepEqual(after.flatMap((line, i) => (line === before[i] ? [] : [i])), [6]);
      assert.deepEqual((await HashCache.load(target)).lookup(paths[5], identity(4)), digest(4));
    });

    it('reads a cache of an earlier version (format 1); the next save writes format 2 and removes it', async () => {
      const path = file('cached/legacy.bin', 'legacy');
      setMtime(path, anHourAgo());
      const stat = statSync(path, { bigint: true });
      const target = cacheFile();
      const legacy = join(target, '..', 'hashes.json');
      mkdirSync(join(target, '..'), { recursive: true });
      // A digest that is not the file's: a hit can only have come from this file.
      const recorded = 'ab'.repeat(32);
      writeFileSync(legacy, JSON.stringify({ format: 'dl-lab-hash-cache/1', entries: [[path, `${stat.size} ${stat.mtimeNs} ${stat.ino} ${recorded}`]] }));
      const cache = await HashCache.load(target, legacy);
      assert.equal((await hashFiles([path], { cache })).get(path)?.sha256, recorded);
      const other = file('cached/legacy-other.bin', 'other');
      setMtime(other, anHourAgo());
      await hashFiles([other], { cache });
      await cache.save();
      assert.deepEqual(readdirSync(join(target, '..')), ['hashes.txt']);
      assert.ok(readFileSync(target, 'utf8').startsWith(HEADER));
      assert.equal((await hashFiles([path], { cache: await HashCache.load(target) })).get(path)?.sha256, recorded);
    });

    it('persists digests and does not re-read a file whose size, mtime and inode are unchanged', async () => {
      const path = file('cached/data.bin', 'version one');
      const mtime = anHourAgo();
      setMtime(path, mtime);
      const first = await HashCache.load(cacheFile());
      const original = (await hashFiles([path], { cache: first })).get(path);
      assert.equal(original?.sha256, sha256sum(path));
      await first.save();

      // Same size, new bytes, old mtime restored: nothing in the cache key changed, so a hit must
      // return the old digest. This is the proof that the file was not read, and it documents the
      // cache's contract (content changes that forge size + mtime + inode are invisible to it).
      writeFileSync(path, 'version two'); // rewritten in place: same inode
      setMtime(path, mtime);
      const reloaded = await HashCache.load(first.file as string);
      assert.equal(reloaded.size, 1);
      assert.deepEqual((await hashFiles([path], { cache: reloaded })).get(path), original);
      assert.notEqual(sha256sum(path), original?.sha256);

      // Any mtime change is a miss: re-hashed and the entry replaced.
      setMtime(path, new Date(mtime.getTime() - 1000));
      const rehashed = (await hashFiles([path], { cache: reloaded })).get(path);
      assert.equal(rehashed?.sha256, sha256sum(path));
      assert.ok(reloaded.dirty);
    });

    it('misses when the file is replaced (new inode) even with the same size and mtime', async () => {
      const path = file('cached/replaced.bin', 'aaaa');
      const mtime = anHourAgo();
      setMtime(path, mtime);
      const cache = HashCache.inMemory();
      await hashFiles([path], { cache });
      const replacement = file('cached/replacement.tmp', 'bbbb');
      setMtime(replacement, mtime);
      renameSync(replacement, path);
      assert.equal((await hashFiles([path], { cache })).get(path)?.sha256, sha256sum(path));
    });

    it('does not cache files modified within the racy window', async () => {
      const path = file('cached/fresh.bin', 'just written');
      const cache = HashCache.inMemory();
      assert.equal((await hashFiles([path], { cache })).get(path)?.sha256, sha256sum(path));
      assert.equal(cache.size, 0);
    });

    it('ignores a corrupt or foreign cache file and replaces it on save', async () => {
      const path = file('cached/ok.bin', 'ok');
      setMtime(path, anHourAgo());
      const garbages = [
        '{"format": "dl-lab-hash-cache/1", "entr', '[1,2,3]', '{"format":"other","entries":[]}', '{"format":"dl-lab-hash-cache/1","entries":{}}', '',
        `${HEADER}1 2 3 ${'a'.repeat(64)} "/truncated"`, `${HEADER}1 2 3 ${'a'.repeat(64)} /no/quotes\n`, `${HEADER}1 2 3 ${'a'.repeat(64)} "/bad \\q escape"\n`,
      ];
      for (const garbage of garbages) {
        const target = cacheFile();
        mkdirSync(join(target, '..'), { recursive: true });
        writeFileSync(target, garbage);
        const cache = await HashCache.load(target);
        assert.equal(cache.size, 0);
        assert.ok(cache.ignoredReason, `a reason for ${JSON.stringify(garbage)}`);
        assert.equal((await hashFiles([path], { cache })).get(path)?.sha256, sha256sum(path));
        await cache.save();
        assert.equal((await HashCache.load(target)).size, 1);
      }
    });

    it('treats a hand-edited entry with a malformed digest as a miss', async () => {
      const path = file('cached/edited.bin', 'edited');
      setMtime(path, anHourAgo());
      for (const edit of [() => ' not-a-digest "', (digest: string) => ` ${digest}0 "`, (digest: string) => ` ${digest.toUpperCase()} "`]) {
        const target = cacheFile();
        const cache = await HashCache.load(target);
        await hashFiles([path], { cache });
        await cache.save();
        const text = readFileSync(target, 'utf8').replace(/ ([0-9a-f]{64}) "/, (_, digest: string) => edit(digest));
        writeFileSync(target, text);
        const edited = await HashCache.load(target);
        assert.equal(edited.size, 1);
        assert.equal((await hashFiles([path], { cache: edited })).get(path)?.sha256, sha256sum(path));
        assert.ok(edited.dirty, `${edit('…')}: a miss, re-hashed`);
      }
    });

    it('writes atomically, leaving no temp files behind', async () => {
      const path = file('cached/atomic.bin', 'atomic');
      setMtime(path, anHourAgo());
      const target = cacheFile();
      const cache = await HashCache.load(target);
      await hashFiles([path], { cache });
      await cache.save();
      assert.deepEqual(readdirSync(join(target, '..')), ['hashes.txt']);
      assert.ok(readFileSync(target, 'utf8').startsWith(HEADER));
    });
  });
});
