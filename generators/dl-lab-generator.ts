import Generator, { type BaseOptions } from 'yeoman-generator';

/**
 * Base of our generators. They never install packages, so the environment's package-manager step
 * is disabled outright (`skipInstall` alone still prints a "No change to package.json" notice).
 */
export class DlLabGenerator<Config extends Record<string, unknown>, Options extends BaseOptions> extends Generator<Config, Options> {
  constructor(args: string[], options: Options) {
    super(args, options, { customInstallTask: true });
  }
}
