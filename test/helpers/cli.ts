import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built launcher (`npm test` builds first): tests run the real bin as a child process. */
export const CLI = fileURLToPath(new URL('../../dist/bin/dl-lab.js', import.meta.url));

export interface CliResult { status: number | null; stdout: string; stderr: string }

export const runCli = (args: string[], { cwd, env = {} }: { cwd: string; env?: Record<string, string> }): CliResult => {
  const result: SpawnSyncReturns<string> = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};
