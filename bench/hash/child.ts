// One measurement per process, so peak RSS (maxRSS) belongs to that measurement alone.
// run.ts bundles this file with esbuild and runs it under plain node (no tsx in the process).
// Usage: child <op> <args…>; prints one JSON line { ms, maxRssMiB, ... }.
import { readFileSync } from 'node:fs';
import { HashCache } from '../../core/hashing/hash-cache.js';
import { hashFiles } from '../../core/hashing/hash-files.js';
import { sha256File } from '../../core/hashing/sha256-file.js';

const [op, ...args] = process.argv.slice(2);
const readList = (file: string): string[] => JSON.parse(readFileSync(file, 'utf8')) as string[];

async function measure(): Promise<Record<string, unknown>> {
  const start = performance.now();
  switch (op) {
    case 'baseline':
      return { ms: 0 };
    case 'sha256File': {
      const digest = await sha256File(args[0]);
      return { ms: performance.now() - start, ...digest };
    }
    case 'hashFiles': {
      const results = await hashFiles(readList(args[0]), { concurrency: Number(args[1]) });
      return { ms: performance.now() - start, files: results.size };
    }
    case 'cached': {
      // Load + stat + lookup (+ hash and save on a miss): everything a check does with a cache.
      const cache = await HashCache.load(args[1]);
      const loadMs = performance.now() - start;
      const before = cache.size;
      const results = await hashFiles(readList(args[0]), { cache });
      await cache.save();
      return { ms: performance.now() - start, loadMs, files: results.size, entriesBefore: before, entriesAfter: cache.size };
    }
    case 'statOnly': {
      // The floor of any sound re-check done from node: one stat per file, nothing else.
      const { statSync } = await import('node:fs');
      const paths = readList(args[0]);
      const begin = performance.now();
      let sizes = 0n;
      for (const path of paths) sizes += statSync(path, { bigint: true }).size;
      return { ms: performance.now() - begin, sizes: String(sizes) };
    }
    default:
      throw new Error(`unknown op ${op}`);
  }
}

const result = await measure();
console.log(JSON.stringify({ ...result, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
