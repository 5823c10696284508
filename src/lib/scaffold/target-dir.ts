import { readdirSync } from 'node:fs';
import { UserError } from '../errors.js';

/**
 * The app scaffolds only into an empty folder (a bare `.git` is fine), unless `--force`: it must
 * never mix its files into someone's work silently. With `--force`, existing files are still only
 * replaced after the conflict prompt (or kept, with --skip-existing semantics of the conflicter).
 */
export const assertScaffoldTarget = (dir: string, force: boolean): void => {
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
};
