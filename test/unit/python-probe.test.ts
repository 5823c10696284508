// The Python probe lists installed distributions itself instead of through importlib.metadata
// (see core/provenance/python-probe.ts). Here both ways run on every interpreter this machine
// has, on its real site-packages and on a folder of odd installs, and must print the same bytes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON_PROBE } from '../../core/provenance/python-probe.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

after(cleanupTempDirs);

/** Debian's python3, the one on PATH, and every pyenv version from 3.8 on: each resolved once. */
const interpreters = (): string[] => {
  const candidates = ['/usr/bin/python3', 'python3'];
  const pyenvRoot = spawnSync('pyenv', ['root'], { encoding: 'utf8' });
  if (pyenvRoot.status === 0) {
    const versions = join(pyenvRoot.stdout.trim(), 'versions');
    for (const version of existsSync(versions) ? readdirSync(versions) : []) {
      if (/^3\.(8|9|\d\d)\./.test(version)) candidates.push(join(versions, version, 'bin', 'python3'));
    }
  }
  const byExecutable = new Map<string, string>();
  for (const command of candidates) {
    const probe = spawnSync(command, ['-c', 'import os, sys; print(os.path.realpath(sys.executable))'], { encoding: 'utf8' });
    if (probe.status === 0 && !byExecutable.has(probe.stdout.trim())) byExecutable.set(probe.stdout.trim(), command);
  }
  return [...byExecutable.values()];
};

interface ProbeOutput { executable: string; version: string; packages: Array<[string, string]> }

const probe = (python: string, mode: 'auto' | 'scan' | 'importlib', pythonPath?: string): { stdout: string; parsed: ProbeOutput } => {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  if (pythonPath === undefined) delete env.PYTHONPATH;
  else env.PYTHONPATH = pythonPath;
  const result = spawnSync(python, ['-c', PYTHON_PROBE, ...(mode === 'auto' ? [] : [mode])], { encoding: 'utf8', env });
  assert.equal(result.status, 0, `${python} ${mode}: ${result.stderr}`);
  return { stdout: result.stdout, parsed: JSON.parse(result.stdout) as ProbeOutput };
};

const write = (root: string, path: string, content: string | Buffer): void => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), content);
};

/** Installs the way real tools leave them, and the ways they go wrong. */
const oddInstalls = (): { site: string; egg: string; zip: string } => {
  const site = tempDir('dl-lab-probe-site-');
  write(site, 'b_pkg-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\nName: b_pkg\nVersion: 1.0\n');
  write(site, 'a-2.0.dist-info/METADATA', 'Metadata-Version: 2.1\r\nName: A\r\nVersion: 2.0\r\n\r\nName: not-a-header\r\n');
  write(site, 'B.Pkg-0.9.dist-info/METADATA', 'Name: B.Pkg\nVersion: 0.9\n'); // same lookup group as b_pkg
  mkdirSync(join(site, 'broken-1.dist-info')); // no METADATA at all
  write(site, 'folded-1.dist-info/METADATA', 'Name: folded\nVersion: 1.0\n  .post1\nSummary: x\n');
  write(site, 'fromline-1.dist-info/METADATA', 'From nobody\nName: fromline\nVersion: 3\n');
  write(site, 'old-1.0.egg-info', 'Metadata-Version: 1.0\nName: old\nVersion: 1.0\n'); // a file, not a folder
  write(site, 'pkginfo-2.egg-info/PKG-INFO', 'Metadata-Version: 1.1\nName: pkginfo\nVersion: 2\n');
  write(site, 'latin-1.dist-info/METADATA', Buffer.from('Name: latin\nVersion: 1\nSummary: caf\xe9\n', 'latin1'));
  write(site, 'noversion-1.dist-info/METADATA', 'Name: noversion\n');
  write(site, 'weird-1.dist-info/METADATA', 'Metadata-Version: 2.1\nBad Header: x\nName: weird\nVersion: 1\n');
  write(site, 'dup-1.dist-info/METADATA', 'Name: dup\nname: dup2\nVersion: 1\nVERSION: 2\n');
  write(site, 'empty-1.dist-info/METADATA', '');
  write(site, 'empty-1.dist-info/PKG-INFO', 'Name: empty\nVersion: 1.1\n');
  write(site, 'colon-1.dist-info/METADATA', ':oops\nName: colon\nVersion: 5\n');
  write(site, 'UPPER-1.DIST-INFO/METADATA', 'Name: UPPER\nVersion: 4\n');
  write(site, 'spaced-1.dist-info/METADATA', 'Name:   spaced  \nVersion:\t7\n');
  const egg = join(site, 'thing-1.0-py3.egg');
  write(egg, 'EGG-INFO/PKG-INFO', 'Metadata-Version: 1.1\nName: thing\nVersion: 1.0\n');
  const zip = join(tempDir('dl-lab-probe-zip-'), 'zipped.zip');
  const made = spawnSync('python3', ['-c', 'import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z: z.writestr("zipped-1.dist-info/METADATA", "Name: zipped\\nVersion: 1\\n")', zip]);
  assert.equal(made.status, 0, String(made.stderr));
  return { site, egg, zip };
};

