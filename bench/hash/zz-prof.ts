import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { HashCache } from '../../src/lib/hashing/hash-cache.js';
import { hashFiles } from '../../src/lib/hashing/hash-files.js';
const paths = JSON.parse(readFileSync('/tmp/proto/list.json', 'utf8')) as string[];
const cf = '/tmp/proto/cache.json';
if (process.argv[2] === 'init') { const c = await HashCache.load(cf); await hashFiles(paths, { cache: c }); await c.save(); process.exit(0); }
let t = performance.now();
const text = await readFile(cf, 'utf8'); const t1 = performance.now() - t;
t = performance.now(); JSON.parse(text); const t2 = performance.now() - t;
t = performance.now(); const c = await HashCache.load(cf); const t3 = performance.now() - t;
t = performance.now(); for (const p of paths) statSync(p, { bigint: true }); const t4 = performance.now() - t;
t = performance.now(); await hashFiles(paths, { cache: c }); const t5 = performance.now() - t;
console.log({ read: t1, parse: t2, load: t3, stat: t4, hashFilesCached: t5 });
