// The dataset types are the ones generated from schemas/datasets.schema.json (the single source of
// truth), under the names the dataset code uses.

/** Registry path relative to the project root; also recorded in every manifest entry. */
export const REGISTRY_PATH = 'knowledge_base/data/datasets.json';
export const REGISTRY_SCHEMA_VERSION = '1.0';

export type {
  DatasetRecord,
  FileEntry as DatasetFile,
  DlLabDatasetRegistry as DatasetRegistry,
  Drift as DatasetDrift,
  ManifestEntry as ManifestDataEntry,
  GeneratedEntry as GeneratedDataEntry,
} from '../contract/generated/datasets.js';
