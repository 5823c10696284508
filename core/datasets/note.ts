import type { ListedFile } from './file-list.js';
import { REGISTRY_PATH, type DatasetRecord } from './types.js';

/** knowledge_base/data/<name>.md, relative to the project root. */
export const notePathFor = (name: string): string => `knowledge_base/data/${name}.md`;

/** How many files the note lists; the registry has them all. */
export const LISTED_FILES = 20;

/**
 * The human-readable page for a dataset. Everything in it is derived from the record, so it can be
 * regenerated; the registry stays the source of truth. `files`: the dataset's first files in path
 * order (the first LISTED_FILES are listed; more may be given).
 */
export function renderDatasetNote(record: DatasetRecord, files: readonly ListedFile[]): string {
  const rows: [string, string][] = [
    ['Source', record.url === undefined ? '_not recorded_' : `<${record.url}>`],
    ['License', record.license === undefined ? '_not recorded_' : cell(record.license)],
    ['Location', `\`${cell(record.path)}\` (${record.kind})`],
    ['Digest (sha256)', `\`${record.digest}\``],
    ['Files', record.file_count.toLocaleString('en-US')],
    ['Size', `${humanBytes(record.bytes)} (${record.bytes.toLocaleString('en-US')} bytes)`],
    ['Registered', record.registered_at],
  ];
  const listed = files.slice(0, LISTED_FILES);
  const more = record.file_count - listed.length;
  return [
    `# Dataset \`${record.name}\``,
    '',
    `<!-- Generated from ${REGISTRY_PATH} when the dataset was registered; re-registering it replaces this file. -->`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([key, value]) => `| ${key} | ${value} |`),
    '',
    '## Split logic',
    '',
    record.split_logic ?? '_Not recorded._',
    '',
    '## Checking the bytes',
    '',
    'Runs re-hash every file and refuse to start if anything changed (unless drift is explicitly allowed,',
    'in which case the run record lists what changed). The digest is the sha256 of `sha256sum`-style lines',
    '(`<sha256>  <path>`, one per file, sorted by path in byte order), so it can be checked without dl-lab',
    '(from the project root; file names containing a backslash excepted, which `sha256sum` escapes):',
    '',
    '```sh',
    record.kind === 'directory'
      ? `cd ${shellQuote(record.path)} && find . -type f | sed 's|^\\./||' | LC_ALL=C sort | tr '\\n' '\\0' | xargs -0 sha256sum | sha256sum`
      : `cd "$(dirname ${shellQuote(record.path)})" && sha256sum ${shellQuote(files[0].path)} | sha256sum`,
    '```',
    ...(record.file_list === undefined || record.kind !== 'directory'
      ? []
      : ['', 'Or, file by file, against the list kept beside the registry:', '', '```sh', `zcat ${shellQuote(record.file_list.path)} | (cd ${shellQuote(record.path)} && sha256sum --quiet -c -)`, '```']),
    '',
    `## Files${more > 0 ? ` (first ${listed.length} of ${record.file_count.toLocaleString('en-US')})` : ''}`,
    '',
    '| Path | Bytes | sha256 |',
    '|---|---:|---|',
    ...listed.map((file) => `| \`${cell(file.path)}\` | ${file.bytes?.toLocaleString('en-US') ?? ''} | \`${file.sha256}\` |`),
    ...(more > 0 ? ['', `…and ${more.toLocaleString('en-US')} more in \`${record.file_list?.path ?? REGISTRY_PATH}\`.`] : []),
    '',
  ].join('\n');
}

const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** Table cells cannot hold a pipe or a line break. */
const cell = (text: string): string => text.replaceAll('|', '\\|').replace(/\r?\n/g, ' ');

export function humanBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
