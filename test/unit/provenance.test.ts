// Provenance capture against real things: real temp git repositories driven by the git CLI, the
// real python3, a real fake `nvidia-smi` executable on PATH. No mocks of git or the filesystem,
// because what matters is what real git does with the patch we record.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { UserError } from '../../core/errors.js';
import { captureCluster, CLUSTER_VARIABLE_ALLOW_LIST } from '../../core/provenance/cluster.js';
import { captureEnvironment } from '../../core/provenance/environment.js';
import { assertClean, captureGit, UNTRACKED_LIST_LIMIT } from '../../core/provenance/git.js';
import { redactRemoteUrl } from '../../core/provenance/git-remote.js';
import { appendLargeFileDiff, appendNewFileDiff, ByteSink, fileKindOf, STREAMED_FILE_BYTES } from '../../core/provenance/new-file-diff.js';
import { parseCudaVersion, parseNvidiaSmiQueryCsv } from '../../core/provenance/gpu.js';
import { capturePython, formatPackages } from '../../core/provenance/python.js';
import type { GitCapture, GitInfo, GitInfoAvailable } from '../../core/provenance/types.js';
import { cleanupTempDirs, snapshotTree, tempDir } from '../helpers/fs.js';
import { git } from '../helpers/git.js';

const here = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(here, '..', '..');
const FIXTURES = join(here, '..', 'fixtures', 'provenance');
const SCHEMA = JSON.parse(readFileSync(join(REPO_ROOT, 'schemas', 'provenance.schema.json'), 'utf8')) as { $id: string };


// ---------------------------------------------------------------------------------------------
// helpers

after(cleanupTempDirs);

/** A repository with one commit on `main` (identity and branch name come from the git helper). */
const initRepo = (files: Record<string, string | Buffer> = { 'README.md': '# project\n' }): string => {
  const dir = tempDir('dl-lab-provenance-repo-');
  git(dir, 'init', '-q');
  for (const [path, content] of Object.entries(files)) write(dir, path, content);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
};

const write = (root: string, path: string, content: string | Buffer): void => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
};

const available = (capture: GitCapture): GitInfoAvailable => {
  assert.equal(capture.info.available, true, `git capture unavailable: ${JSON.stringify(capture.info)}`);
  return capture.info as GitInfoAvailable;
};

/** snapshotTree (bytes, modes, link targets) without .git/ and the paths a patch never carries. */
const workingTree = (root: string, skip: (path: string) => boolean): Record<string, string> =>
  Object.fromEntries(Object.entries(snapshotTree(root)).filter(([path]) => !path.startsWith('.git/') && !skip(path)));

let ajv: Ajv2020 | undefined;
/** Same Ajv settings as core/contract/validate.ts (strict), so the schema compiles there too. */
const validator = (def: 'git' | 'environment') => {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    // ajv-formats is CommonJS: under NodeNext TypeScript types the default import as the module
    // namespace, while at run time it is the plugin function (which also has .default).
    type AddFormats = typeof addFormatsModule.default;
    const addFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);
    addFormats(ajv);
    ajv.addSchema(SCHEMA);
  }
  const validate = ajv.getSchema(`${SCHEMA.$id}#/$defs/${def}`);
  assert.ok(validate, `schema has no $defs/${def}`);
  return validate;
};
const assertMatchesSchema = (def: 'git' | 'environment', value: unknown): void => {
  const validate = validator(def);
  assert.ok(validate(value), `${def} does not match the schema: ${JSON.stringify(validate.errors, null, 2)}`);
};

// ---------------------------------------------------------------------------------------------

