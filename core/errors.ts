/**
 * Errors a user can fix (bad tag, bad config, tampered run…). The CLI prints them as one clear
 * message without a stack trace and exits non-zero; anything else is a bug and keeps its stack.
 */
export class UserError extends Error {
  /** File the problem is in (as the user named it, or relative to the project root), if any. */
  readonly file?: string;
  /** JSON pointer or option name of the offending field, if any. */
  readonly field?: string;
  /** Individual violations when there are several (e.g. every schema error of one file). */
  readonly details: readonly string[];

  constructor(message: string, options: { file?: string; field?: string; details?: readonly string[]; cause?: unknown } = {}) {
    // The violations are part of the message, so every launcher (ours, yo, a test) shows them.
    const details = options.details ?? [];
    super([message, ...details.map((line) => `  - ${line}`)].join('\n'), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.file = options.file;
    this.field = options.field;
    this.details = details;
  }

  /** The full text shown to the user: the headline, then one indented line per violation. */
  render(): string {
    return this.message;
  }
}

/** By name too: a bundled launcher and the generators it loads may hold two copies of this class. */
export const isUserError = (error: unknown): error is UserError =>
  error instanceof UserError || (error instanceof Error && error.name === 'UserError' && typeof (error as UserError).render === 'function');
