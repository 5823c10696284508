import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

/**
 * A full garbage collection, now.
 *
 * Why: V8 collects its old generation once it has grown by a multiple of what was alive after the
 * last collection, and a document read and parsed is garbage there soon after: a run logged every
 * step has a 43 MB analysis.json, ~3 times that as text and objects. A command that reads such
 * runs one after another (report, verify of a project or of an experiment record) held several of
 * them dead at once between collections: report with two 3-seed records of 300,000 steps peaked
 * at 660–820 MB (bench/scale/history). Called after each such run, the peak is about one run's.
 * `gc` is V8's own function, exposed at run time (`--expose-gc` taken by a new context).
 */
export const collectGarbage = (): void => {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
};
