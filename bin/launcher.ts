/**
 * `dl-lab`: a thin launcher that registers our sub-generators with yeoman-environment and runs
 * one. It exists because `yo` refuses to run as root and costs a global generator lookup;
 * `dl-lab <name> …` is `yo dl-lab:<name> …` without either.
 */
import type { BaseEnvironment } from '@yeoman/types';
import { prestartEnvironmentCapture } from '../core/commands/provenance.js';
import { dropOutputOnceItsReaderIsGone } from '../core/closed-output.js';
import { isUserError } from '../core/errors.js';
import { setLauncher } from '../core/invocation.js';
import { npxPrefixOf } from '../core/npx-start.js';
import { assertYoRcReadable } from '../core/project.js';
import { generatorPath, listSubcommands } from '../core/subcommands.js';
import { silenceTaskFailureBanner } from '../generators/yo-errors.js';
import { BUNDLED_GENERATORS } from './bundled-generators.js';

const EXIT_USER_ERROR = 1;
const EXIT_INTERNAL_ERROR = 70;
/** Commands that record the machine's environment: its capture starts while Yeoman loads. */
const RECORDING_COMMANDS = ['run', 'demo', 'sweep'];

/** `unknown`: the first word is not a command (`dl-lab` alone, or with options only, is `app`). */
const parseCommandLine = (argv: string[], subcommands: readonly string[]): { name: string; args: string[]; help: boolean; unknown?: string } => {
  const explicit = argv[0] !== undefined && subcommands.includes(argv[0]);
  const name = explicit ? argv[0] : 'app';
  const rest = explicit ? argv.slice(1) : argv;
  const help = rest.some((arg) => arg === '--help' || arg === '-h');
  const unknown = !explicit && argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : undefined;
  return { name, args: rest.filter((arg) => arg !== '--help' && arg !== '-h'), help, unknown };
};

/**
 * Bundled, a generator is registered as a factory that loads its module (in the bundle) on first
 * use, with `resolved` set to its tsc-built `dist/generators/<name>/index.js`: Yeoman takes the
 * templates from `<dirname(resolved)>/templates` and `--help` text from the USAGE beside them.
 * Unbundled, Yeoman imports that file itself.
 */
const registerGenerator = (env: BaseEnvironment, name: string): void => {
  const load = BUNDLED_GENERATORS?.[name];
  if (load) env.register({ createGenerator: load }, { namespace: `dl-lab:${name}`, resolved: generatorPath(name) });
  else env.register(generatorPath(name), { namespace: `dl-lab:${name}` });
};

const main = async (): Promise<number> => {
  dropOutputOnceItsReaderIsGone(process.stdout, process.stderr);
  // Every command the generators print will say `dl-lab …`, the command this user has, or
  // `npx dl-lab …` when npx started it (read here, once: the processes it starts inherit npm's variables).
  setLauncher('dl-lab', npxPrefixOf('dl-lab', process.env));
  const argv = process.argv.slice(2);
  const subcommands = BUNDLED_GENERATORS ? Object.keys(BUNDLED_GENERATORS) : listSubcommands();
  const { name, args, help, unknown } = parseCommandLine(argv, subcommands);
  if (unknown !== undefined) {
    process.stderr.write(`dl-lab: error: unknown command '${unknown}'; commands: ${subcommands.join(', ')}\n`);
    return EXIT_USER_ERROR;
  }
  try {
    // Yeoman parses ./.yo-rc.json while constructing any generator and would crash on a corrupt one
    // with a stack trace; check it first so the user gets one line naming the file.
    assertYoRcReadable(process.cwd());
  } catch (error) {
    if (!isUserError(error)) throw error;
    process.stderr.write(`dl-lab ${name}: error: ${error.render()}\n`);
    return EXIT_USER_ERROR;
  }
  if (help && name === 'app') {
    console.log(`dl-lab <command> [options]   (same as yo dl-lab:<command>)\n\ncommands: ${subcommands.join(', ')} (default: app)\nrun \`dl-lab <command> --help\` for each command's options\n`);
  }
  if (!help && RECORDING_COMMANDS.includes(name)) prestartEnvironmentCapture();
  const { createEnv } = await import('yeoman-environment');
  // We never install packages, so skip the package-manager step and its "no change" notice.
  const env = createEnv({ skipInstall: true });
  silenceTaskFailureBanner(env.adapter.log as unknown as { error: (...args: unknown[]) => unknown });
  for (const sub of subcommands) registerGenerator(env, sub);
  try {
    await env.run([`dl-lab:${name}`, ...args], { help, skipInstall: true });
    // A generator may end with a documented non-error status (compare: 2 = regression; reproduce: 2, 3).
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (isUserError(error)) {
      process.stderr.write(`dl-lab ${name}: error: ${error.render()}\n`);
      return EXIT_USER_ERROR;
    }
    process.stderr.write(`dl-lab ${name}: internal error (please report it): ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT_INTERNAL_ERROR;
  }
};

// Not awaited at the top level: the launcher is bundled as CommonJS (see scripts/build.mjs).
void main().then((code) => {
  process.exitCode = code;
});
