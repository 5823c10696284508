/**
 * `text` as one word of a POSIX shell command line: as it is when no character of it means
 * anything to the shell (so printed paths stay readable), else in single quotes.
 */
export const shellWord = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`);
