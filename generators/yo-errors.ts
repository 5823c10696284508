import { realpathSync } from 'node:fs';
import { isUserError } from '../core/errors.js';

/**
 * yeoman-generator logs "An error occured while running <ns>#<task>" before rejecting; for a
 * user error that banner is noise above our one clear message, so it is dropped.
 */
export const silenceTaskFailureBanner = (log: { error: (...args: unknown[]) => unknown }): void => {
  const error = log.error.bind(log);
  log.error = (message: unknown, ...rest: unknown[]) =>
    typeof message === 'string' && message.startsWith('An error occured while running') ? log : error(message, ...rest);
};

/**
 * Whether this process is the real `yo` (its CLI is the main script). The dl-lab bin and a test's
 * yeoman-test environment catch a generator's errors and report them themselves; yo prints
 * `Error <its arguments>`, a blank line, then the message.
 */
export const UNDER_YO_CLI = ((): boolean => {
  try {
    return /[\\/]yo[\\/]lib[\\/]cli\.js$/.test(realpathSync(process.argv[1] ?? ''));
  } catch {
    return false;
  }
})();

/**
 * Under yo, a user error is reported as the dl-lab bin reports it: one line, `yo dl-lab:run: error:
 * …`, exit 1 (yo's own exit status for it), instead of Yeoman's banner, yo's `Error …` line and a
 * blank one above the message. By then nothing is half-written: a command refuses bad input
 * before it writes, and discards its staging folder before its error leaves it. Anything else is
 * left for yo to report.
 */
export const exitOnUserErrorUnderYo = (error: unknown, command: () => string): void => {
  if (!UNDER_YO_CLI || !isUserError(error)) return;
  process.stderr.write(`${command()}: error: ${error.render()}\n`);
  process.exit(1);
};
