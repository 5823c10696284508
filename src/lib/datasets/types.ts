// TypeScript mirror of schemas/datasets.schema.json (hand-written; test/unit/datasets.test.ts
// validates real values of each type against the schema so the two cannot drift silently).

/** Registry path relative to the project root; also recorded in every manifest entry. */
export const REGISTRY_PATH = 'knowledge_base/data/datasets.json';
export const REGISTRY_SCHEMA_VERSION = '1.0';

/** One file of a dataset. `path` is POSIX, relative to the dataset directory (or the base name). */
export interface DatasetFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** `$defs/dataset_record`. */
export interface DatasetRecord {
  name: string;
  /** POSIX, relative to the project root when inside it, else absolute. */
  path: string;
  kind: 'file' | 'directory';
  url?: string;
  license?: string;
  split_logic?: string;
  /** ISO 8601 (Date.toISOString()). */
  registered_at: string;
  file_count: number;
  bytes: number;
  /** See `datasetDigest` (digest.ts) and `$defs/digest` for the exact definition. */
  digest: string;
  /** Sorted by path in UTF-8 byte order. */
  files: DatasetFile[];
}

/** The whole of knowledge_base/data/datasets.json. */
export interface DatasetRegistry {
  schema_version: typeof REGISTRY_SCHEMA_VERSION;
  datasets: Record<string, DatasetRecord>;
}

/** `$defs/drift`: how the data a run used differs from its registration. */
export interface DatasetDrift {
  changed: string[];
  missing: string[];
  added: string[];
  current_digest: string;
}

/** `$defs/manifest_entry`: what a run records in manifest.data[] for a registered dataset. */
export interface ManifestDataEntry {
  name: string;
  path: string;
  url?: string;
  /** The registered digest; with drift, the data actually used has drift.current_digest. */
  sha256: string;
  file_count: number;
  bytes: number;
  provenance: {
    kind: 'registered';
    registry: typeof REGISTRY_PATH;
    registered_at: string;
    license?: string;
    split_logic?: string;
  };
  drift?: DatasetDrift;
}

/** `$defs/generated_entry`: what a run records in manifest.data[] for data it generated. */
export interface GeneratedDataEntry {
  name: string;
  sha256: string;
  bytes: number;
  provenance: {
    kind: 'generated';
    /** What produced the data, e.g. a module path or 'name@version'. */
    generator: string;
    seed: number;
    /** Generator parameters, enough to regenerate the same bytes. */
    spec: Record<string, unknown>;
  };
}