describe('python probe: its own scan of installed distributions', function () {
  this.timeout(120_000);
  const pythons = interpreters();

  it('finds at least one interpreter to compare on', () => {
    assert.ok(pythons.length > 0, 'no python3 at all');
  });

  for (const python of pythons) {
    it(`prints exactly what importlib.metadata gives, on ${python}'s own environment`, () => {
      const reference = probe(python, 'importlib');
      assert.equal(probe(python, 'auto').stdout, reference.stdout);
      const version = reference.parsed.version.split('.').map(Number);
      // From 3.10 on the scan itself is compared too (before, the probe always asks importlib).
      if (version[0] === 3 && version[1] >= 10) assert.equal(probe(python, 'scan').stdout, reference.stdout);
    });
  }

  it('reads odd installs the way importlib.metadata does: grouping, CRLF, files, eggs, folded and broken headers', function () {
    const modern = pythons.filter((python) => {
      const [major, minor] = probe(python, 'importlib').parsed.version.split('.').map(Number);
      return major === 3 && minor >= 10;
    });
    if (modern.length === 0) this.skip();
    const { site, egg } = oddInstalls();
    for (const python of modern) {
      const reference = probe(python, 'importlib', `${site}:${egg}`);
      assert.equal(probe(python, 'scan', `${site}:${egg}`).stdout, reference.stdout, python);
      assert.equal(probe(python, 'auto', `${site}:${egg}`).stdout, reference.stdout, python);
      const ours = new Set(['b_pkg', 'A', 'B.Pkg', 'folded', 'fromline', 'old', 'pkginfo', 'dup', 'empty', 'colon', 'UPPER', 'spaced  ', 'thing', 'latin', 'noversion', 'weird', 'broken']);
      const listed = reference.parsed.packages.filter(([name]) => ours.has(name));
      // Same bytes as importlib is the point; these values show the odd cases were really read
      // (importlib.metadata re-indents a folded value and keeps a name's trailing blanks).
      assert.deepEqual(new Map(listed), new Map([
        ['b_pkg', '1.0'], ['B.Pkg', '0.9'], ['A', '2.0'], ['folded', '      1.0\n.post1'], ['fromline', '3'], ['old', '1.0'],
        ['pkginfo', '2'], ['dup', '1'], ['empty', '1.1'], ['colon', '5'], ['UPPER', '4'], ['spaced  ', '7'], ['thing', '1.0'],
      ]));
      // Lookup order: b_pkg and B.Pkg are one group, listed together wherever the first one is.
      const names = listed.map(([name]) => name);
      assert.equal(names.indexOf('B.Pkg') - names.indexOf('b_pkg'), names.indexOf('b_pkg') < names.indexOf('B.Pkg') ? 1 : -1);
    }
  });

  it('leaves a zip on sys.path to importlib.metadata, which reads its members', function () {
    const python = pythons.find((candidate) => probe(candidate, 'importlib').parsed.version.startsWith('3.1'));
    if (python === undefined) this.skip();
    const { zip } = oddInstalls();
    const reference = probe(python, 'importlib', zip);
    assert.deepEqual(reference.parsed.packages.find(([name]) => name === 'zipped'), ['zipped', '1']);
    assert.equal(probe(python, 'auto', zip).stdout, reference.stdout);
  });
});
