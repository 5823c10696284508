// The dataset types are the ones generated from schemas/datasets.schema.json (the single source of
// truth), under the names the dataset code uses.

/** Registry path relative to the project root; also recorded in every manifest entry. */
export const REGISTRY_PATH = 'knowledge_base/data/datasets.json';
/** What the registry is written as; 1.0 registries (per-file lists inline) still load. */
export const REGISTRY_SCHEMA_VERSION = '1.1';

export type {
  DatasetRecord,
  FileEntry as DatasetFile,
  DlLabDatasetRegistry as DatasetRegistry,
  Drift as DatasetDrift,
  ManifestEntry as ManifestDataEntry,
  GeneratedEntry as GeneratedDataEntry,
} from '../contract/generated/datasets.js';
