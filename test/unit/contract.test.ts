import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMAS_DIR, SCHEMA_FILES } from '../../core/contract/schema-files.js';
import { schemaViolations } from '../../core/contract/validate.js';
import { undefinedKeyViolations } from '../../core/contract/definitions.js';
import { sealDigest } from '../../core/run/outputs.js';
import { loadMetricsInput } from '../../core/metrics-input.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';
import { writeFileSync } from 'node:fs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe('the run contract (schemas/)', () => {
  after(cleanupTempDirs);

  it('every schema file is JSON Schema 2020-12 with an $id, and every one is registered', () => {
    const files = readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json')).sort();
    assert.deepEqual(files, Object.values(SCHEMA_FILES).sort());
    for (const file of files) {
      const schema = JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8'));
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', file);
      assert.equal(schema.$id, `https://dl-lab.dev/schemas/v1/${file}`, file);
    }
  });

  it('the generated TypeScript types are up to date with the schemas', () => {
    execFileSync(process.execPath, [join(REPO, 'scripts/gen-types.mjs'), '--check'], { cwd: REPO, stdio: 'pipe' });
  });

  it('reports each violation with its JSON pointer and a readable message', () => {
    const violations = schemaViolations('summary', { schema_version: '1.0', tag: 'a/b', demo: 'yes', metrics: { x: 'high' }, extra: 1 }, 'summary.json');
    const text = violations.map((v) => `${v.pointer || '/'} ${v.message}`);
    assert.ok(text.includes("/metric_definitions missing required field 'metric_definitions'"), text.join('\n'));
    assert.ok(text.includes("/extra unknown field 'extra'"), text.join('\n'));
    assert.ok(text.includes('/tag must match pattern "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"'), text.join('\n'));
    assert.ok(text.includes('/demo must be boolean'), text.join('\n'));
    assert.ok(text.includes('/metrics/x must be number'), text.join('\n'));
  });

  it('rejects paths that leave the project: absolute, .., backslashes', () => {
    for (const path of ['/etc/passwd', '../x', 'a/../../b', 'a\\b', '..', '~/x']) {
      const best = schemaViolations('summary', {
        schema_version: '1.0', tag: 't', demo: false, metrics: {}, metric_definitions: { k: { definition: 'd', unit: 'u', higher_is_better: true } },
        primary_metric: 'k', best_checkpoint: { path, selected_by: 'k', epoch: 1, metric_value: 1 },
      }, 'summary.json');
      assert.ok(best.some((v) => v.pointer === '/best_checkpoint/path'), `${path} refused`);
    }
  });

  it('finds every key used without a definition', () => {
    const violations = undefinedKeyViolations({ a: {} }, [
      { file: 's.json', pointer: '/metrics', keys: ['a', 'b/c'] },
      { file: 's.json', pointer: '/primary_metric', keys: 'z' },
    ]);
    assert.deepEqual(violations.map((v) => v.pointer), ['/metrics/b~1c', '/primary_metric']);
  });

  it('the seal is sha256 over sha256sum-format lines sorted by path', () => {
    const outputs = [{ path: 'b.json', sha256: 'b'.repeat(64) }, { path: 'a.json', sha256: 'a'.repeat(64) }];
    const expected = execFileSync('sha256sum', { input: `${'a'.repeat(64)}  a.json\n${'b'.repeat(64)}  b.json\n`, encoding: 'utf8' }).split(' ')[0];
    assert.equal(sealDigest(outputs), expected);
  });

  it('a metrics file with nested values, NaN or an undefined primary metric is refused with file and pointer', () => {
    const dir = tempDir();
    const cases: Array<[string, RegExp]> = [
      ['{"metrics":{"a":{"b":1}},"metric_definitions":{},"primary_metric":"a","results":{}}', /m\.json: \/metrics\/a: must be number/],
      ['{"metrics":{"a":NaN}}', /not valid JSON.*JSON has no NaN or Infinity/s],
      ['{"metrics":{"a":1},"metric_definitions":{"a":{"definition":"d","unit":"u","higher_is_better":true}},"primary_metric":"b","results":{}}', /m\.json: \/primary_metric: 'b' has no entry in metric_definitions/],
      ['[]', /m\.json: \/: must be object/],
    ];
    for (const [text, error] of cases) {
      writeFileSync(join(dir, 'm.json'), text);
      assert.throws(() => loadMetricsInput(join(dir, 'm.json'), 'm.json'), error);
    }
  });
});
