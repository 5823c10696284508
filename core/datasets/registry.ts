import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJson, stringifyJson } from '../json-file.js';
import { writeFileAtomic } from '../atomic-write.js';
import { compareUtf8, datasetDigest } from './digest.js';
import { escapePointer } from '../contract/definitions.js';
import { schemaViolations, throwIfViolations, type Violation } from '../contract/validate.js';
import { REGISTRY_PATH, REGISTRY_SCHEMA_VERSION, type DatasetRegistry } from './types.js';

export const registryFile = (projectRoot: string): string => join(projectRoot, REGISTRY_PATH);

export const emptyRegistry = (): DatasetRegistry => ({ schema_version: REGISTRY_SCHEMA_VERSION, datasets: {} });

/**
 * The project's registry, validated; an empty one if the file does not exist yet. A file that is
 * not JSON, breaks the schema or contradicts itself is a UserError naming the file and the JSON
 * pointer of the first problem (all problems in `details`), never silently replaced.
 */
export async function readRegistry(projectRoot: string): Promise<DatasetRegistry> {
  let text: string;
  try {
    text = await readFile(registryFile(projectRoot), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyRegistry();
    throw error;
  }
  // Shared parser: same message shape and field ('/') as every other JSON file the CLI reads.
  const data = parseJson(text, REGISTRY_PATH);
  assertValidRegistry(data);
  return data;
}

/** Validates, then writes atomically (a reader sees the old or the new registry, never half). */
export async function writeRegistry(projectRoot: string, registry: DatasetRegistry): Promise<void> {
  assertValidRegistry(registry);
  await writeFileAtomic(registryFile(projectRoot), serializeRegistry(registry));
}

/** Stable output (datasets by name) so the committed file diffs cleanly. */
export function serializeRegistry(registry: DatasetRegistry): string {
  const names = Object.keys(registry.datasets).sort(compareUtf8);
  const datasets = Object.fromEntries(names.map((name) => [name, registry.datasets[name]]));
  return stringifyJson({ schema_version: registry.schema_version, datasets });
}

/** Schema first, then what a schema cannot say: derived fields must agree with `files`. */
export function assertValidRegistry(data: unknown): asserts data is DatasetRegistry {
  const violations = schemaViolations('datasets', data, REGISTRY_PATH);
  if (violations.length === 0) violations.push(...consistencyViolations(data as DatasetRegistry));
  throwIfViolations(violations, `${REGISTRY_PATH} is not a valid dataset registry`);
}

function consistencyViolations(registry: DatasetRegistry): Violation[] {
  const violations: Violation[] = [];
  for (const [key, record] of Object.entries(registry.datasets)) {
    const at = (field: string): string => `/datasets/${escapePointer(key)}/${field}`;
    const add = (field: string, message: string): void => {
      violations.push({ file: REGISTRY_PATH, pointer: at(field), message });
    };
    if (record.name !== key) add('name', `must equal its key "${key}"`);
    // A list kept beside the registry (1.1) is checked against the record when it is read (file-list.ts).
    const files = record.files;
    if (files === undefined) continue;
    if (record.file_count !== files.length) add('file_count', `must equal the number of files (${files.length})`);
    const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
    if (record.bytes !== bytes) add('bytes', `must equal the sum of file sizes (${bytes})`);
    const unsorted = files.findIndex((file, i) => i > 0 && compareUtf8(files[i - 1].path, file.path) >= 0);
    if (unsorted !== -1) add(`files/${unsorted}/path`, 'must sort after the previous path (files are sorted by UTF-8 bytes, without duplicates)');
    else if (record.digest !== datasetDigest(files)) add('digest', 'does not match the files listed (was the file edited by hand?)');
  }
  return violations;
}
