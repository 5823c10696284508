import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import addFormats from 'ajv-formats';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { isUserError, type UserError } from '../../core/errors.js';
import { HashCache } from '../../core/hashing/hash-cache.js';
import { addDataset } from '../../core/datasets/add-dataset.js';
import { checkDatasets } from '../../core/datasets/check-datasets.js';
import { checkDatasetsCommand } from '../../core/commands/datasets.js';
import { compareUtf8 } from '../../core/datasets/digest.js';
import { registeredFileArray } from '../helpers/project.js';
import { datasetFingerprint, FingerprintStore } from '../../core/datasets/fingerprint.js';
import { findStats } from '../../core/datasets/find-fingerprint.js';
import { parseFindListing } from '../../core/datasets/find-listing.js';
import { scanDataset } from '../../core/datasets/scan.js';
import { identityOf } from '../../core/hashing/file-identity.js';
import { requirePart } from '../helpers/requirement.js';
import { readSchema } from '../../core/contract/schema-files.js';
import { REGISTRY_PATH, type DatasetRecord, type GeneratedDataEntry, type ManifestDataEntry } from '../../core/datasets/types.js';
import type { GeneratedEntry, ManifestEntry } from '../../core/contract/generated/datasets.js';

const NOW = new Date('2025-01-02T03:04:05.000Z');
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const sha256Bytes = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The digest computed without our code: coreutils from the dataset directory, exactly the recipe
 * documented in the schema. If this and addDataset ever disagree, the documentation is wrong.
 */
const shellDigest = (dir: string): string =>
  execFileSync('sh', ['-c', "find . -type f | sed 's|^\\./||' | LC_ALL=C sort | tr '\\n' '\\0' | xargs -0 sha256sum | sha256sum"], {
    cwd: dir,
    encoding: 'utf8',
  }).split(' ')[0];

/** Writes files in the given order (creation order must not matter). */
function writeTree(root: string, files: Record<string, string>, order = Object.keys(files)): void {
  for (const rel of order) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), files[rel]);
  }
}

/** Names chosen so UTF-16 order and byte order disagree ('ﬀ' U+FB00 vs '😀' U+1F600), plus nesting. */
const TREE: Record<string, string> = {
  'train/a.csv': 'x,y\n1,2\n',
  'train/deep/er/b.csv': 'x,y\n3,4\n',
  'test/c.csv': 'x,y\n5,6\n',
  'ﬀ.txt': 'ligature\n',
  '😀.txt': 'emoji\n',
  '.hidden': 'hidden files count too\n',
  'README': '',
};

const assertUserError = (pattern: RegExp, check?: (error: UserError) => void) => (error: unknown) => {
  assert.ok(isUserError(error), `expected a UserError, got ${String(error)}`);
  assert.match(error.render(), pattern);
  check?.(error);
  return true;
};

