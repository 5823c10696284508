import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** What a tool that reads dl-lab runs imports: `generator-dl-lab` and its schemas, resolved through package.json `exports`. */
describe('package exports (built package)', () => {
  const importFromPackage = (code: string) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO, encoding: 'utf8' });

  it('import "generator-dl-lab" gives the verification API', () => {
    const result = importFromPackage("const m = await import('generator-dl-lab'); console.log([typeof m.verifyRun, typeof m.schemaViolations, typeof m.sealDigest].join(' '))");
    assert.equal(result.stderr, '');
    assert.equal(result.stdout.trim(), 'function function function');
  });

  it('generator-dl-lab/schemas/<name>.schema.json resolves to the shipped schema', () => {
    const result = importFromPackage("import { createRequire } from 'node:module'; console.log(createRequire(process.cwd() + '/').resolve('generator-dl-lab/schemas/manifest.schema.json'))");
    assert.equal(result.stderr, '');
    assert.equal(result.stdout.trim(), `${REPO}schemas/manifest.schema.json`);
  });
});
