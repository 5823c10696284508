import Generator, { type BaseOptions } from 'yeoman-generator';
import { assertKnownOptionNames, assertKnownOptions, checkOptionValues, dashedOptionName, decimalNumber, missingArgumentError, type DeclaredOption } from '../core/cli-options.js';
import { dropOutputOnceItsReaderIsGone } from '../core/closed-output.js';
import { dlLabCommand, inLauncherTerms } from '../core/invocation.js';
import { YEOMAN_OPTION_NAMES } from './yeoman-option-names.js';
import { exitOnUserErrorUnderYo, silenceTaskFailureBanner, UNDER_YO_CLI } from './yo-errors.js';

/**
 * Base of our generators. They never install packages, so the environment's package-manager step
 * is disabled outright (`skipInstall` alone still prints a "No change to package.json" notice).
 *
 * Every generator's command line goes through the same checks here, before Yeoman's parser
 * (minimist) guesses: an option's missing value, or a value that looks like an option, is refused
 * naming the option; number options convert only decimal text (see `decimalNumber`); a missing
 * positional argument is a user error naming it, not Yeoman's internal one.
 */
export class DlLabGenerator<Config extends Record<string, unknown>, Options extends BaseOptions> extends Generator<Config, Options> {
  constructor(args: string[], options: Options) {
    super(args, options, { customInstallTask: true });
    // Under yo as under dl-lab: `yo dl-lab:runs | head` ends quietly, with the work's exit status.
    dropOutputOnceItsReaderIsGone(process.stdout, process.stderr);
    if (UNDER_YO_CLI) silenceTaskFailureBanner(this.env.adapter.log as unknown as { error: (...args: unknown[]) => unknown });
  }

  /** A user error under yo: one line and exit 1, as under the dl-lab bin (see exitOnUserErrorUnderYo); anything else is thrown on. */
  private refuse(error: unknown): never {
    exitOnUserErrorUnderYo(error, () => dlLabCommand(this.commandName()));
    throw error;
  }

  override async executeTask(...args: Parameters<Generator['executeTask']>): Promise<void> {
    try {
      await super.executeTask(...args);
    } catch (error) {
      this.refuse(error);
    }
  }

  // Yeoman declares its own options from its constructor, so these overrides run before ours exist.
  override option(...[name, config]: Parameters<Generator['option']>): this {
    const numeric = typeof name === 'string' && config?.type === Number;
    return super.option(name, numeric ? { ...config, type: decimalNumber } : config) as this;
  }

  override parseOptions(): void {
    try {
      if (!this.options.help && !this._args.includes('--help') && !this._args.includes('-h')) {
        // Replaced, not edited in place: the array is the caller's.
        (this as { _args: string[] })._args = checkOptionValues(this._args, this.declaredOptions());
      }
      super.parseOptions();
    } catch (error) {
      this.refuse(error);
    }
  }

  override checkRequiredArgs(): void {
    try {
      super.checkRequiredArgs();
    } catch (error) {
      const missing = this._arguments.find((argument, position) => argument.required && position >= this.args.length);
      this.refuse(missing ? missingArgumentError(missing.name, this._args, this.declaredOptions()) : error);
    }
  }

  // Yeoman parses the command line again after each declared option; only once the generator is
  // built (its tasks are queued) are all of them known, so an unknown one is refused here, before
  // any task runs. The words on the command line are what the dl-lab bin passes; yo and
  // yeoman-test pass options already parsed, checked by name (Yeoman's own names and this
  // command's argument names, which may be passed as options, are not unknown).
  override async queueTasks(): Promise<void> {
    if (!this.options.help) {
      const declared = this.declaredOptions();
      const helpCommand = dlLabCommand(this.commandName(), '--help');
      try {
        assertKnownOptions(this._args, declared, helpCommand);
        const argumentNames = this._arguments.map((argument) => dashedOptionName(argument.name));
        assertKnownOptionNames(this._initOptions, declared, new Set([...YEOMAN_OPTION_NAMES, ...argumentNames]), helpCommand);
      } catch (error) {
        this.refuse(error);
      }
    }
    await super.queueTasks();
  }

  /** The sub-command this generator is (`dl-lab:run` → run; the app is the bare command). */
  private commandName(): string | undefined {
    const name = this._namespace.replace(/^dl-lab:?/, '');
    return name && name !== 'app' ? name : undefined;
  }

  /** `--help`: the usage line and the USAGE examples name the command the user started (dl-lab or yo, through npx or not). */
  override usage(): string {
    return super.usage().replace(/^yo dl-lab(?::([a-z][a-z-]*))?/, (_, name?: string) => dlLabCommand(name));
  }

  override help(): string {
    return inLauncherTerms(super.help());
  }

  /**
   * Options whose value may start with '-' (a subclass lists them as a field: set before its
   * constructor declares any option, so before its options are first parsed).
   */
  protected readonly optionsWithDashedValues: ReadonlySet<string> = new Set();

  private declaredOptions(): DeclaredOption[] {
    return Object.values(this._options).map((option) => ({
      name: option.name,
      alias: option.alias,
      takesValue: option.type !== Boolean,
      // Undefined while Yeoman's own constructor parses, before this class's fields exist.
      dashedValue: this.optionsWithDashedValues?.has(option.name) ?? false,
    }));
  }
}