describe('datasets', () => {
  let tmp: string;
  let root: string;
  let n = 0;
  /** A fresh project per test, so tests cannot see each other's registries. */
  const project = (): string => {
    root = join(tmp, `project-${n++}`);
    mkdirSync(root, { recursive: true });
    return root;
  };
  const registryBytes = (): Buffer | undefined => (existsSync(join(root, REGISTRY_PATH)) ? readFileSync(join(root, REGISTRY_PATH)) : undefined);

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'dl-lab-datasets-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  describe('addDataset', () => {
    it('registers a single file: record, registry and note', async () => {
      project();
      writeTree(root, { 'data/iris.csv': 'sepal,petal\n1,2\n' });
      const { record, notePath } = await addDataset(
        root,
        { path: 'data/iris.csv', name: 'iris', url: 'https://example.org/iris.csv', license: 'CC-BY-4.0', splitLogic: 'First 80% train.' },
        { now: NOW },
      );
      const fileSha = execFileSync('sha256sum', ['iris.csv'], { cwd: join(root, 'data'), encoding: 'utf8' }).split(' ')[0];
      assert.deepEqual(record, {
        name: 'iris',
        path: 'data/iris.csv',
        kind: 'file',
        url: 'https://example.org/iris.csv',
        license: 'CC-BY-4.0',
        split_logic: 'First 80% train.',
        registered_at: '2025-01-02T03:04:05.000Z',
        file_count: 1,
        bytes: 16,
        digest: sha256(`${fileSha}  iris.csv\n`),
        file_list: record.file_list,
      });
      // The per-file list beside the registry: gzip of the digest's text, named by its own sha256.
      const list = readFileSync(join(root, record.file_list?.path ?? ''));
      assert.equal(record.file_list?.path, `knowledge_base/data/files/${sha256Bytes(list)}.sha256sums.gz`);
      assert.deepEqual([record.file_list?.sha256, record.file_list?.bytes], [sha256Bytes(list), list.length]);
      assert.equal(gunzipSync(list).toString('utf8'), `${fileSha}  iris.csv\n`);
      assert.deepEqual(await registeredFileArray(root, record), [{ path: 'iris.csv', sha256: fileSha }]);
      assert.deepEqual(JSON.parse(readFileSync(join(root, REGISTRY_PATH), 'utf8')), { schema_version: '1.1', datasets: { iris: record } });
      assert.equal(notePath, join(root, 'knowledge_base/data/iris.md'));
      const note = readFileSync(notePath, 'utf8');
      for (const expected of ['https://example.org/iris.csv', 'CC-BY-4.0', record.digest, 'First 80% train.', '2025-01-02T03:04:05.000Z', '16 bytes']) {
        assert.ok(note.includes(expected), `note mentions ${expected}`);
      }
    });

    it('registers a nested directory with a digest independent of creation order, as coreutils computes it', async () => {
      project();
      writeTree(join(root, 'one'), TREE);
      writeTree(join(root, 'two'), TREE, Object.keys(TREE).reverse());
      const one = await addDataset(root, { path: 'one', name: 'one' }, { now: NOW });
      const two = await addDataset(root, { path: join(root, 'two'), name: 'two' }, { now: NOW });
      assert.equal(one.record.digest, two.record.digest);
      assert.equal(one.record.digest, shellDigest(join(root, 'one')));
      assert.equal(one.record.kind, 'directory');
      assert.equal(one.record.file_count, Object.keys(TREE).length);
      assert.equal(one.record.path, 'one');
      assert.equal(two.record.path, 'two', 'an absolute path inside the project is recorded relative to it');
      assert.deepEqual(
        (await registeredFileArray(root, one.record)).map((f) => f.path),
        ['.hidden', 'README', 'test/c.csv', 'train/a.csv', 'train/deep/er/b.csv', 'ﬀ.txt', '😀.txt'],
      );
    });

    it('records a dataset outside the project by its absolute path', async () => {
      project();
      const outside = join(tmp, `outside-${n}`);
      writeTree(outside, { 'x.bin': 'x' });
      const { record } = await addDataset(root, { path: outside, name: 'outside' }, { now: NOW });
      assert.equal(record.path, outside);
      assert.deepEqual(await checkDatasets(root, ['outside']).then((entries) => entries[0].path), outside);
    });

    it('refuses a registered name (registry and note unchanged byte for byte) unless replace is passed', async () => {
      project();
      writeTree(root, { 'a/x.txt': 'first', 'b/y.txt': 'second' });
      await addDataset(root, { path: 'a', name: 'data' }, { now: NOW });
      const before = registryBytes();
      const note = readFileSync(join(root, 'knowledge_base/data/data.md'));
      await assert.rejects(addDataset(root, { path: 'b', name: 'data' }), assertUserError(/already registered/, (e) => assert.equal(e.field, 'name')));
      assert.deepEqual(registryBytes(), before);
      assert.deepEqual(readFileSync(join(root, 'knowledge_base/data/data.md')), note);
      await assert.rejects(addDataset(root, { path: 'b', name: 'DATA' }), assertUserError(/differs only in case/));

      const { record } = await addDataset(root, { path: 'b', name: 'data' }, { now: NOW, replace: true });
      assert.equal(record.path, 'b');
      assert.equal(Object.keys(JSON.parse(readFileSync(join(root, REGISTRY_PATH), 'utf8')).datasets).length, 1);
    });

    it('refuses to overwrite a hand-written note for an unregistered name', async () => {
      project();
      writeTree(root, { 'knowledge_base/data/notes.md': '# my notes\n', 'd/x': 'x' });
      await assert.rejects(addDataset(root, { path: 'd', name: 'notes' }), assertUserError(/already exists/));
      assert.equal(readFileSync(join(root, 'knowledge_base/data/notes.md'), 'utf8'), '# my notes\n');
      assert.equal(registryBytes(), undefined);
    });

    for (const bad of ['', '-x', '.x', 'a/b', '../x', 'a b', 'é', 'x'.repeat(65)]) {
      it(`refuses the name ${JSON.stringify(bad)} and writes nothing`, async () => {
        project();
        writeTree(root, { 'd/x': 'x' });
        await assert.rejects(addDataset(root, { path: 'd', name: bad }), assertUserError(/Invalid dataset name/, (e) => assert.equal(e.field, 'name')));
        assert.equal(existsSync(join(root, 'knowledge_base')), false);
      });
    }

    it('refuses a missing path, an empty directory, symbolic links inside, and a malformed url', async () => {
      project();
      writeTree(root, { 'd/x': 'x', 'links/real.txt': 'real' });
      mkdirSync(join(root, 'empty'));
      symlinkSync(join(root, 'd/x'), join(root, 'links/alias.txt'));
      await assert.rejects(addDataset(root, { path: 'nope', name: 'a' }), assertUserError(/does not exist/, (e) => assert.equal(e.field, 'path')));
      await assert.rejects(addDataset(root, { path: 'empty', name: 'a' }), assertUserError(/no files/));
      await assert.rejects(addDataset(root, { path: 'links', name: 'a' }), assertUserError(/alias\.txt \(symbolic link\)/));
      await assert.rejects(
        addDataset(root, { path: 'd', name: 'a', url: 'not a url' }),
        assertUserError(/url: must match format "uri"/, (e) => assert.equal(e.field, '/url')),
      );
      assert.equal(existsSync(join(root, 'knowledge_base')), false);
    });

    it('follows the dataset path itself when it is a symbolic link (data -> /mnt/big)', async () => {
      project();
      const target = join(tmp, `big-disk-${n}`);
      writeTree(target, { 'x.bin': 'x' });
      symlinkSync(target, join(root, 'data'));
      const { record } = await addDataset(root, { path: 'data', name: 'linked' }, { now: NOW });
      assert.equal(record.path, 'data');
      assert.equal(record.digest, shellDigest(target));
    });
  });

  describe('registry validation', () => {
    const corruptions: [string, (text: string) => string, RegExp, string][] = [
      ['not JSON', (text) => text.slice(0, -10), /not valid JSON at line \d+, column \d+/, '/'],
      ['a wrong type', (text) => text.replace('"bytes": 1,', '"bytes": "1",'), /must be integer/, '/datasets/d/bytes'],
      ['an unknown field', (text) => text.replace('"kind"', '"extra": 1, "kind"'), /unknown field 'extra'/, '/datasets/d/extra'],
      ['a missing field', (text) => text.replace(/"registered_at": "[^"]*",/, ''), /missing required field 'registered_at'/, '/datasets/d/registered_at'],
    ];
    for (const [what, corrupt, message, pointer] of corruptions) {
      it(`a registry with ${what} is a UserError naming the file and ${pointer}; nothing is written`, async () => {
        project();
        writeTree(root, { 'd/x': 'x', 'e/y': 'y' });
        await addDataset(root, { path: 'd', name: 'd' }, { now: NOW });
        const path = join(root, REGISTRY_PATH);
        writeFileSync(path, corrupt(readFileSync(path, 'utf8')));
        const before = registryBytes();
        const expectation = assertUserError(message, (e) => {
          assert.equal(e.file, REGISTRY_PATH);
          assert.equal(e.field, pointer);
          assert.ok(e.message.includes(REGISTRY_PATH));
        });
        await assert.rejects(addDataset(root, { path: 'e', name: 'e' }), expectation);
        await assert.rejects(checkDatasets(root, ['d']), expectation);
        assert.deepEqual(registryBytes(), before);
        assert.equal(existsSync(join(root, 'knowledge_base/data/e.md')), false);
      });
    }
  });

  describe('registry 1.1: per-file lists beside the registry; 1.0 registries still load', () => {
    /** A 1.0 registry as earlier versions wrote it: every file inline. */
    const writeLegacyRegistry = (digest?: string): DatasetRecord => {
      writeTree(join(root, 'd'), { x: 'x', 'sub/y': 'y' });
      const files = [
        { path: 'sub/y', sha256: sha256('y'), bytes: 1 },
        { path: 'x', sha256: sha256('x'), bytes: 1 },
      ];
      const record = {
        name: 'd', path: 'd', kind: 'directory', registered_at: NOW.toISOString(), file_count: 2, bytes: 2,
        digest: digest ?? sha256(files.map((f) => `${f.sha256}  ${f.path}\n`).join('')), files,
      } as DatasetRecord;
      mkdirSync(join(root, 'knowledge_base/data'), { recursive: true });
      writeFileSync(join(root, REGISTRY_PATH), JSON.stringify({ schema_version: '1.0', datasets: { d: record } }));
      return record;
    };

    it('a 1.0 registry with inline files still loads, checks and names a changed file', async () => {
      project();
      const record = writeLegacyRegistry();
      assert.equal((await checkDatasets(root, ['d']))[0].sha256, record.digest);
      writeFileSync(join(root, 'd/x'), 'z');
      await assert.rejects(checkDatasets(root, ['d']), assertUserError(/d: changed x/));
    });

    it('a 1.0 registry with a hand-edited digest is a UserError naming the file and /datasets/d/digest', async () => {
      project();
      writeLegacyRegistry('0'.repeat(64));
      await assert.rejects(checkDatasets(root, ['d']), assertUserError(/does not match the files/, (e) => assert.equal(e.field, '/datasets/d/digest')));
    });

    it('adding a dataset to a 1.0 registry keeps the old record inline and writes 1.1', async () => {
      project();
      const legacy = writeLegacyRegistry();
      writeTree(join(root, 'e'), { z: 'z' });
      await addDataset(root, { path: 'e', name: 'e' }, { now: NOW });
      const registry = JSON.parse(readFileSync(join(root, REGISTRY_PATH), 'utf8'));
      assert.equal(registry.schema_version, '1.1');
      assert.deepEqual(registry.datasets.d, legacy);
      assert.ok(registry.datasets.e.file_list);
      assert.equal((await checkDatasets(root, ['d', 'e'])).length, 2);
    });

    const tamperings: [string, (list: Buffer, registry: { datasets: { d: DatasetRecord } }) => Buffer, RegExp][] = [
      ['a changed hash line', (list) => gzipSync(gunzipSync(list).toString('utf8').replace(/^[0-9a-f]/, (c) => (c === '0' ? '1' : '0'))), /its sha256 does not match the registry/],
      ['a dropped line, registry sha256 updated to match', (list, registry) => {
        const shorter = gzipSync(gunzipSync(list).toString('utf8').split('\n').slice(1).join('\n'));
        (registry.datasets.d.file_list as { sha256: string }).sha256 = sha256Bytes(shorter);
        return shorter;
      }, /its content does not hash to the dataset digest/],
      ['bytes that are not gzip', () => Buffer.from('plain text'), /its sha256 does not match the registry/],
      ['a hand-edited digest', (list, registry) => {
        registry.datasets.d.digest = '0'.repeat(64);
        return list;
      }, /its content does not hash to the dataset digest/],
      // The rest are consistent forgeries (registry sha256 and digest updated): the text itself is checked.
      ['its lines out of order', (list, registry) => forge(gunzipSync(list).toString('utf8').split('\n').slice(0, 2).reverse().join('\n') + '\n', registry), /does not list 2 files in digest order/],
      ['an upper-case hex digit', (list, registry) => forge(gunzipSync(list).toString('utf8').replace(/^[0-9a-f]{64}/, (hex) => hex.toUpperCase().replace(/^[0-9]/, 'A')), registry), /does not list 2 files in digest order/],
      ['one space where two belong', (list, registry) => forge(gunzipSync(list).toString('utf8').replace(/^([0-9a-f]{64}) {2}/, '$1 '), registry), /does not list 2 files in digest order/],
      ['a file count that is not the registry\'s', (list, registry) => {
        registry.datasets.d.file_count = 3;
        return list;
      }, /does not list 3 files in digest order/],
    ];
    /** A list of `text` that the registry agrees with (its sha256 and the digest updated). */
    const forge = (text: string, registry: { datasets: { d: DatasetRecord } }): Buffer => {
      const forged = gzipSync(text);
      (registry.datasets.d.file_list as { sha256: string }).sha256 = sha256Bytes(forged);
      registry.datasets.d.digest = sha256Bytes(Buffer.from(text));
      return forged;
    };
    for (const [what, tamper, message] of tamperings) {
      it(`a per-file list with ${what} is detected, naming the list; nothing is written`, async () => {
        project();
        writeTree(join(root, 'd'), { x: 'x', 'sub/y': 'y' });
        const { record } = await addDataset(root, { path: 'd', name: 'd' }, { now: NOW });
        const listPath = join(root, record.file_list?.path ?? '');
        const registry = JSON.parse(readFileSync(join(root, REGISTRY_PATH), 'utf8'));
        writeFileSync(listPath, tamper(readFileSync(listPath), registry));
        writeFileSync(join(root, REGISTRY_PATH), JSON.stringify(registry));
        const before = registryBytes();
        await assert.rejects(checkDatasets(root, ['d']), assertUserError(message, (e) => {
          assert.equal(e.file, record.file_list?.path);
          assert.match(e.message, /re-register it/);
        }));
        assert.deepEqual(registryBytes(), before);
      });
    }

    it('a missing per-file list is detected, naming it', async () => {
      project();
      writeTree(join(root, 'd'), { x: 'x' });
      const { record } = await addDataset(root, { path: 'd', name: 'd' }, { now: NOW });
      unlinkSync(join(root, record.file_list?.path ?? ''));
      await assert.rejects(checkDatasets(root, ['d']), assertUserError(/files\/[0-9a-f]{64}\.sha256sums\.gz: cannot read \(ENOENT\)/));
    });

    it('coreutils check a dataset against its list: zcat | sha256sum gives the digest, sha256sum -c every file', async () => {
      project();
      writeTree(join(root, 'data'), TREE);
      const { record } = await addDataset(root, { path: 'data', name: 'tree' }, { now: NOW });
      const list = join(root, record.file_list?.path ?? '');
      const digest = execFileSync('sh', ['-c', `zcat '${list}' | sha256sum`], { encoding: 'utf8' }).split(' ')[0];
      assert.equal(digest, record.digest);
      execFileSync('sh', ['-c', `zcat '${list}' | sha256sum --quiet -c -`], { cwd: join(root, 'data') });
    });

    it('re-registering drops the list no record uses any more', async () => {
      project();
      writeTree(join(root, 'd'), { x: 'x' });
      const first = await addDataset(root, { path: 'd', name: 'd' }, { now: NOW });
      writeFileSync(join(root, 'd/x'), 'changed');
      const second = await addDataset(root, { path: 'd', name: 'd' }, { now: NOW, replace: true });
      assert.notEqual(first.record.file_list?.path, second.record.file_list?.path);
      assert.equal(existsSync(join(root, first.record.file_list?.path ?? '')), false);
      assert.equal(existsSync(join(root, second.record.file_list?.path ?? '')), true);
    });
  });

  describe('the fingerprint by GNU find', () => {
    const digestWith = async (dir: string, finds: number): Promise<{ digest: string; result: Awaited<ReturnType<typeof findStats>> }> => {
      const hash = createHash('sha256');
      const result = await findStats(dir, hash, finds);
      return { digest: hash.digest('hex'), result };
    };

    it('is the same whether one find walks the folder or several walk its top-level entries', async function () {
      requirePart(this, process.platform === 'linux', 'GNU find: Linux only');
      project();
      const files: Record<string, string> = { 'top.csv': '0', '-dash/a': '1', 'with space/b c': '2', 'new\nline/d': '3' };
      for (let i = 0; i < 12; i++) files[`class-${i}/img-${i}.bin`] = String(i);
      writeTree(join(root, 'ds'), files);
      const one = await digestWith(join(root, 'ds'), 1);
      assert.equal(one.result.kind, 'files');
      assert.equal(one.result.kind === 'files' && one.result.files, Object.keys(files).length);
      for (const finds of [2, 3, 4]) assert.equal((await digestWith(join(root, 'ds'), finds)).digest, one.digest, `${finds} finds`);
      const newest = Object.keys(files).map((rel) => statSync(join(root, 'ds', rel), { bigint: true }).mtimeNs).reduce((a, b) => (a > b ? a : b));
      assert.equal(one.result.kind === 'files' && one.result.newestMtimeNs, newest);
    });

    it('walks a folder of more top-level files than fit an argument list with one find', async function () {
      requirePart(this, process.platform === 'linux', 'GNU find: Linux only');
      project();
      const dir = join(root, 'flat');
      mkdirSync(dir);
      for (let i = 0; i < 4100; i++) writeFileSync(join(dir, `f${i}`), String(i));
      const before = await digestWith(dir, 2);
      assert.equal(before.result.kind === 'files' && before.result.files, 4100);
      utimesSync(join(dir, 'f17'), new Date(0), new Date(0));
      assert.notEqual((await digestWith(dir, 2)).digest, before.digest, 'one file touched, another fingerprint');
    });

    it('reports a symbolic link (not plain) and a missing folder (unavailable: the walk decides)', async function () {
      requirePart(this, process.platform === 'linux', 'GNU find: Linux only');
      project();
      writeTree(join(root, 'ds'), { 'a/b': '1', c: '2' });
      symlinkSync('c', join(root, 'ds/a/link'));
      for (const finds of [1, 2]) assert.deepEqual((await digestWith(join(root, 'ds'), finds)).result, { kind: 'not-plain' });
      assert.deepEqual((await digestWith(join(root, 'nothing-here'), 2)).result, { kind: 'unavailable' });
      mkdirSync(join(root, 'empty'));
      assert.deepEqual((await digestWith(join(root, 'empty'), 2)).result, { kind: 'files', files: 0, newestMtimeNs: 0n, output: [] });
    });

    it('lists the files as the scan does, in its order, each with the identity a bigint stat gives', async function () {
      requirePart(this, process.platform === 'linux', 'GNU find: Linux only');
      project();
      const dir = join(root, 'ds');
      writeTree(dir, { ...TREE, 'with space/x y': '1', '-dash': '22' });
      utimesSync(join(dir, 'README'), 0.5, 0.5); // 1970's first second: an mtime of 500000000 ns
      utimesSync(join(dir, 'test/c.csv'), 1_767_225_601, 1_767_225_601); // a whole second
      const print = await datasetFingerprint(dir);
      const listing = print?.listing?.();
      assert.ok(listing);
      assert.deepEqual(listing.paths, (await scanDataset(dir))?.paths);
      const statKey = (rel: string): string => {
        const stat = statSync(join(dir, rel), { bigint: true });
        return `${stat.size} ${stat.mtimeNs} ${stat.ino}`;
      };
      assert.deepEqual(listing.keys, listing.paths.map(statKey));
      assert.equal(listing.keys[listing.paths.indexOf('README')].split(' ')[1], '500000000');
      assert.equal(print?.listing?.(), undefined, "parsed once: find's output is let go");
    });

    it("parses find's output alike in any pieces, and leaves to the scan what it treats otherwise", () => {
      const entry = (type: string, size: number, time: string, ino: number | bigint, path: string | Buffer): Buffer =>
        Buffer.concat([Buffer.from(`${type} ${size} ${time} ${ino} ./`), typeof path === 'string' ? Buffer.from(path) : path, Buffer.from([0])]);
      const ascii = Buffer.concat([
        entry('d', 4096, '1700000000.0000000000', 2, 'a'),
        entry('f', 10, '1700000000.1234567890', 12, 'a/b'),
        entry('f', 0, '0.0000000000', 13, 'z'),
        entry('f', 123456789012, '1700000001.5000000000', 18446744073709551615n, 'A'),
      ]);
      assert.deepEqual(parseFindListing([ascii]), {
        paths: ['A', 'a/b', 'z'],
        keys: ['123456789012 1700000001500000000 18446744073709551615', '10 1700000000123456789 12', '0 0 13'],
      });
      // U+FB00 before U+1F600, as their UTF-8 bytes sort (UTF-16 would put the emoji first).
      const output = Buffer.concat([ascii, entry('f', 3, '1700000001.5000000000', 15, '😀'), entry('f', 3, '1700000001.5000000000', 14, 'ﬀ')]);
      const whole = parseFindListing([output]);
      assert.deepEqual(whole?.paths, ['A', 'a/b', 'z', 'ﬀ', '😀']);
      assert.deepEqual(whole?.keys.slice(3), ['3 1700000001500000000 14', '3 1700000001500000000 15']);
      for (const size of [1, 2, 7, 64]) {
        const pieces = Array.from({ length: Math.ceil(output.length / size) }, (_, i) => output.subarray(i * size, (i + 1) * size));
        assert.deepEqual(parseFindListing(pieces), whole, `pieces of ${size} bytes`);
      }
      const refused: [string, Buffer][] = [
        ['a symbolic link', entry('l', 1, '1700000000.0000000000', 3, 'link')],
        ['a time before 1970', entry('f', 1, '-2.2500000000', 3, 'old')],
        ['a time finer than a nanosecond', entry('f', 1, '1700000000.0000000001', 3, 'fine')],
        ['a newline in a name', entry('f', 1, '1700000000.0000000000', 3, 'new\nline')],
        ['a name that is not UTF-8', entry('f', 1, '1700000000.0000000000', 3, Buffer.from([0x61, 0xff]))],
        ['an entry cut short', entry('f', 1, '1700000000.0000000000', 3, 'cut').subarray(0, -1)],
      ];
      for (const [what, bad] of refused) assert.equal(parseFindListing([output, bad]), undefined, what);
    });
  });

  for (const method of ['GNU find', 'the in-process walk'] as const) {
    describe(`stat fingerprints, taken by ${method}: an unchanged folder is not re-checked file by file`, () => {
      // The walk in this process is what runs where GNU find is missing: a PATH without find.
      let savedPath: string | undefined;
      before(() => {
        savedPath = process.env.PATH;
        if (method === 'the in-process walk') process.env.PATH = mkdtempSync(join(tmpdir(), 'dl-lab-no-find-'));
      });
      after(() => {
        process.env.PATH = savedPath;
      });

      it('finds the same files and newest mtime either way', async () => {
        project();
        writeOld(join(root, 'data'), TREE);
        const print = await datasetFingerprint(join(root, 'data'));
        assert.equal(print?.files, Object.keys(TREE).length);
        const newest = Object.keys(TREE).map((rel) => statSync(join(root, 'data', rel), { bigint: true }).mtimeNs).reduce((a, b) => (a > b ? a : b));
        assert.equal(print?.newestMtimeNs, newest);
        assert.equal((await datasetFingerprint(join(root, 'data')))?.value, print?.value, 'the same folder, the same fingerprint');
        symlinkSync('train/a.csv', join(root, 'data/link.csv'));
        assert.equal(await datasetFingerprint(join(root, 'data')), undefined, 'a symbolic link inside: no fingerprint, the exact check reports it');
      });

      /** Files written "long ago" (mtime 1 h back), so they are past the racy window. */
      const writeOld = (dir: string, files: Record<string, string>): void => {
        writeTree(dir, files);
        const past = new Date(Date.now() - 3_600_000);
        for (const rel of Object.keys(files)) utimesSync(join(dir, rel), past, past);
      };

      /** A loadCache for checkDatasets that counts its calls: each call is one exact check. */
      const countedCacheLoads = (): { loadCache: () => Promise<HashCache>; loads: () => number } => {
        let count = 0;
        return {
          loadCache: async () => {
            count++;
            return HashCache.inMemory();
          },
          loads: () => count,
        };
      };

      it('a matching fingerprint skips the exact check; a same-size rewrite is caught and named', async () => {
        project();
        writeOld(join(root, 'data'), TREE);
        const { record } = await addDataset(root, { path: 'data', name: 'tree' }, { now: NOW });
        const fingerprints = FingerprintStore.inMemory();
        const { loadCache, loads } = countedCacheLoads();
        await checkDatasets(root, ['tree'], { fingerprints, loadCache });
        assert.equal(loads(), 1, 'the first check is exact and records the fingerprint');
        const [entry] = await checkDatasets(root, ['tree'], { fingerprints, loadCache });
        assert.equal(loads(), 1, 'the second one trusts it');
        assert.equal(entry.sha256, record.digest);

        writeFileSync(join(root, 'data/train/a.csv'), 'x,y\n9,9\n'); // same size, new mtime
        await assert.rejects(checkDatasets(root, ['tree'], { fingerprints, loadCache }), assertUserError(/tree: changed train\/a\.csv/));
        assert.equal(loads(), 2);
      });

      it('a renamed or added file changes the fingerprint', async () => {
        project();
        writeOld(join(root, 'data'), { a: '1', b: '2' });
        await addDataset(root, { path: 'data', name: 'd' }, { now: NOW });
        const fingerprints = FingerprintStore.inMemory();
        await checkDatasets(root, ['d'], { fingerprints });
        writeOld(join(root, 'data'), { c: '3' });
        await assert.rejects(checkDatasets(root, ['d'], { fingerprints }), assertUserError(/d: added c/));
        unlinkSync(join(root, 'data/c'));
        renameSync(join(root, 'data/b'), join(root, 'data/b2'));
        await assert.rejects(checkDatasets(root, ['d'], { fingerprints }), assertUserError(/d: missing b[\s\S]*d: added b2/));
      });

      it('files modified within the racy window are not fingerprinted (checked exactly next time too)', async () => {
        project();
        writeTree(join(root, 'data'), { a: '1' }); // mtime: now
        await addDataset(root, { path: 'data', name: 'd' }, { now: NOW });
        const fingerprints = FingerprintStore.inMemory();
        const { loadCache, loads } = countedCacheLoads();
        await checkDatasets(root, ['d'], { fingerprints, loadCache });
        await checkDatasets(root, ['d'], { fingerprints, loadCache });
        assert.equal(loads(), 2);
      });
    });
  }

  describe('checkDatasets', () => {
    let registered: DatasetRecord;
    beforeEach(async () => {
      project();
      writeTree(join(root, 'data'), TREE);
      ({ record: registered } = await addDataset(root, { path: 'data', name: 'tree', license: 'MIT', url: 'https://example.org/t' }, { now: NOW }));
    });

    it('passes on unchanged data and returns the manifest entry', async () => {
      const cache = HashCache.inMemory();
      const entries = await checkDatasets(root, ['tree', 'tree'], { cache });
      assert.deepEqual(entries, [
        {
          name: 'tree',
          path: 'data',
          url: 'https://example.org/t',
          sha256: registered.digest,
          file_count: registered.file_count,
          bytes: registered.bytes,
          provenance: { kind: 'registered', registry: REGISTRY_PATH, registered_at: NOW.toISOString(), license: 'MIT' },
        },
      ]);
    });

    it('fails naming the dataset and a modified file', async () => {
      writeFileSync(join(root, 'data/train/a.csv'), 'x,y\n9,9\n'); // same size: only the hash can tell
      await assert.rejects(
        checkDatasets(root, ['tree']),
        assertUserError(/"tree" \(1 changed, 0 missing, 0 added\) changed since registration; re-register it \(data add --replace\) to accept the new data, or pass --allow-data-drift to run to record the difference in the run[\s\S]*tree: changed train\/a\.csv/),
      );
    });

    it('fails naming a removed file', async () => {
      unlinkSync(join(root, 'data/train/deep/er/b.csv'));
      await assert.rejects(checkDatasets(root, ['tree']), assertUserError(/tree: missing train\/deep\/er\/b\.csv/));
    });

    it('names changed, missing and added files at once where "-", "." and "/" sort next to each other (one pass over both sorted lists)', async () => {
      writeTree(join(root, 'data'), { 'a/b': '1', 'a.b': '2', a0: '3', 'a-a': '4' });
      await addDataset(root, { path: 'data', name: 'tree', license: 'MIT' }, { now: NOW, replace: true });
      writeFileSync(join(root, 'data/a/b'), '9');
      unlinkSync(join(root, 'data/a.b'));
      writeFileSync(join(root, 'data/a-c'), '5');
      writeFileSync(join(root, 'data/a/a'), '6');
      const { drift } = (await checkDatasets(root, ['tree'], { allowDrift: true }))[0];
      assert.deepEqual(drift && [drift.changed, drift.missing, drift.added], [['a/b'], ['a.b'], ['a-c', 'a/a']]);
    });

    it('fails naming an added file, and lists only the first few of many', async () => {
      writeTree(join(root, 'data'), Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`new/${String(i).padStart(2, '0')}.csv`, `${i}`])));
      await assert.rejects(
        checkDatasets(root, ['tree']),
        assertUserError(/tree: added new\/00\.csv[\s\S]*tree: added new\/04\.csv\n.*tree: …and 7 more added/, (e) => {
          assert.equal(e.field, '/datasets/tree');
          assert.ok(!e.render().includes('new/05.csv'));
        }),
      );
    });

    it('fails when the whole dataset is gone', async () => {
      rmSync(join(root, 'data'), { recursive: true });
      await assert.rejects(checkDatasets(root, ['tree']), assertUserError(/0 changed, 7 missing, 0 added/));
    });

    it('with allowDrift records every difference and the digest of the data as found', async () => {
      writeFileSync(join(root, 'data/train/a.csv'), 'changed');
      unlinkSync(join(root, 'data/test/c.csv'));
      writeFileSync(join(root, 'data/extra.csv'), 'new');
      symlinkSync(join(root, 'data/README'), join(root, 'data/link'));
      const [entry] = await checkDatasets(root, ['tree'], { allowDrift: true });
      assert.equal(entry.sha256, registered.digest, 'the registered digest stays the reference');
      unlinkSync(join(root, 'data/link')); // the shell recipe skips links too (find -type f)
      assert.deepEqual(entry.drift, {
        changed: ['train/a.csv'],
        missing: ['test/c.csv'],
        added: ['extra.csv', 'link (symbolic link)'],
        current_digest: shellDigest(join(root, 'data')),
      });
    });

    it('refuses unknown names, listing the registered ones', async () => {
      await assert.rejects(checkDatasets(root, ['tree', 'mnist']), assertUserError(/Unknown dataset "mnist"; registered: tree/));
      await assert.rejects(checkDatasets(project(), ['mnist']), assertUserError(/no datasets are registered/));
    });

    it('re-checks from the cache after the first run', async () => {
      const cacheFile = join(root, '.dl-lab/cache/hashes.txt');
      // Fresh files are inside the cache's racy window; age them as a real dataset would be.
      const old = new Date(Date.now() - 3600_000);
      for (const rel of Object.keys(TREE)) utimesSync(join(root, 'data', rel), old, old);
      await checkDatasets(root, ['tree'], { cache: await HashCache.load(cacheFile) });
      const cache = await HashCache.load(cacheFile);
      assert.equal(cache.size, Object.keys(TREE).length, 'saved by checkDatasets');
      await checkDatasets(root, ['tree'], { cache });
      assert.equal(cache.dirty, false, 'every file was a hit');
    });

    it("with a stat fingerprint, files are looked up in the hash cache by the identities find's walk saw, file by file, dataset by dataset", async function () {
      requirePart(this, process.platform === 'linux', 'GNU find: Linux only');
      const old = new Date(Date.now() - 3600_000);
      writeTree(join(root, 'second'), { c: '3', d: '4', e: '5' });
      for (const rel of ['c', 'd', 'e']) utimesSync(join(root, 'second', rel), old, old);
      for (const rel of Object.keys(TREE)) utimesSync(join(root, 'data', rel), old, old);
      await addDataset(root, { path: 'second', name: 'second' }, { now: NOW });
      // A digest that is not the file's, stored under the identity the file has: only a lookup by
      // exactly that identity, for exactly that path, can give it back.
      const cache = HashCache.inMemory();
      const forged = join(root, 'second/d');
      cache.store(forged, identityOf(statSync(forged, { bigint: true })), { sha256: sha256('not d'), bytes: 1 }, BigInt(Date.now()) * 1_000_000n);
      await assert.rejects(
        checkDatasets(root, ['tree', 'second'], { cache, fingerprints: FingerprintStore.inMemory() }),
        assertUserError(/Dataset "second" \(1 changed, 0 missing, 0 added\)[\s\S]*second: changed d$/),
      );
    });

    it('forgets the cache entries of files that left a dataset folder, and only those', async () => {
      const cacheFile = join(root, '.dl-lab/cache/hashes.txt');
      const old = new Date(Date.now() - 3600_000);
      writeTree(join(root, 'other'), { 'kept.bin': 'elsewhere' });
      for (const rel of Object.keys(TREE)) utimesSync(join(root, 'data', rel), old, old);
      utimesSync(join(root, 'other', 'kept.bin'), old, old);
      await addDataset(root, { path: 'other', name: 'other' }, { now: NOW, cache: await HashCache.load(cacheFile) });
      await checkDatasets(root, ['tree'], { cache: await HashCache.load(cacheFile) });
      // Format 2: a header, then `<size> <mtime_ns> <ino> <sha256> <path as JSON>` per line.
      const cachedPaths = (): string[] => readFileSync(cacheFile, 'utf8').split('\n').slice(1, -1).map((line) => JSON.parse(line.slice(line.indexOf('"'))) as string).sort();
      const all = [...Object.keys(TREE).map((rel) => join(root, 'data', rel)), join(root, 'other', 'kept.bin')].sort();
      assert.deepEqual(cachedPaths(), all);

      // A shard is regenerated under a new name: the run records the drift, the cache drops the old name.
      rmSync(join(root, 'data', 'test/c.csv'));
      writeTree(join(root, 'data'), { 'test/c2.csv': 'x,y\n5,6\n' });
      utimesSync(join(root, 'data', 'test/c2.csv'), old, old);
      const [entry] = await checkDatasets(root, ['tree'], { allowDrift: true, cache: await HashCache.load(cacheFile) });
      assert.deepEqual([entry.drift?.missing, entry.drift?.added], [['test/c.csv'], ['test/c2.csv']]);
      assert.deepEqual(cachedPaths(), all.map((path) => path.replace('c.csv', 'c2.csv')).sort());

      // Re-registered after another shard went away: gone from the cache as well.
      rmSync(join(root, 'data', 'README'));
      await addDataset(root, { path: 'data', name: 'tree' }, { now: NOW, replace: true, cache: await HashCache.load(cacheFile) });
      assert.deepEqual(cachedPaths(), all.map((path) => path.replace('c.csv', 'c2.csv')).filter((path) => !path.endsWith('README')).sort());
    });
    it('the project commands read a hash cache of an earlier version (format 1), then replace it with format 2', async () => {
      writeFileSync(join(root, '.yo-rc.json'), '{"generator-dl-lab":{"name":"cache-test"}}');
      const old = new Date(Date.now() - 3600_000);
      for (const rel of Object.keys(TREE)) utimesSync(join(root, 'data', rel), old, old);
      const file = join(root, 'data', 'train/a.csv');
      const { size, mtimeNs, ino } = statSync(file, { bigint: true });
      const legacy = join(root, '.dl-lab/cache/hashes.json');
      const writeLegacy = (sha256: string): void => {
        mkdirSync(dirname(legacy), { recursive: true });
        writeFileSync(legacy, JSON.stringify({ format: 'dl-lab-hash-cache/1', entries: [[file, `${size} ${mtimeNs} ${ino} ${sha256}`]] }));
      };
      // Another digest for the file's exact stat: only a check that read this cache trusts it and names the file.
      writeLegacy('0'.repeat(64));
      await assert.rejects(checkDatasetsCommand(root, 'tree'), assertUserError(/tree: changed train\/a\.csv/));
      assert.ok(existsSync(legacy) && !existsSync(join(root, '.dl-lab/cache/hashes.txt')), 'a refused check saves nothing');
      writeLegacy(sha256Bytes(readFileSync(file)));
      await checkDatasetsCommand(root, 'tree');
      assert.ok(!existsSync(legacy));
      assert.match(readFileSync(join(root, '.dl-lab/cache/hashes.txt'), 'utf8'), /^\{"format":"dl-lab-hash-cache\/2"\}\n/);
    });
  });

  describe('schema', () => {
    /** Set up the way the lead's manifest schema will use it: `$ref` into our `$defs`. */
    const manifestValidator = () => {
      const ajv = new Ajv2020({ allErrors: true, strict: true });
      addFormats.default(ajv);
      ajv.addSchema(readSchema('datasets'));
      return ajv.compile({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: 'https://dl-lab.dev/schemas/v1/test-manifest.schema.json',
        type: 'object',
        properties: {
          data: {
            type: 'array',
            items: { oneOf: [{ $ref: 'datasets.schema.json#/$defs/manifest_entry' }, { $ref: 'datasets.schema.json#/$defs/generated_entry' }] },
          },
        },
      });
    };

    it('hand-written types fit the types generated from the schema (checked by tsc)', () => {
      const fits = (manifest: ManifestDataEntry, generated: GeneratedDataEntry): [ManifestEntry, GeneratedEntry] => [manifest, generated];
      assert.equal(typeof fits, 'function');
    });

    it('has the documented $id', () => {
      assert.equal(readSchema('datasets').$id, 'https://dl-lab.dev/schemas/v1/datasets.schema.json');
    });

    it('validates manifest entries (with and without drift) and generated entries via $ref', async () => {
      project();
      writeTree(join(root, 'data'), TREE);
      await addDataset(root, { path: 'data', name: 'tree', splitLogic: 'by directory' }, { now: NOW });
      const clean = await checkDatasets(root, ['tree']);
      writeFileSync(join(root, 'data/new'), 'n');
      const drifted = await checkDatasets(root, ['tree'], { allowDrift: true });
      const generated: GeneratedDataEntry = {
        name: 'demo-moons',
        sha256: sha256('x'),
        bytes: 1,
        provenance: { kind: 'generated', generator: 'dl-lab/demo@0.1.0', seed: 7, spec: { n: 1000, noise: 0.1 } },
      };
      const validate = manifestValidator();
      assert.ok(validate({ data: [...clean, ...drifted, generated] }), JSON.stringify(validate.errors));
      assert.ok(!validate({ data: [{ ...generated, provenance: { ...generated.provenance, seed: 1.5 } }] }));
      assert.ok(!validate({ data: [{ ...clean[0], sha256: 'abc' }] }));
    });
  });

  describe('compareUtf8', () => {
    it('orders like the UTF-8 bytes (LC_ALL=C sort), not like UTF-16', () => {
      const alphabet = ['a', 'B', '/', '.', 'é', '\u00ff', '\ud7ff', '\ue000', '\uffff', 'ﬀ', '😀', '𝄞', '\u0000'];
      const strings = Array.from({ length: 400 }, (_, i) =>
        Array.from({ length: 1 + (i % 4) }, (_, j) => alphabet[(i * 7 + j * 13 + i * j) % alphabet.length]).join(''),
      );
      const byBytes = [...strings].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      assert.deepEqual([...strings].sort(compareUtf8), byBytes);
      assert.ok(compareUtf8('ﬀ', '😀') < 0 && 'ﬀ' > '😀', 'the case where the two orders disagree');
    });
  });
});
