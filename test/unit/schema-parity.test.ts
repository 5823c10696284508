import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCHEMAS_DIR, SCHEMA_FILES, type SchemaName } from '../../core/contract/schema-files.js';
import { formatViolation, schemaViolations } from '../../core/contract/validate.js';
import { parseJson } from '../../core/json-file.js';
import { noPythonMessage, pythonsWith, runPython } from '../helpers/python.js';
import { requirePart } from '../helpers/requirement.js';

/**
 * Our schemas must mean the same in ajv (dl-lab) and in Python's jsonschema (the scaffold's
 * validate.py, for Python-only users): one shared set of good and bad files, judged by both.
 * Fixtures: test/fixtures/schema-parity/{good,bad}/<schema>/*.json, <schema> naming schemas/<schema>.schema.json.
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/schema-parity/', import.meta.url));
const VERDICTS_PY = fileURLToPath(new URL('../helpers/schema_verdicts.py', import.meta.url));
const VALIDATE_PY = fileURLToPath(new URL('../../generators/app/templates/src/package/validate.py', import.meta.url));

interface Fixture { name: string; expected: 'good' | 'bad'; schema: SchemaName }
interface Verdict { valid: boolean; errors: string[] }

const schemaNamed = (dir: string): SchemaName => {
  const entry = Object.entries(SCHEMA_FILES).find(([, file]) => file === `${dir}.schema.json`);
  if (!entry) throw new Error(`test/fixtures/schema-parity/*/${dir}/: no schemas/${dir}.schema.json`);
  return entry[0] as SchemaName;
};

const fixtures: Fixture[] = (['good', 'bad'] as const).flatMap((expected) =>
  readdirSync(join(FIXTURES, expected)).flatMap((dir) =>
    readdirSync(join(FIXTURES, expected, dir))
      .filter((file) => file.endsWith('.json'))
      .map((file) => ({ name: `${expected}/${dir}/${file}`, expected, schema: schemaNamed(dir) })),
  ),
);

/** dl-lab's own judgement: parseJson (refuses NaN/Infinity) then ajv. */
const ajvVerdict = ({ name, schema }: Fixture): Verdict => {
  let value: unknown;
  try {
    value = parseJson(readFileSync(join(FIXTURES, name), 'utf8'), name);
  } catch (error) {
    return { valid: false, errors: [(error as Error).message] };
  }
  const errors = schemaViolations(schema, value, name).map(formatViolation);
  return { valid: errors.length === 0, errors };
};

describe('schema parity: ajv and Python jsonschema judge the same files alike', () => {
  it('the shared fixture set has good and bad examples for the run schemas and metrics-input', () => {
    const count = (expected: string) => fixtures.filter((f) => f.expected === expected).length;
    assert.ok(count('good') >= 3 && count('bad') >= 8, `${count('good')} good, ${count('bad')} bad`);
    const covered = new Set(fixtures.map((f) => f.schema));
    for (const schema of ['manifest', 'summary', 'analysis', 'checkpoint', 'metricsInput'] as const) assert.ok(covered.has(schema), schema);
  });

  it('ajv: every good example is valid, every bad one invalid', () => {
    for (const fixture of fixtures) {
      const verdict = ajvVerdict(fixture);
      assert.equal(verdict.valid, fixture.expected === 'good', `${fixture.name}: ${verdict.errors.join('; ')}`);
    }
  });

  // Every interpreter found is checked: Debian's jsonschema 4.10 takes validate.py's RefResolver
  // path, a pip jsonschema >= 4.18 its `referencing` Registry path.
  const pythons = pythonsWith(['jsonschema']);
  if (pythons.length === 0) {
    it('Python jsonschema gives the same verdicts (no interpreter with jsonschema)', function () {
      requirePart(this, false, noPythonMessage(['jsonschema']));
    });
  }
  for (const python of pythons) {
    it(`${python.executable} (jsonschema ${python.versions.jsonschema}): the same verdict as ajv for every example`, () => {
      const result = runPython(python, [VERDICTS_PY, VALIDATE_PY, SCHEMAS_DIR, FIXTURES], { cwd: FIXTURES });
      assert.equal(result.status, 0, result.stderr);
      const { verdicts } = JSON.parse(result.stdout) as { verdicts: Record<string, Verdict> };
      assert.deepEqual(Object.keys(verdicts).sort(), fixtures.map((f) => f.name).sort());
      const disagreements = fixtures
        .map((fixture) => ({ fixture, ajv: ajvVerdict(fixture), python: verdicts[fixture.name] }))
        .filter(({ ajv, python: py }) => ajv.valid !== py.valid)
        .map(({ fixture, ajv, python: py }) => `${fixture.name}: ajv ${ajv.valid ? 'valid' : 'invalid'}, python ${py.valid ? 'valid' : `invalid (${py.errors.join('; ')})`}`);
      assert.deepEqual(disagreements, []);
    });
  }
});
