import { arch, availableParallelism, cpus, hostname, release, totalmem, version } from 'node:os';
import { captureCluster } from './cluster.js';
import { captureGpu } from './gpu.js';
import { capturePython } from './python.js';
import type { EnvironmentInfo, PythonInfo } from './types.js';

export interface CaptureEnvironmentOptions {
  /** Environment to read cluster variables from and to search PATH in; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** false: do not start Python at all (records it as unavailable). Default true. */
  python?: boolean;
  /** Interpreter to describe; default `python3` from env.PATH. */
  pythonExecutable?: string;
  /** nvidia-smi to run; default `nvidia-smi` from env.PATH. */
  nvidiaSmi?: string;
  /** Limit for each external command; default 10 s (a cold conda env on NFS can take seconds). */
  timeoutMs?: number;
}

/**
 * What machine and software a run ran on. Never throws for a missing or broken tool: each
 * probe that cannot answer is recorded as `{ available: false, reason }`. The external probes
 * (Python, nvidia-smi) run concurrently, so the cost is the slowest one, not their sum.
 */
export const captureEnvironment = async (options: CaptureEnvironmentOptions = {}): Promise<EnvironmentInfo> => {
  const env = options.env ?? process.env;
  const { timeoutMs } = options;
  const pythonCapture: Promise<PythonInfo> =
    options.python === false
      ? Promise.resolve({ available: false, reason: 'python capture disabled' })
      : capturePython({ executable: options.pythonExecutable, env, timeoutMs });
  const [python, gpu] = await Promise.all([pythonCapture, captureGpu({ executable: options.nvidiaSmi, env, timeoutMs })]);
  const processors = cpus();
  return {
    node: process.version,
    os: { platform: process.platform, release: release(), version: version() },
    arch: arch(),
    cpu: {
      model: processors[0]?.model.trim() || null,
      count: processors.length,
      available_parallelism: availableParallelism(),
    },
    memory_bytes: totalmem(),
    hostname: hostname(),
    python,
    gpu,
    cluster: captureCluster(env),
  };
};
