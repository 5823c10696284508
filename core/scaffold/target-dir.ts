import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';

/**
 * The app scaffolds only into an empty folder (a bare `.git` is fine), unless `--force`: it must
 * never mix its files into someone's work silently. Even with `--force` it never replaces a file:
 * `targets` that already exist are refused (Yeoman's own `force` would overwrite them silently).
 */
export const assertScaffoldTarget = (dir: string, force: boolean, targets: readonly string[]): void => {
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((entry) => entry !== '.git');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UserError(`cannot read target folder ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file: dir });
  }
  if (entries.length > 0 && !force) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
    throw new UserError(
      `target folder ${dir} is not empty (${shown}); scaffold into an empty folder (--out <dir>) or pass --force to add the project files beside them`,
      { file: dir, field: '--out' },
    );
  }
  const clashes = targets.filter((target) => existsSync(join(dir, target)));
  if (clashes.length > 0) {
    throw new UserError(`${dir} already has ${clashes.join(', ')}: dl-lab never overwrites your files; move them away first`, {
      file: join(dir, clashes[0]),
      field: '--force',
    });
  }
};
