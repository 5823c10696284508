import { execFileSync } from 'node:child_process';

/** Run git in `cwd` with a fixed identity (tests must not depend on the machine's git config). */
export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=dl-lab test', '-c', 'user.email=test@dl-lab.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
