import { npmLocalPrefix, npxPrefixOf, samePrefix } from './npx-start.js';
import { shellWord } from './shell-word.js';

/**
 * How the user started dl-lab, so that every command we print names what they have: `dl-lab …`
 * through the `dl-lab` bin, `yo dl-lab:…` through yo (a user who only has yo has no `dl-lab` on
 * their PATH, and `npx dl-lab` outside a package resolves someone else's registry package).
 * Started by npx (`npx dl-lab …` in a clone of this repository or a project that depends on it,
 * where neither command is on the PATH), they read `npx dl-lab …` / `npx yo dl-lab:…`: npx finds
 * the same package again from any folder with the same npm prefix (see `npmLocalPrefix`).
 *
 * The bin's launcher says so before any generator runs; yo and yeoman-test do not, so the default
 * is yo, started by npx when npx's own command was `yo`, read once. Kept on globalThis (not in the
 * environment, which child processes inherit) under a registered symbol, so every copy of this
 * module in one process agrees.
 */
export type Launcher = 'dl-lab' | 'yo';

/** `npxPrefix`: npm's local prefix of the `npx` that started the process (none: npx did not). */
export interface Start { launcher: Launcher; npxPrefix?: string }

const START = Symbol.for('generator-dl-lab.start');
const state = globalThis as { [START]?: Start };

export const setLauncher = (launcher: Launcher, npxPrefix?: string): void => {
  state[START] = { launcher, npxPrefix };
};

export const start = (): Start => (state[START] ??= { launcher: 'yo', npxPrefix: npxPrefixOf('yo', process.env) });

export const launcher = (): Launcher => start().launcher;

/**
 * The command that runs sub-generator `name` (none: scaffold a project) with `args` in folder
 * `dir`, as the user started dl-lab: `dlLabCommand('demo', '--seed 0')` is `dl-lab demo --seed 0`
 * or `yo dl-lab:demo --seed 0`, with `npx ` before it when npx started this process and finds the
 * package from `dir` as it did here. From a folder where it would not (a project scaffolded
 * outside the npx prefix), `npx --prefix <prefix> dl-lab …` runs the same package there; yo has
 * no such form (it finds generators only in node_modules above the folder it runs in), so under
 * yo that line names the package's dl-lab bin too. A bare Launcher as `by` means no npx (the
 * text of files dl-lab writes, read long after this process).
 */
export const dlLabCommand = (name?: string, args = '', by: Launcher | Start = start(), dir = process.cwd()): string => {
  const { launcher: bin, npxPrefix } = typeof by === 'string' ? { launcher: by, npxPrefix: undefined } : by;
  const words = (as: Launcher): Array<string | undefined> => (as === 'dl-lab' ? ['dl-lab', name] : [name ? `yo dl-lab:${name}` : 'yo dl-lab']);
  const command =
    npxPrefix === undefined ? words(bin)
    : samePrefix(npmLocalPrefix(dir), npxPrefix) ? ['npx', ...words(bin)]
    : ['npx', '--prefix', shellWord(npxPrefix), ...words('dl-lab')];
  return [...command, args].filter(Boolean).join(' ');
};

/**
 * Example lines written for the `dl-lab` bin (a USAGE file), said the way the user started dl-lab:
 * under yo, a line `    dl-lab demo --seed 0` reads `    yo dl-lab:demo --seed 0`; started by npx,
 * `    npx dl-lab demo --seed 0`. Only lines that start with the command change; prose that
 * mentions dl-lab stays as it is.
 */
export const inLauncherTerms = (text: string, by: Launcher | Start = start()): string =>
  text.replace(/^(\s*)dl-lab(?: ([a-z][a-z-]*))?(?=\s|$)/gm, (_, indent: string, name?: string) => `${indent}${dlLabCommand(name, '', by)}`);
