/** The sub-generators `dl-lab <name>` and `yo dl-lab:<name>` run; `app` is the default. */
export const SUBCOMMANDS = ['app', 'run', 'demo'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export const isSubcommand = (value: string | undefined): value is Subcommand =>
  value !== undefined && (SUBCOMMANDS as readonly string[]).includes(value);
