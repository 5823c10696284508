/**
 * How the user started dl-lab, so that every command we print names what they have: `dl-lab …`
 * through the `dl-lab` bin, `yo dl-lab:…` through yo (a user who only has yo has no `dl-lab` on
 * their PATH, and `npx dl-lab` outside a package resolves someone else's registry package).
 *
 * The bin's launcher says so before any generator runs; yo and yeoman-test do not, so the default
 * is yo. Kept on globalThis (not in the environment, which child processes inherit) under a
 * registered symbol, so every copy of this module in one process agrees.
 */
export type Launcher = 'dl-lab' | 'yo';

const LAUNCHER = Symbol.for('generator-dl-lab.launcher');
const state = globalThis as { [LAUNCHER]?: Launcher };

export const setLauncher = (launcher: Launcher): void => {
  state[LAUNCHER] = launcher;
};

export const launcher = (): Launcher => state[LAUNCHER] ?? 'yo';

/**
 * The command that runs sub-generator `name` (none: scaffold a project) with `args`, as the user
 * started dl-lab: `dlLabCommand('demo', '--seed 0')` is `dl-lab demo --seed 0` or `yo dl-lab:demo --seed 0`.
 */
export const dlLabCommand = (name?: string, args = '', by: Launcher = launcher()): string => {
  const command = by === 'dl-lab' ? ['dl-lab', name] : [name ? `yo dl-lab:${name}` : 'yo dl-lab'];
  return [...command, args].filter(Boolean).join(' ');
};

/**
 * Example lines written for the `dl-lab` bin (a USAGE file), said the way the user started dl-lab:
 * under yo, a line `    dl-lab demo --seed 0` reads `    yo dl-lab:demo --seed 0`. Only lines
 * that start with the command change; prose that mentions dl-lab stays as it is.
 */
export const inLauncherTerms = (text: string, by: Launcher = launcher()): string =>
  by === 'dl-lab' ? text : text.replace(/^(\s*)dl-lab(?: ([a-z][a-z-]*))?(?=\s|$)/gm, (_, indent: string, name?: string) => `${indent}${dlLabCommand(name, '', 'yo')}`);
