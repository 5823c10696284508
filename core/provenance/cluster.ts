import type { ClusterInfo, SlurmInfo, SlurmKey, TorchrunInfo, TorchrunKey } from './types.js';

/**
 * The ONLY environment variables a run record may contain. An allow-list, never a prefix match
 * or a deny-list: environments carry tokens (AWS_SECRET_ACCESS_KEY, WANDB_API_KEY, HF_TOKEN…)
 * and a manifest is meant to be shared.
 */
export const SLURM_VARIABLES = [
  'SLURM_JOB_ID', 'SLURM_JOB_NAME', 'SLURM_ARRAY_JOB_ID', 'SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT',
  'SLURM_NODELIST', 'SLURM_JOB_NODELIST', 'SLURM_NNODES', 'SLURM_NTASKS', 'SLURM_PROCID', 'SLURM_LOCALID',
  'SLURM_CPUS_PER_TASK', 'SLURM_GPUS', 'SLURM_SUBMIT_DIR', 'SLURM_CLUSTER_NAME', 'SLURM_JOB_PARTITION',
] as const;

export const TORCHRUN_VARIABLES = ['RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'LOCAL_WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT', 'GROUP_RANK'] as const;

/** Variables that change numerics or device placement, so a reviewer needs them to reproduce. */
export const REPRODUCIBILITY_VARIABLES = ['CUDA_VISIBLE_DEVICES', 'OMP_NUM_THREADS', 'CUBLAS_WORKSPACE_CONFIG', 'PYTHONHASHSEED'] as const;

export const CLUSTER_VARIABLE_ALLOW_LIST: readonly string[] = [...SLURM_VARIABLES, ...TORCHRUN_VARIABLES, ...REPRODUCIBILITY_VARIABLES];

const slurmKey = (name: string): SlurmKey => name.slice('SLURM_'.length).toLowerCase() as SlurmKey;
const torchrunKey = (name: string): TorchrunKey => name.toLowerCase() as TorchrunKey;

/** Scheduler / launcher context of the run, read from `env` through the allow-list only. */
export const captureCluster = (env: NodeJS.ProcessEnv = process.env): ClusterInfo => {
  const variables: Record<string, string> = {};
  for (const name of CLUSTER_VARIABLE_ALLOW_LIST) {
    const value = env[name];
    if (value !== undefined) variables[name] = value;
  }
  const slurm: SlurmInfo = {};
  for (const name of SLURM_VARIABLES) if (name in variables) slurm[slurmKey(name)] = variables[name];
  const torchrun: TorchrunInfo = {};
  for (const name of TORCHRUN_VARIABLES) if (name in variables) torchrun[torchrunKey(name)] = variables[name];
  return {
    slurm: Object.keys(slurm).length > 0 ? slurm : null,
    torchrun: Object.keys(torchrun).length > 0 ? torchrun : null,
    variables,
  };
};
