import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dlLabCommand, inLauncherTerms } from '../../core/invocation.js';
import { npmLocalPrefix, npxPrefixOf } from '../../core/npx-start.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';

describe('invocation: printed commands name what the user started', () => {
  after(cleanupTempDirs);

  it('dl-lab <command> through the bin, yo dl-lab:<command> through yo', () => {
    assert.equal(dlLabCommand('demo', '--seed 0', 'dl-lab'), 'dl-lab demo --seed 0');
    assert.equal(dlLabCommand('demo', '--seed 0', 'yo'), 'yo dl-lab:demo --seed 0');
    assert.equal(dlLabCommand(undefined, '--name p', 'dl-lab'), 'dl-lab --name p');
    assert.equal(dlLabCommand(undefined, '--name p', 'yo'), 'yo dl-lab --name p');
    assert.equal(dlLabCommand('verify', '', 'yo'), 'yo dl-lab:verify');
  });

  it('under yo, USAGE example lines read as yo commands; prose is left alone', () => {
    const usage = 'Description:\n    Writes what `dl-lab paper` cites; see dl-lab verify.\n\nExamples:\n    dl-lab paper demo-seed0\n    dl-lab --name p\n    yo dl-lab:paper x\n';
    assert.equal(inLauncherTerms(usage, 'dl-lab'), usage);
    assert.equal(
      inLauncherTerms(usage, 'yo'),
      'Description:\n    Writes what `dl-lab paper` cites; see dl-lab verify.\n\nExamples:\n    yo dl-lab:paper demo-seed0\n    yo dl-lab --name p\n    yo dl-lab:paper x\n',
    );
  });

  describe('started by npx', () => {
    /** What npm (11.19, as checked) puts in the environment of the command npx runs (`npx dl-lab demo` in /p). */
    const npxEnv = (script: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
      npm_command: 'exec',
      npm_lifecycle_event: 'npx',
      npm_lifecycle_script: script,
      npm_config_local_prefix: '/p',
      ...extra,
    });

    it('is read from npm\'s variables only when npx\'s own command was the bin (children inherit them)', () => {
      assert.equal(npxPrefixOf('dl-lab', npxEnv("'dl-lab'")), '/p');
      assert.equal(npxPrefixOf('yo', npxEnv("'yo'")), '/p');
      assert.equal(npxPrefixOf('dl-lab', npxEnv('dl-lab demo --seed 0')), '/p', 'npx -c "dl-lab demo --seed 0"');
      assert.equal(npxPrefixOf('dl-lab', npxEnv("'yo'")), undefined);
      assert.equal(npxPrefixOf('yo', npxEnv("'mocha'")), undefined, 'npx mocha running yeoman-test');
      assert.equal(npxPrefixOf('dl-lab', npxEnv("'dl-lab-other'")), undefined);
      assert.equal(npxPrefixOf('dl-lab', npxEnv("'dl-lab'", { npm_config_package: 'generator-dl-lab' })), undefined, 'npx -p: npx dl-lab alone may find another package');
      assert.equal(npxPrefixOf('dl-lab', { npm_command: 'test', npm_lifecycle_event: 'test', npm_lifecycle_script: 'npm run build && mocha', npm_config_local_prefix: '/p' }), undefined, 'npm test');
      assert.equal(npxPrefixOf('dl-lab', {}), undefined);
    });

    it('npm\'s local prefix: the nearest folder with a package.json or node_modules, else the folder itself', () => {
      const root = tempDir();
      mkdirSync(join(root, 'pkg/a/b'), { recursive: true });
      writeFileSync(join(root, 'pkg/package.json'), '{}');
      mkdirSync(join(root, 'proj/node_modules'), { recursive: true });
      assert.equal(npmLocalPrefix(join(root, 'pkg/a/b')), join(root, 'pkg'));
      assert.equal(npmLocalPrefix(join(root, 'pkg/not-yet/made')), join(root, 'pkg'));
      assert.equal(npmLocalPrefix(join(root, 'proj')), join(root, 'proj'));
    });

    it('`npx dl-lab …` from a folder with the same prefix; from another, `npx --prefix <prefix> dl-lab …` (also under yo)', () => {
      const root = tempDir();
      const clone = join(root, 'clone');
      mkdirSync(join(clone, 'sub'), { recursive: true });
      writeFileSync(join(clone, 'package.json'), '{}');
      const outside = join(root, 'my project');
      mkdirSync(outside);
      writeFileSync(join(outside, 'package.json'), '{}');
      const bin = { launcher: 'dl-lab', npxPrefix: clone } as const;
      const yo = { launcher: 'yo', npxPrefix: clone } as const;
      assert.equal(dlLabCommand('demo', '--seed 1', bin, clone), 'npx dl-lab demo --seed 1');
      assert.equal(dlLabCommand('demo', '--seed 0', bin, join(clone, 'sub')), 'npx dl-lab demo --seed 0');
      assert.equal(dlLabCommand('demo', '--seed 0', yo, join(clone, 'new-project')), 'npx yo dl-lab:demo --seed 0');
      assert.equal(dlLabCommand(undefined, '--name p', yo, clone), 'npx yo dl-lab --name p');
      assert.equal(dlLabCommand('demo', '--seed 0', bin, outside), `npx --prefix ${clone} dl-lab demo --seed 0`);
      // yo finds generators only in node_modules above the folder it runs in: there, the package's own bin.
      assert.equal(dlLabCommand('demo', '--seed 0', yo, outside), `npx --prefix ${clone} dl-lab demo --seed 0`);
      const spaced = { launcher: 'dl-lab', npxPrefix: outside } as const;
      assert.equal(dlLabCommand('verify', '', spaced, clone), `npx --prefix '${outside}' dl-lab verify`);
      assert.equal(inLauncherTerms('Examples:\n    dl-lab demo --seed 0\n', { launcher: 'dl-lab', npxPrefix: process.cwd() }), 'Examples:\n    npx dl-lab demo --seed 0\n');
    });
  });
});
