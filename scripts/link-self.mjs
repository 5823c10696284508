// `npx yo dl-lab:<name>` inside this repository: yo finds generators only as `generator-*` packages
// in a node_modules folder, and this repository is not installed in its own. After `npm ci` (the
// `prepare` step) this links node_modules/generator-dl-lab to the repository itself, as `npm link`
// would, so the commands the project is known by run here exactly as they do in a user's project.
import { existsSync, lstatSync, symlinkSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const link = join(root, 'node_modules', 'generator-dl-lab');
const exists = (path) => { try { lstatSync(path); return true; } catch { return false; } };
if (existsSync(join(root, 'node_modules')) && !exists(link)) symlinkSync('..', link, 'dir');
