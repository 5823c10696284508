/**
 * Types of the provenance block of a run manifest ("exactly what code, on what machine").
 * Hand-written to match schemas/provenance.schema.json ($defs git / environment), with the
 * doc comments the generated ones lack. test/unit/provenance.test.ts checks at compile time that
 * they equal src/lib/contract/generated/provenance.ts and validates real captures at run time.
 */

/** Why a capture could not be made, in words a user can act on. */
export interface Unavailable {
  available: false;
  reason: string;
}

export interface GitInfoAvailable {
  available: true;
  /** Full sha of HEAD. */
  commit: string;
  /** Short branch name; null when HEAD is detached. */
  branch: string | null;
  detached: boolean;
  /** URL of `origin` (else the first remote) with credentials stripped; null without remotes. */
  remote: string | null;
  /**
   * Project directory relative to the repository top level ('.' when it is the top level).
   * The patch and every path below are relative to the top level, not to the project.
   */
  project_subdir: string;
  /** Staged, unstaged or untracked changes outside the excluded paths (e.g. artifacts/). */
  dirty: boolean;
  /** Tracked paths with staged or unstaged changes against HEAD. */
  changed: number;
  /** Untracked, not-ignored files (all of them, not only the listed ones). */
  untracked: number;
  /** Untracked files, sorted, at most UNTRACKED_LIST_LIMIT entries. */
  untracked_files: string[];
  /** Present (true) only when untracked_files was cut at the limit. */
  untracked_files_truncated?: true;
  /**
   * Untracked entries NOT in the patch (over the size/count budget, nested repositories), so
   * applying the patch does not give these back. Sorted, at most UNTRACKED_LIST_LIMIT entries.
   * Present only when non-empty.
   */
  patch_omitted_files?: string[];
  /** Present (true) only when patch_omitted_files was cut at the limit. */
  patch_omitted_files_truncated?: true;
  /** sha256 of the saved patch file; filled in by the caller that writes it. */
  patch_sha256?: string;
}

export type GitInfo = GitInfoAvailable | Unavailable;

export interface GitCapture {
  info: GitInfo;
  /**
   * `git apply`-able bytes that turn the recorded commit into the captured working tree;
   * null when the tree is clean or git is unavailable. Bytes, not a string: text files that are
   * not UTF-8 appear verbatim in a diff, and decoding them would corrupt the patch.
   */
  patch: Buffer | null;
}

export interface PythonInfoAvailable {
  available: true;
  /** sys.executable of the interpreter that was asked. */
  executable: string;
  /** platform.python_version(), e.g. "3.11.7". */
  version: string;
  /** "name==version", names normalized per PEP 503, sorted, one entry per distribution name. */
  packages: string[];
}

export type PythonInfo = PythonInfoAvailable | Unavailable;

export interface GpuDevice {
  name: string;
  /** memory.total in MiB; null when nvidia-smi reports it as not available. */
  memory_mib: number | null;
  uuid: string | null;
  pci_bus_id: string | null;
  /** e.g. "9.0"; null on drivers too old to report it. */
  compute_capability: string | null;
}

export interface GpuInfoAvailable {
  available: true;
  driver: string | null;
  /** Highest CUDA version the driver supports (nvidia-smi header), e.g. "13.0". */
  cuda: string | null;
  gpus: GpuDevice[];
}

export type GpuInfo = GpuInfoAvailable | Unavailable;

/** Allow-listed SLURM variables, keyed by name without the SLURM_ prefix, lowercased. */
export type SlurmInfo = Partial<Record<SlurmKey, string>>;
export type SlurmKey =
  | 'job_id' | 'job_name' | 'array_job_id' | 'array_task_id' | 'array_task_count' | 'nodelist'
  | 'job_nodelist' | 'nnodes' | 'ntasks' | 'procid' | 'localid' | 'cpus_per_task' | 'gpus'
  | 'submit_dir' | 'cluster_name' | 'job_partition';

/** torchrun / torch.distributed variables, keyed by lowercased name. */
export type TorchrunInfo = Partial<Record<TorchrunKey, string>>;
export type TorchrunKey = 'rank' | 'world_size' | 'local_rank' | 'local_world_size' | 'master_addr' | 'master_port' | 'group_rank';

export interface ClusterInfo {
  /** null when no allow-listed SLURM variable is set. */
  slurm: SlurmInfo | null;
  /** null when no torchrun variable is set. */
  torchrun: TorchrunInfo | null;
  /** Every allow-listed variable that is set, verbatim (name → value). Nothing else, ever. */
  variables: Record<string, string>;
}

export interface EnvironmentInfo {
  /** process.version of the Node that wrote the record, e.g. "v20.20.2". */
  node: string;
  os: { platform: string; release: string; version: string };
  arch: string;
  cpu: {
    /** null when the OS does not report it (some containers). */
    model: string | null;
    /** Logical CPUs of the machine. */
    count: number;
    /** CPUs this process may run on (affinity, e.g. a SLURM allocation). */
    available_parallelism: number;
  };
  memory_bytes: number;
  hostname: string;
  python: PythonInfo;
  gpu: GpuInfo;
  cluster: ClusterInfo;
}
