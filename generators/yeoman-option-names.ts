/**
 * Option names that reach a generator's options without being its own, dashed (`skipInstall` is
 * `skip-install`): a generator refuses every other option it does not declare, but not these.
 * Taken from the installed packages (yeoman-environment 6.3, yeoman-generator 8.4, yeoman-test
 * 11.8, yo 7.0); a name a newer version adds is refused as unknown until it is listed here.
 */
export const YEOMAN_OPTION_NAMES: ReadonlySet<string> = new Set([
  // What the environment hands every generator it creates (environment-base.js `instantiate`),
  // its shared options (environment-full.js `loadSharedOptions`, and `sharedData`,
  // `forwardErrorToEnvironment`), and what yeoman-generator itself reads from its options.
  'env', 'resolved', 'namespace', '_meta', 'shared-data', 'forward-error-to-environment',
  'skip-install', 'force-install', 'skip-cache', 'skip-local-cache', 'skip-parse-options', 'local-config-only', 'ask-answered',
  'help', 'destination-root', 'description', 'skip-check-env', 'ignore-version-check',
  // The environment's command-line options (util/command.js `addEnvironmentOptions`), among them
  // the conflicter's: yeoman-test passes `force` to every generator it runs.
  'cwd', 'log-cwd', 'experimental', 'force', 'dry-run', 'whitespace', 'ignore-whitespace', 'bail', 'skip-yo-resolve',
  // yo's own flags (lib/cli.js), which it passes on with the generator's: `yo … --no-insight`.
  'insight', 'generators', 'version', 'local-only', 'environment-version', 'debug',
]);
