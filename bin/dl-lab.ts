#!/usr/bin/env node
/**
 * The `dl-lab` executable. `--version` is answered here; everything else goes to the launcher
 * (bin/launcher.ts), which the build bundles with all it loads into `launcher.cjs`, run from
 * V8's code cache (code-cache.ts). Unbundled (the tsc output alone) the launcher is imported as it is.
 * On Node >= 22.15 the process first re-executes itself with a smaller young generation
 * (young-generation.ts), which keeps research-size commands under 200 MB there as on Node 20.
 */
// Only what decides the re-execution is imported before it: the rest loads in the final process.
import { keepYoungGenerationSmall } from './young-generation.js';

const args = process.argv.slice(2);
if (args[0] === '--version' || args[0] === '-V') {
  const { PACKAGE_VERSION } = await import('../core/version.js');
  console.log(PACKAGE_VERSION);
} else {
  keepYoungGenerationSmall();
  const [{ existsSync }, { fileURLToPath }, { runWithCodeCache }] = await Promise.all([import('node:fs'), import('node:url'), import('./code-cache.js')]);
  const bundle = fileURLToPath(new URL('./launcher.cjs', import.meta.url));
  if (existsSync(bundle)) {
    // One cache per command (what `demo` compiles is not what `verify` does), and `--help` apart.
    const [first = ''] = args;
    const command = /^[a-z][a-z-]{0,31}$/.test(first) ? first : 'app';
    const help = args.includes('--help') || args.includes('-h');
    runWithCodeCache(bundle, help ? `${command}-help` : command);
  } else {
    await import('./launcher.js');
  }
}
