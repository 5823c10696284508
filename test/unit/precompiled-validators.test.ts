import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { SCHEMAS_DIR, SCHEMA_FILES, type SchemaName } from '../../core/contract/schema-files.js';
import type { PrecompiledValidators } from '../../core/contract/precompiled-validators.js';
import { createContractAjv, PRECOMPILED_DEFINITIONS } from '../../core/contract/validate.js';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fs.js';
import { scaffoldProject } from '../helpers/project.js';

/**
 * The built package validates with ajv code compiled at build time (scripts/build.mjs writes
 * dist/core/contract/precompiled-validators.js); everything else compiles the schemas with ajv at
 * run time. Both must judge every document the same way, with the same errors.
 */
const BUILT = fileURLToPath(new URL('../../dist/core/contract/precompiled-validators.js', import.meta.url));
const PARITY_FIXTURES = fileURLToPath(new URL('../fixtures/schema-parity/', import.meta.url));
const NAMES = Object.keys(SCHEMA_FILES) as SchemaName[];

const loadPrecompiled = async (): Promise<PrecompiledValidators> => {
  assert.ok(existsSync(BUILT), `${BUILT} is missing: run \`npm run build\` first (npm test does)`);
  const module = (await import(pathToFileURL(BUILT).href)) as { PRECOMPILED_VALIDATORS?: PrecompiledValidators };
  assert.ok(module.PRECOMPILED_VALIDATORS, 'the build left the placeholder instead of the generated validators');
  return module.PRECOMPILED_VALIDATORS;
};

const parseJsonOrUndefined = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Variants of a valid document that break it in the ways users do: missing, null, wrong-typed, extra fields. */
const mutations = (doc: unknown): unknown[] => {
  if (doc === null || typeof doc !== 'object') return [];
  const out: unknown[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (value === null || typeof value !== 'object' || path.length > 3) return;
    for (const [key, child] of Object.entries(value)) {
      for (const replacement of [undefined, null, 42, -1.5, 'x', '', true, [], {}, 'not-a-date']) {
        const copy = structuredClone(doc) as Record<string, unknown>;
        let parent: Record<string, unknown> = copy;
        for (const step of path) parent = parent[step] as Record<string, unknown>;
        if (replacement === undefined) delete parent[key];
        else parent[key] = replacement;
        out.push(copy);
      }
      walk(child, [...path, key]);
    }
    const extra = structuredClone(doc) as Record<string, unknown>;
    let parent: Record<string, unknown> = extra;
    for (const step of path) parent = parent[step] as Record<string, unknown>;
    if (!Array.isArray(parent)) parent.unexpected_field = 1;
    out.push(extra);
  };
  walk(doc, []);
  return out;
};

