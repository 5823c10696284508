// Build: type-check + emit with tsc, then copy the non-TS generator assets (USAGE, templates)
// next to the emitted generators, so `dist/generators/<name>/` is self-contained for Yeoman.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
const srcGenerators = join(root, 'src/generators');
for (const name of readdirSync(srcGenerators)) {
  for (const asset of ['USAGE', 'templates']) {
    const from = join(srcGenerators, name, asset);
    if (existsSync(from)) cpSync(from, join(root, 'dist/generators', name, asset), { recursive: true });
  }
}
chmodSync(join(root, 'dist/bin/dl-lab.js'), 0o755);
