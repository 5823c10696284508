#!/usr/bin/env node
/**
 * The `dl-lab` executable. It only turns on Node's on-disk compile cache, then loads the launcher,
 * so that everything the launcher loads is covered by it.
 *
 * Why: compiling the bundled launcher, Yeoman and our modules is a large part of a command's
 * start-up. From Node 22.1, `module.enableCompileCache()` keeps V8's compiled code in
 * `os.tmpdir()/node-compile-cache` (or `NODE_COMPILE_CACHE`; `NODE_DISABLE_COMPILE_CACHE=1` turns it
 * off), checked against each file's contents, and `dl-lab demo` reaches training ~20 ms sooner
 * (Node 24, bench/README.md). Node 20 has no such API; there this does nothing.
 */
import module from 'node:module';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import('./launcher.js');