describe('precompiled validators (dist) match the schemas', function () {
  this.timeout(180_000);
  after(cleanupTempDirs);

  it('were compiled from the schema files as they are now', async () => {
    const precompiled = await loadPrecompiled();
    assert.deepEqual(Object.keys(precompiled.validators).sort(), [...NAMES].sort());
    assert.deepEqual(Object.keys(precompiled.definitions).sort(), [...PRECOMPILED_DEFINITIONS].sort());
    for (const name of NAMES) {
      const sha256 = createHash('sha256').update(readFileSync(join(SCHEMAS_DIR, SCHEMA_FILES[name]))).digest('hex');
      assert.equal(precompiled.schemaSha256[name], sha256, `${SCHEMA_FILES[name]} changed since the build`);
    }
  });

  it('judge real runs, the parity fixtures and thousands of broken variants exactly like ajv at run time', async () => {
    const precompiled = await loadPrecompiled();
    const ajv = createContractAjv();
    const runtime = (name: SchemaName): ValidateFunction => ajv.getSchema(JSON.parse(readFileSync(join(SCHEMAS_DIR, SCHEMA_FILES[name]), 'utf8')).$id)!;

    // Documents of real runs: a demo and a wiring run written by the built CLI.
    const project = await scaffoldProject();
    const demoDir = join(tempDir('dl-lab-precompiled-'), 'demo');
    for (const args of [['demo', '--seed', '3', '--epochs', '3', '--out-dir', demoDir, '--quiet'], ['run', 'M0-precompiled', '--quiet']]) {
      const result = runCli(args, { cwd: project });
      assert.equal(result.status, 0, result.stderr);
    }
    const runFiles: Array<[SchemaName, string]> = [
      ['manifest', 'manifest.json'], ['summary', 'summary.json'], ['analysis', 'analysis.json'], ['checkpoint', 'checkpoints/best.json'],
    ];
    const documents: Array<[SchemaName, unknown]> = [];
    for (const dir of [demoDir, join(project, 'artifacts/runs/M0-precompiled')]) {
      for (const [name, file] of runFiles) documents.push([name, JSON.parse(readFileSync(join(dir, file), 'utf8'))]);
    }
    documents.push(['config', JSON.parse(readFileSync(join(project, 'configs/default.json'), 'utf8'))]);
    for (const verdict of ['good', 'bad']) {
      for (const dir of readdirSync(join(PARITY_FIXTURES, verdict))) {
        const name = NAMES.find((n) => SCHEMA_FILES[n] === `${dir}.schema.json`)!;
        for (const file of readdirSync(join(PARITY_FIXTURES, verdict, dir)).filter((f) => f.endsWith('.json'))) {
          const parsed = parseJsonOrUndefined(readFileSync(join(PARITY_FIXTURES, verdict, dir, file), 'utf8'));
          if (parsed !== undefined) documents.push([name, parsed]); // the others are not JSON: no schema ever sees them
        }
      }
    }

    let compared = 0;
    let invalid = 0;
    for (const [name, doc] of documents) {
      for (const candidate of [doc, ...mutations(doc)]) {
        const expected = runtime(name);
        const actual = precompiled.validators[name];
        const ok = actual(candidate);
        assert.equal(ok, expected(candidate), `${name}: valid/invalid differs`);
        assert.deepEqual(actual.errors ?? null, expected.errors ?? null, `${name}: errors differ`);
        compared++;
        if (!ok) invalid++;
      }
    }
    assert.ok(compared > 1000 && invalid > 500, `compared ${compared} documents, ${invalid} invalid`);

    // The $defs validated on their own: a history and a dataset record, as the CLI wrote them.
    mkdirSync(join(project, 'data/tiny'), { recursive: true });
    writeFileSync(join(project, 'data/tiny/a.csv'), 'x,y\n1,2\n');
    const add = runCli(['data', 'add', 'data/tiny', '--name', 'tiny', '--license', 'CC-BY-4.0', '--url', 'https://example.org/tiny'], { cwd: project });
    assert.equal(add.status, 0, add.stderr);
    const definitionDocuments: Record<string, unknown> = {
      'common#history': JSON.parse(readFileSync(join(demoDir, 'analysis.json'), 'utf8')).history,
      'datasets#dataset_record': JSON.parse(readFileSync(join(project, 'knowledge_base/data/datasets.json'), 'utf8')).datasets.tiny,
    };
    let definitionsCompared = 0;
    for (const key of PRECOMPILED_DEFINITIONS) {
      const [name, definition] = key.split('#') as [SchemaName, string];
      const expected = ajv.getSchema(`${JSON.parse(readFileSync(join(SCHEMAS_DIR, SCHEMA_FILES[name]), 'utf8')).$id}#/$defs/${definition}`)!;
      const actual = precompiled.definitions[key];
      assert.ok(definitionDocuments[key] !== undefined, key);
      for (const candidate of [definitionDocuments[key], ...mutations(definitionDocuments[key])]) {
        assert.equal(actual(candidate), expected(candidate), `${key}: valid/invalid differs`);
        assert.deepEqual(actual.errors ?? null, expected.errors ?? null, `${key}: errors differ`);
        definitionsCompared++;
      }
    }
    assert.ok(definitionsCompared > 100, `compared ${definitionsCompared} documents against the $defs`);
  });
});
