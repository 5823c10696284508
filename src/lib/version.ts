import { readFileSync } from 'node:fs';

/** This package's version, recorded in every manifest (`src/lib` and `dist/lib` are both two levels below package.json). */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
