import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './package-root.js';

/**
 * The sub-generators `dl-lab <name>` and `yo dl-lab:<name>` run, found the way Yeoman finds them:
 * every `dist/generators/<name>/index.js` of the built package (so adding a generator needs no list).
 */
export const GENERATORS_DIR = join(PACKAGE_ROOT, 'dist', 'generators') + '/';

export const generatorPath = (name: string): string => `${GENERATORS_DIR}${name}/index.js`;

export const listSubcommands = (): string[] =>
  readdirSync(GENERATORS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(generatorPath(entry.name)))
    .map((entry) => entry.name)
    .sort((a, b) => (a === 'app' ? -1 : b === 'app' ? 1 : a.localeCompare(b)));
