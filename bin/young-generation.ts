/**
 * Keeping V8's young generation small on Node >= 22, where it may grow far larger than on Node 20.
 *
 * Why: at research size (`data add` of 100,000 files, `report` over 10,000 runs) dl-lab peaks at
 * ~190 MB on Node 20. Node 22 and 24 let the young generation grow far larger (V8's semi-spaces
 * up to 32/64 MB and more, and no pointer compression), and the same commands peaked at 208 MB
 * (Node 22) and 283 MB (Node 24) with the same live heap (bench/README.md). V8 reads
 * `--max-semi-space-size` only when the process starts (`v8.setFlagsFromString` afterwards
 * changes nothing, measured), so the bin replaces its own process, before it loads anything,
 * with the same command under that flag: `process.execve` (Node >= 22.15 / 23.11, not on
 * Windows) keeps the process id, its stdio, its parent and its signals, so a shell, `srun`,
 * `timeout` or a test sees one process exactly as before. It costs one bare Node start (~40 ms).
 * A user's own `--max-semi-space-size` (on the command line or in NODE_OPTIONS) is left alone.
 */

import { accessSync, constants } from 'node:fs';

/** MiB per semi-space (Node 20's default is 16): 8 kept every case of bench/scale's data and runs suites <= 191 MB on Node 22 and 24; 16 left `data add` at 207 MB on Node 24. */
export const SEMI_SPACE_MIB = 8;

const SEMI_SPACE_FLAG = /(^|\s)--max[-_]semi[-_]space[-_]size(=|\s|$)/;

/** Whether `path` can be executed by this user (a Node binary replaced or removed since it started cannot). */
const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The argv to re-execute this process with (execve's `args`, starting with the Node binary), or
 * undefined when it should run as it is: no `process.execve` here (Node 20, Node < 22.15,
 * Windows), a semi-space size already chosen, or a Node binary that cannot be executed any more.
 * The last is checked beforehand because a failed execve(2) does not throw in Node 22.23 and
 * 24.21: it aborts the process (exit 134, measured; nodejs/node#62878 makes later Nodes throw).
 */
export function youngGenerationArgs(
  proc: Pick<NodeJS.Process, 'execPath' | 'execArgv' | 'argv'> & { execve?: unknown },
  env: NodeJS.ProcessEnv,
  canExecute: (path: string) => boolean = isExecutable,
): string[] | undefined {
  if (typeof proc.execve !== 'function') return undefined;
  if (SEMI_SPACE_FLAG.test(proc.execArgv.join(' ')) || SEMI_SPACE_FLAG.test(env.NODE_OPTIONS ?? '')) return undefined;
  if (!canExecute(proc.execPath)) return undefined;
  return [proc.execPath, `--max-semi-space-size=${SEMI_SPACE_MIB}`, ...proc.execArgv, ...proc.argv.slice(1)];
}

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/** Re-executes this process as youngGenerationArgs says, or returns (and dl-lab runs as it is). */
export function keepYoungGenerationSmall(): void {
  const args = youngGenerationArgs(process, process.env);
  if (!args) return;
  try {
    (process as unknown as { execve: Execve }).execve(process.execPath, args, process.env);
  } catch {
    // execve(2) failed after all (a Node that throws rather than aborts): run here, only larger.
  }
}
