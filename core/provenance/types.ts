/**
 * Types of the provenance block of a run manifest ("exactly what code, on what machine").
 * Hand-written to match schemas/provenance.schema.json ($defs git / environment), with the
 * doc comments the generated ones lack. test/unit/provenance.test.ts checks at compile time that
 * they equal src/lib/contract/generated/provenance.ts and validates real captures at run time.
 */

export type {
  ClusterInfo,
  EnvironmentInfo,
  GitInfo,
  GitInfoAvailable,
  GpuDevice,
  GpuInfo,
  GpuInfoAvailable,
  PythonInfo,
  PythonInfoAvailable,
  SlurmInfo,
  TorchrunInfo,
  Unavailable,
} from '../contract/generated/provenance.js';
import type { GitInfo, SlurmInfo, TorchrunInfo } from '../contract/generated/provenance.js';

export interface GitCapture {
  info: GitInfo;
  /**
   * `git apply`-able bytes that turn the recorded commit into the captured working tree;
   * null when the tree is clean or git is unavailable. Bytes, not a string: text files that are
   * not UTF-8 appear verbatim in a diff, and decoding them would corrupt the patch.
   */
  patch: Buffer | null;
}

/** Allow-listed SLURM variables, keyed by name without the SLURM_ prefix, lowercased. */
export type SlurmKey = keyof SlurmInfo;
/** torchrun / torch.distributed variables, keyed by lowercased name. */
export type TorchrunKey = keyof TorchrunInfo;