describe('provenance: git capture', () => {
  it('records a clean tree: HEAD commit, branch, no patch', async () => {
    const repo = initRepo();
    const capture = await captureGit(repo);
    const info = available(capture);
    assert.equal(info.commit, git(repo, 'rev-parse', 'HEAD'));
    assert.equal(info.branch, 'main');
    assert.equal(info.detached, false);
    assert.equal(info.dirty, false);
    assert.equal(info.changed, 0);
    assert.equal(info.untracked, 0);
    assert.deepEqual(info.untracked_files, []);
    assert.equal(info.remote, null);
    assert.equal(info.project_subdir, '.');
    assert.equal(capture.patch, null);
    assertMatchesSchema('git', info);
  });

  it('a staged change makes it dirty (and nothing untracked)', async () => {
    const repo = initRepo();
    write(repo, 'README.md', '# staged\n');
    git(repo, 'add', 'README.md');
    const capture = await captureGit(repo);
    const info = available(capture);
    assert.deepEqual([info.dirty, info.changed, info.untracked], [true, 1, 0]);
    assert.match(capture.patch?.toString('utf8') ?? '', /\+# staged/);
  });

  it('an unstaged change makes it dirty', async () => {
    const repo = initRepo();
    write(repo, 'README.md', '# unstaged\n');
    const capture = await captureGit(repo);
    const info = available(capture);
    assert.deepEqual([info.dirty, info.changed, info.untracked], [true, 1, 0]);
    assert.match(capture.patch?.toString('utf8') ?? '', /\+# unstaged/);
  });

  it('an untracked file makes it dirty and is counted and listed', async () => {
    const repo = initRepo();
    write(repo, 'notes.txt', 'new\n');
    const capture = await captureGit(repo);
    const info = available(capture);
    assert.deepEqual([info.dirty, info.changed, info.untracked], [true, 0, 1]);
    assert.deepEqual(info.untracked_files, ['notes.txt']);
    assert.match(capture.patch?.toString('utf8') ?? '', /new file mode 100644[\s\S]*\+new/);
    assertMatchesSchema('git', info);
  });

  it('ignored files do not make it dirty', async () => {
    const repo = initRepo({ '.gitignore': '*.log\n' });
    write(repo, 'debug.log', 'noise\n');
    assert.equal(available(await captureGit(repo)).dirty, false);
  });

  it("the run's own outputs under artifacts/ never make it dirty, tracked or not", async () => {
    const repo = initRepo({ 'README.md': 'x\n', 'artifacts/README.md': 'runs go here\n' });
    write(repo, 'artifacts/runs/M0/manifest.json', '{}\n');
    write(repo, 'artifacts/README.md', 'edited by a run\n');
    const capture = await captureGit(repo);
    const info = available(capture);
    assert.deepEqual([info.dirty, info.changed, info.untracked], [false, 0, 0]);
    assert.equal(capture.patch, null);
    // …and an explicit empty exclude list puts them back in scope.
    assert.deepEqual(available(await captureGit(repo, { excludePaths: [] })).untracked_files, ['artifacts/runs/M0/manifest.json']);
  });

  it('a project in a subdirectory: excludes are project relative, scope and paths are the whole repository', async () => {
    const repo = initRepo({ 'lib/shared.py': 'x = 1\n', 'proj/train.py': 'print(1)\n' });
    const project = join(repo, 'proj');
    write(project, 'artifacts/runs/M0/manifest.json', '{}\n');
    write(repo, 'artifacts/stray.txt', 'not the project artifacts dir\n');
    write(repo, 'lib/shared.py', 'x = 2\n');
    const capture = await captureGit(project);
    const info = available(capture);
    assert.equal(info.project_subdir, 'proj');
    assert.equal(info.changed, 1);
    assert.deepEqual(info.untracked_files, ['artifacts/stray.txt']);
    const patch = capture.patch?.toString('utf8') ?? '';
    assert.match(patch, /^diff --git a\/lib\/shared\.py b\/lib\/shared\.py$/m);
    assert.doesNotMatch(patch, /proj\/artifacts/);
  });

  it('not a repository, a missing directory, a repository without commits: unavailable with a reason', async () => {
    const plain = tempDir('dl-lab-provenance-plain-');
    const none = await captureGit(plain);
    assert.deepEqual(none, { info: { available: false, reason: `not a git repository: ${plain}` }, patch: null });

    const missing = await captureGit(join(plain, 'does-not-exist'));
    assert.equal(missing.info.available, false);
    assert.match((missing.info as { reason: string }).reason, /not a git repository: .*does-not-exist \(no such directory\)/);

    const empty = tempDir('dl-lab-provenance-empty-');
    git(empty, 'init', '-q');
    write(empty, 'file.txt', 'not committed\n');
    const unborn = await captureGit(empty);
    assert.equal(unborn.info.available, false);
    assert.match((unborn.info as { reason: string }).reason, /^git repository has no commits yet/);
    assertMatchesSchema('git', unborn.info);
  });

  it('a missing git binary is recorded, not thrown', () => {
    // A child process, because PATH is looked up per spawn and must not change for other tests.
    const script = join(tempDir('dl-lab-provenance-no-git-'), 'probe.mts');
    const gitModule = pathToFileURL(join(REPO_ROOT, 'core/provenance/git.ts')).href;
    writeFileSync(script, `import { captureGit } from ${JSON.stringify(gitModule)};\nprocess.stdout.write(JSON.stringify(await captureGit(process.cwd())));\n`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, PATH: tempDir('dl-lab-provenance-empty-path-') },
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { info: { available: false, reason: 'git is not installed (not found on PATH)' }, patch: null });
  });

  it('a detached HEAD has branch null', async () => {
    const repo = initRepo();
    git(repo, 'checkout', '-q', '--detach');
    const info = available(await captureGit(repo));
    assert.equal(info.branch, null);
    assert.equal(info.detached, true);
    assert.equal(info.commit, git(repo, 'rev-parse', 'HEAD'));
    assertMatchesSchema('git', info);
  });

  it('records origin (not another remote) without its credentials', async () => {
    const repo = initRepo();
    git(repo, 'remote', 'add', 'aaa-mirror', 'https://mirror.example.com/org/repo.git');
    git(repo, 'remote', 'add', 'origin', 'https://user:secret@example.com/org/repo.git');
    const info = available(await captureGit(repo));
    assert.equal(info.remote, 'https://example.com/org/repo.git');
    assert.doesNotMatch(JSON.stringify(info), /secret|user:/);
  });

  it('redacts credentials of every URL form and keeps the rest byte for byte', () => {
    const cases: Array<[string, string]> = [
      ['https://user:pass@host/x', 'https://host/x'],
      ['https://ghp_token123@github.com/org/repo.git', 'https://github.com/org/repo.git'],
      ['https://gitlab-ci-token:glcbt-xyz@gitlab.example.com:8443/g/p.git', 'https://gitlab.example.com:8443/g/p.git'],
      ['git+https://tok@host/x', 'git+https://host/x'],
      ['ssh://git:pw@host:2222/org/repo.git', 'ssh://git@host:2222/org/repo.git'],
      ['ssh://git@host/org/repo.git', 'ssh://git@host/org/repo.git'],
      ['git@github.com:org/repo.git', 'git@github.com:org/repo.git'],
      ['https://github.com/Org/Repo.git', 'https://github.com/Org/Repo.git'],
      ['/srv/git/repo.git', '/srv/git/repo.git'],
      ['file:///srv/git/repo.git', 'file:///srv/git/repo.git'],
    ];
    for (const [url, expected] of cases) assert.equal(redactRemoteUrl(url), expected, url);
  });

  it('lists at most 1000 untracked files but counts them all; files over the patch budget are named', async () => {
    const repo = initRepo();
    for (let i = 0; i < UNTRACKED_LIST_LIMIT + 5; i++) write(repo, `data/sample-${String(i).padStart(4, '0')}.txt`, `${i}\n`);
    const capture = await captureGit(repo, { maxUntrackedPatchFiles: 3 });
    const info = available(capture);
    assert.equal(info.untracked, UNTRACKED_LIST_LIMIT + 5);
    assert.equal(info.untracked_files.length, UNTRACKED_LIST_LIMIT);
    assert.equal(info.untracked_files_truncated, true);
    assert.equal(info.patch_omitted_files?.length, UNTRACKED_LIST_LIMIT);
    assert.equal(info.patch_omitted_files_truncated, true);
    assert.equal((capture.patch?.toString('utf8').match(/^new file mode/gm) ?? []).length, 3);
    assertMatchesSchema('git', info);
  });

  it('names what the patch leaves out: a nested repository, files over the byte budget', async () => {
    const repo = initRepo();
    const nested = join(repo, 'vendor/other');
    mkdirSync(nested, { recursive: true });
    git(nested, 'init', '-q');
    write(repo, 'data/huge.bin', Buffer.alloc(4096, 1));
    write(repo, 'src/small.py', 'x = 1\n');
    const capture = await captureGit(repo, { maxUntrackedPatchBytes: 1024 });
    const info = available(capture);
    assert.deepEqual(info.untracked_files, ['data/huge.bin', 'src/small.py', 'vendor/other/']);
    assert.deepEqual(info.patch_omitted_files, ['data/huge.bin', 'vendor/other/']);
    assert.match(capture.patch?.toString('utf8') ?? '', /^diff --git a\/src\/small\.py b\/src\/small\.py$/m);
    assert.doesNotMatch(capture.patch?.toString('utf8') ?? '', /huge|vendor/);
    assertMatchesSchema('git', info);
  });

  it('the patch of 3,000 untracked files costs a fixed number of git processes, round-trips, and leaves the index alone', async () => {
    const repo = initRepo({ 'README.md': '# project\n', 'src/a.py': 'a = 1\n' });
    for (let i = 0; i < 3000; i++) write(repo, `src/gen/m${String(i).padStart(4, '0')}.py`, `value = ${i}\n`);
    write(repo, 'src/a.py', 'a = 2\n'); // tracked, unstaged, same size in the same second
    write(repo, ':odd*name.py', 'literal, not a pathspec\n');
    const index = join(repo, '.git', 'index');
    const indexBefore = readFileSync(index);
    const objectsBefore = git(repo, 'count-objects');
    const mtimeBefore = statSync(index).mtimeMs;
    // Count real git processes: a wrapper first on PATH logs each call, then runs git itself.
    const bin = tempDir('dl-lab-provenance-gitlog-');
    const log = join(bin, 'calls.log');
    const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$1" >> '${log}'\nexec '${realGit}' "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${savedPath ?? ''}`;
    let capture: GitCapture;
    try {
      capture = await captureGit(repo);
    } finally {
      process.env.PATH = savedPath;
    }
    const info = available(capture);
    assert.equal(info.untracked, 3001);
    assert.equal(info.patch_omitted_files, undefined);
    assert.equal((capture.patch?.toString('utf8').match(/^new file mode/gm) ?? []).length, 3001);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    assert.ok(calls.length <= 8, `git ran ${calls.length} times: ${calls.join(', ')}`);
    assert.deepEqual(readFileSync(index), indexBefore);
    assert.equal(statSync(index).mtimeMs, mtimeBefore);
    const objects = (counted: string): number => Number(counted.split(' ')[0]);
    assert.equal(objects(git(repo, 'count-objects')), objects(objectsBefore) + 1, 'only the changed tracked file is stored as an object, no untracked one');

    const clone = tempDir('dl-lab-provenance-clone-');
    git(clone, 'clone', '-q', repo, '.');
    const patchFile = join(tempDir('dl-lab-provenance-patch-'), 'code.patch');
    writeFileSync(patchFile, capture.patch as Buffer);
    const applied = spawnSync('git', ['apply', patchFile], { cwd: clone, encoding: 'utf8' });
    assert.equal(applied.status, 0, `git apply failed: ${applied.stderr}`);
    assert.deepEqual(workingTree(clone, () => false), workingTree(repo, () => false));
  });

  it("new-file diffs are byte for byte git's own for text, no final newline, empty, executable, symlink and quoted names", async () => {
    const repo = initRepo();
    write(repo, 'text.py', 'a\nb\n');
    write(repo, 'no-newline.txt', 'last line');
    write(repo, 'empty.txt', '');
    write(repo, 'tool.sh', '#!/bin/sh\n');
    chmodSync(join(repo, 'tool.sh'), 0o755);
    symlinkSync('text.py', join(repo, 'link.py'));
    write(repo, 'dir with space/ü "q".txt', 'odd\n');
    write(repo, 'tab\tname.txt', 'x\n');
    for (const path of ['text.py', 'no-newline.txt', 'empty.txt', 'tool.sh', 'link.py', 'dir with space/ü "q".txt', 'tab\tname.txt']) {
      const theirs = spawnSync('git', ['diff', '--no-index', '--binary', '--', '/dev/null', path], { cwd: repo });
      const ours = new ByteSink();
      assert.ok(appendNewFileDiff(ours, repo, path, 'sha1'), path);
      assert.deepEqual(ours.bytes().toString('latin1'), theirs.stdout.toString('latin1'), path);
    }
  });

  it('a large file read in pieces gets the same text diff as one read whole, final newline or not', async () => {
    const repo = initRepo();
    const line = 'epoch,step,loss\n';
    write(repo, 'big log.csv', line.repeat(Math.ceil(STREAMED_FILE_BYTES / line.length)) + 'last line, no newline');
    write(repo, 'metrics.csv', line.repeat(Math.ceil(STREAMED_FILE_BYTES / line.length)));
    for (const path of ['big log.csv', 'metrics.csv']) {
      const whole = new ByteSink();
      assert.ok(appendNewFileDiff(whole, repo, path, 'sha1'));
      const streamed = new ByteSink();
      assert.ok(await appendLargeFileDiff(streamed, repo, path, 'sha1', fileKindOf(statSync(join(repo, path)))));
      assert.ok(streamed.bytes().equals(whole.bytes()), path);
    }
  });

  it('a large file that grew or shrank since its lstat is diffed whole, as it is now (binary and text)', async () => {
    const repo = initRepo();
    write(repo, 'best.pt', Buffer.concat([Buffer.alloc(1), randomBytes(STREAMED_FILE_BYTES + 4_320)])); // a NUL: binary
    write(repo, 'log.csv', 'epoch,loss\n'.repeat(STREAMED_FILE_BYTES / 8));
    for (const path of ['best.pt', 'log.csv']) {
      const stats = statSync(join(repo, path));
      for (const [change, size] of [['grew', stats.size - 1000], ['shrank', stats.size + 1000]] as const) {
        // The lstat the diff was planned from saw another size than the file has when it is read.
        const planned = { ...fileKindOf(stats), size };
        const streamed = new ByteSink();
        assert.ok(await appendLargeFileDiff(streamed, repo, path, 'sha1', planned), `${path} ${change}`);
        const whole = new ByteSink();
        assert.ok(appendNewFileDiff(whole, repo, path, 'sha1'));
        assert.ok(streamed.bytes().equals(whole.bytes()), `${path} ${change}: not the whole-read diff of the file as it is`);
      }
    }
  });

  it('assertClean passes a clean tree and names the dirty state otherwise', async () => {
    const repo = initRepo();
    const clean = (await captureGit(repo)).info;
    assert.doesNotThrow(() => assertClean(clean));
    write(repo, 'README.md', 'changed\n');
    write(repo, 'scratch.py', 'x\n');
    const dirty = (await captureGit(repo)).info;
    assert.throws(
      () => assertClean(dirty),
      (error: unknown) =>
        error instanceof UserError &&
        /dirty \(1 tracked file has uncommitted changes, 1 untracked file\)/.test(error.message) &&
        error.details.includes('untracked: scratch.py'),
    );
    const unknown: GitInfo = { available: false, reason: 'not a git repository: /x' };
    assert.throws(() => assertClean(unknown), (error: unknown) => error instanceof UserError && /not a git repository/.test(error.message));
  });

  describe('patch round trip: git apply on the recorded commit in a fresh clone gives the working tree back', () => {
    const latin1 = Buffer.from('caf\xe9 na\xefve\n', 'latin1'); // not UTF-8: must survive as bytes
    const binary = (seed: number): Buffer => Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * seed + (i >> 3)) % 256));

    const makeEveryKindOfChange = (repo: string): void => {
      // staged
      write(repo, 'src/model.py', 'layers = 4\n');
      git(repo, 'add', 'src/model.py');
      // staged, then changed again in the working tree
      write(repo, 'src/data.py', 'batch = 64\n');
      git(repo, 'add', 'src/data.py');
      write(repo, 'src/data.py', 'batch = 128\n');
      // unstaged, deleted (unstaged and staged), renamed, mode change
      write(repo, 'README.md', '# project\nnow with a second line\n');
      rmSync(join(repo, 'old.txt'));
      git(repo, 'rm', '-q', 'gone-staged.txt');
      git(repo, 'mv', 'to-rename.txt', 'renamed.txt');
      chmodSync(join(repo, 'run.sh'), 0o755);
      // tracked binary and non-UTF-8 text changed
      write(repo, 'weights.bin', binary(7));
      write(repo, 'legacy.txt', Buffer.concat([latin1, latin1]));
      // untracked: new file in a new subdirectory, binary, empty, executable, symlink,
      // non-UTF-8, odd name; and a file removed from the index but kept on disk
      write(repo, 'new/deeper/module.py', 'def f():\n    return 1\n');
      write(repo, 'new/blob.bin', binary(13));
      write(repo, 'empty.txt', '');
      write(repo, 'tools/fetch.sh', '#!/bin/sh\necho fetch\n');
      chmodSync(join(repo, 'tools/fetch.sh'), 0o755);
      symlinkSync('src/model.py', join(repo, 'model-link.py'));
      write(repo, 'notes-latin1.txt', latin1);
      write(repo, 'dir with space/ünïcode -dash.txt', 'odd name\n');
      git(repo, 'rm', '-q', '--cached', 'untracked-now.txt');
      // never in the patch: run outputs and ignored files
      write(repo, 'artifacts/runs/M0/manifest.json', '{"x":1}\n');
      write(repo, 'debug.log', 'ignored\n');
    };

    const initialFiles = {
      '.gitignore': '*.log\n',
      'README.md': '# project\n',
      'src/model.py': 'layers = 2\n',
      'src/data.py': 'batch = 32\n',
      'old.txt': 'old\n',
      'gone-staged.txt': 'gone\n',
      'to-rename.txt': 'rename me\n',
      'run.sh': '#!/bin/sh\necho run\n',
      'weights.bin': binary(3),
      'legacy.txt': latin1,
      'untracked-now.txt': 'was tracked\n',
      'artifacts/README.md': 'outputs\n',
    };

    const roundTrip = async (repo: string): Promise<void> => {
      makeEveryKindOfChange(repo);
      const capture = await captureGit(repo);
      const info = available(capture);
      assert.equal(info.dirty, true);
      assert.ok(capture.patch && capture.patch.length > 0);
      assert.equal(info.patch_omitted_files, undefined);
      assert.equal(info.untracked_files.includes('untracked-now.txt'), true);

      const clone = tempDir('dl-lab-provenance-clone-');
      git(clone, 'clone', '-q', repo, '.');
      git(clone, 'checkout', '-q', info.commit);
      const patchFile = join(tempDir('dl-lab-provenance-patch-'), 'code.patch');
      writeFileSync(patchFile, capture.patch);
      const applied = spawnSync('git', ['apply', patchFile], { cwd: clone, encoding: 'utf8' });
      assert.equal(applied.status, 0, `git apply failed: ${applied.stderr}`);

      const skip = (path: string): boolean => path.startsWith('artifacts/') || path.endsWith('.log');
      assert.deepEqual(workingTree(clone, skip), workingTree(repo, skip));
    };

    it('with staged, unstaged, untracked, deleted, renamed, binary, non-UTF-8, symlink and executable changes', async () => {
      await roundTrip(initRepo(initialFiles));
    });

    it('binary untracked files of every line length, and large ones streamed through zlib, beside a tracked change', async () => {
      const repo = initRepo(initialFiles);
      // A NUL first: binary by git's test. Sizes around base85's 4-byte groups and 52-byte lines.
      const binaryOf = (size: number): Buffer => Buffer.concat([Buffer.alloc(1), randomBytes(size - 1)]);
      for (const size of [1, 3, 4, 5, 26, 27, 51, 52, 53, 104, 105, 8000]) write(repo, `bin/${size}.bin`, binaryOf(size));
      write(repo, 'bin/best.pt', binaryOf(STREAMED_FILE_BYTES + 12_345)); // incompressible
      write(repo, 'bin/zeros.pt', Buffer.alloc(2 * STREAMED_FILE_BYTES)); // deflates to almost nothing
      write(repo, 'big.csv', 'x,y\n'.repeat(STREAMED_FILE_BYTES / 4 + 1)); // large, but text: diffed whole
      write(repo, 'README.md', '# project, changed\n');
      const capture = await captureGit(repo);
      assert.equal(available(capture).patch_omitted_files, undefined);
      const patch = capture.patch as Buffer;
      // The streamed file's header carries the blob id git gives it, filled in once it was read.
      const id = git(repo, 'hash-object', 'bin/best.pt');
      assert.ok(patch.includes(`index ${'0'.repeat(40)}..${id}\nGIT binary patch\nliteral ${STREAMED_FILE_BYTES + 12_345}\n`));
      const clone = tempDir('dl-lab-provenance-clone-');
      git(clone, 'clone', '-q', repo, '.');
      const patchFile = join(tempDir('dl-lab-provenance-patch-'), 'code.patch');
      writeFileSync(patchFile, patch);
      const applied = spawnSync('git', ['apply', patchFile], { cwd: clone, encoding: 'utf8' });
      assert.equal(applied.status, 0, `git apply failed: ${applied.stderr}`);
      assert.deepEqual(workingTree(clone, () => false), workingTree(repo, () => false));
    });

    it('also under user git config that changes diff output (noprefix, colour, relative, external diff)', async () => {
      const repo = initRepo(initialFiles);
      git(repo, 'config', 'diff.noprefix', 'true');
      git(repo, 'config', 'diff.mnemonicPrefix', 'true');
      git(repo, 'config', 'color.diff', 'always');
      git(repo, 'config', 'diff.relative', 'true');
      git(repo, 'config', 'diff.external', 'false'); // would print nothing
      git(repo, 'config', 'status.showUntrackedFiles', 'no');
      await roundTrip(repo);
    });
  });
});

describe('provenance: environment capture', () => {
  const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

  /** A directory holding an executable `nvidia-smi` shell script, put first on PATH. */
  const fakeNvidiaSmiOnPath = (script: string): NodeJS.ProcessEnv => {
    const bin = tempDir('dl-lab-provenance-bin-');
    writeFileSync(join(bin, 'nvidia-smi'), `#!/bin/sh\n${script}\n`);
    chmodSync(join(bin, 'nvidia-smi'), 0o755);
    return { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` };
  };
  const H200 = `case "$1" in --query-gpu=*) cat '${join(FIXTURES, 'nvidia-smi-query.csv')}' ;; *) cat '${join(FIXTURES, 'nvidia-smi.txt')}' ;; esac`;

  it('parses real nvidia-smi output of an H200 machine', () => {
    assert.deepEqual(parseNvidiaSmiQueryCsv(fixture('nvidia-smi-query.csv')), [
      {
        name: 'NVIDIA H200',
        driver: '580.159.04',
        memory_mib: 143771,
        uuid: 'GPU-db79d99c-9a63-3f81-6893-128edfa87ffa',
        pci_bus_id: '00000000:00:06.0',
        compute_capability: '9.0',
      },
    ]);
    assert.equal(parseCudaVersion(fixture('nvidia-smi.txt')), '13.0');
    assert.equal(parseCudaVersion('no header here'), null);
  });

  it('reads nvidia-smi columns by header and turns [N/A] into null', () => {
    const csv = 'uuid, name, memory.total [MiB]\nGPU-1, Tesla T4, [N/A]\nGPU-2, Tesla T4, 15360 MiB\n';
    assert.deepEqual(
      parseNvidiaSmiQueryCsv(csv).map((gpu) => [gpu.name, gpu.uuid, gpu.memory_mib, gpu.compute_capability, gpu.driver]),
      [['Tesla T4', 'GPU-1', null, null, null], ['Tesla T4', 'GPU-2', 15360, null, null]],
    );
  });

  it('captures a (fake) nvidia-smi found first on PATH, end to end', async () => {
    const env = fakeNvidiaSmiOnPath(H200);
    const environment = await captureEnvironment({ env, python: false });
    assert.deepEqual(environment.gpu, {
      available: true,
      driver: '580.159.04',
      cuda: '13.0',
      gpus: [{ name: 'NVIDIA H200', memory_mib: 143771, uuid: 'GPU-db79d99c-9a63-3f81-6893-128edfa87ffa', pci_bus_id: '00000000:00:06.0', compute_capability: '9.0' }],
    });
    assertMatchesSchema('environment', environment);
  });

  it('falls back to a query without compute_cap on drivers that do not know it', async () => {
    const csv = 'name, driver_version, memory.total [MiB], uuid, pci.bus_id\\nTesla V100, 470.82.01, 16160 MiB, GPU-9, 00000000:3B:00.0';
    const env = fakeNvidiaSmiOnPath(
      `case "$1" in *compute_cap*) echo 'Field "compute_cap" is not a valid field to query.'; exit 2 ;; --query-gpu=*) printf '${csv}\\n' ;; *) echo '| NVIDIA-SMI 470.82.01  Driver Version: 470.82.01  CUDA Version: 11.4 |' ;; esac`,
    );
    const environment = await captureEnvironment({ env, python: false });
    assert.deepEqual(environment.gpu, {
      available: true,
      driver: '470.82.01',
      cuda: '11.4',
      gpus: [{ name: 'Tesla V100', memory_mib: 16160, uuid: 'GPU-9', pci_bus_id: '00000000:3B:00.0', compute_capability: null }],
    });
  });

  it('records a missing, failing or hanging nvidia-smi as unavailable with the reason, never throws', async () => {
    const noGpu = await captureEnvironment({ env: { PATH: tempDir('dl-lab-provenance-empty-path-') }, python: false });
    assert.deepEqual(noGpu.gpu, { available: false, reason: 'nvidia-smi not found on PATH' });

    const broken = fakeNvidiaSmiOnPath(`echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."; exit 9`);
    const failed = await captureEnvironment({ env: broken, python: false });
    assert.deepEqual(failed.gpu, {
      available: false,
      reason: "nvidia-smi exited with code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    });

    const hung = fakeNvidiaSmiOnPath('exec sleep 30'); // exec: the kill must reach the sleeping process
    const started = performance.now();
    const timedOut = await captureEnvironment({ env: hung, python: false, timeoutMs: 300 });
    assert.deepEqual(timedOut.gpu, { available: false, reason: 'nvidia-smi timed out after 0.3 s' });
    assert.ok(performance.now() - started < 5000);
    assertMatchesSchema('environment', timedOut);
  });

  it('describes python3 with one process, packages as sorted normalized name==version (and times it against pip freeze)', async () => {
    const started = performance.now();
    const python = await capturePython();
    const captureMs = performance.now() - started;
    assert.equal(python.available, true, JSON.stringify(python));
    if (!python.available) return;
    assert.match(python.version, /^3\.\d+/);
    assert.ok(python.packages.length > 0, 'no packages at all?');
    for (const entry of python.packages) assert.match(entry, /^[a-z0-9]+(-[a-z0-9]+)*==\S+$/);
    const names = python.packages.map((entry) => entry.split('==')[0]);
    assert.deepEqual(names, [...names].sort());
    assert.equal(new Set(names).size, names.length);

    const pipStarted = performance.now();
    const pip = spawnSync('python3', ['-m', 'pip', 'freeze'], { encoding: 'utf8' });
    const pipMs = performance.now() - pipStarted;
    console.log(
      `      python capture ${captureMs.toFixed(0)} ms (${python.packages.length} packages) vs python3 -m pip freeze ${pipMs.toFixed(0)} ms` +
        (pip.status === 0 ? ` (${pip.stdout.trim().split('\n').length} lines)` : ' (pip failed)'),
    );
  });

  it('dedupes a distribution installed twice (first on sys.path wins) and normalizes names per PEP 503', () => {
    assert.deepEqual(formatPackages([['Zeta.Pkg', '1'], ['Foo_Bar', '2.0'], ['foo.bar', '1.0'], ['typing-extensions', '4']]), [
      'foo-bar==2.0',
      'typing-extensions==4',
      'zeta-pkg==1',
    ]);
  });

  it('records a missing python as unavailable', async () => {
    const python = await capturePython({ executable: 'python-that-does-not-exist-dl-lab' });
    assert.deepEqual(python, { available: false, reason: 'python-that-does-not-exist-dl-lab not found on PATH' });
  });

  it('keeps allow-listed cluster variables only: secrets never reach the record', async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      SLURM_JOB_ID: '4242',
      SLURM_ARRAY_TASK_ID: '3',
      SLURM_JOB_NODELIST: 'gpu[01-02]',
      SLURM_JOB_ACCOUNT: 'not-allow-listed',
      RANK: '1',
      WORLD_SIZE: '8',
      MASTER_ADDR: 'gpu01',
      CUDA_VISIBLE_DEVICES: '0,1',
      CUBLAS_WORKSPACE_CONFIG: ':4096:8',
      AWS_SECRET_ACCESS_KEY: 'AKIA-very-secret-value',
      WANDB_API_KEY: 'wandb-very-secret-value',
      HF_TOKEN: 'hf-very-secret-value',
    };
    assert.deepEqual(captureCluster(env), {
      slurm: { job_id: '4242', array_task_id: '3', job_nodelist: 'gpu[01-02]' },
      torchrun: { rank: '1', world_size: '8', master_addr: 'gpu01' },
      variables: {
        SLURM_JOB_ID: '4242',
        SLURM_ARRAY_TASK_ID: '3',
        SLURM_JOB_NODELIST: 'gpu[01-02]',
        RANK: '1',
        WORLD_SIZE: '8',
        MASTER_ADDR: 'gpu01',
        CUDA_VISIBLE_DEVICES: '0,1',
        CUBLAS_WORKSPACE_CONFIG: ':4096:8',
      },
    });
    const json = JSON.stringify(await captureEnvironment({ env }));
    for (const leak of ['very-secret', 'AWS_SECRET_ACCESS_KEY', 'WANDB_API_KEY', 'HF_TOKEN', 'SLURM_JOB_ACCOUNT', 'not-allow-listed']) {
      assert.ok(!json.includes(leak), `${leak} leaked into the environment record`);
    }
    assert.deepEqual(captureCluster({}), { slurm: null, torchrun: null, variables: {} });
    assert.equal(CLUSTER_VARIABLE_ALLOW_LIST.length, 27);
  });

  it('captures the whole environment concurrently, matching the schema (and times it)', async () => {
    const started = performance.now();
    const environment = await captureEnvironment();
    const wallMs = performance.now() - started;
    console.log(`      captureEnvironment wall time ${wallMs.toFixed(0)} ms (python ${environment.python.available ? 'yes' : 'no'}, gpu ${environment.gpu.available ? 'yes' : 'no'})`);
    assert.equal(environment.node, process.version);
    assert.ok(environment.os.version.length > 0, 'kernel version string');
    assert.ok(environment.cpu.count >= 1 && environment.memory_bytes > 0);
    assertMatchesSchema('environment', environment);
  });

  it('the schema rejects what the record must never hold', () => {
    const validate = validator('environment');
    const base = { node: 'v20', os: { platform: 'linux', release: 'r', version: 'v' }, arch: 'x64', cpu: { model: null, count: 1, available_parallelism: 1 }, memory_bytes: 1, hostname: 'h', python: { available: false, reason: 'r' }, gpu: { available: false, reason: 'r' } };
    assert.equal(validate({ ...base, cluster: { slurm: null, torchrun: null, variables: {} } }), true);
    assert.equal(validate({ ...base, cluster: { slurm: null, torchrun: null, variables: { WANDB_API_KEY: 'x' } } }), false);
    assert.equal(validate({ ...base, cluster: { slurm: null, torchrun: null, variables: {} }, env: {} }), false);
    assert.equal(validator('git')({ available: true, commit: 'abc' }), false);
  });
});
