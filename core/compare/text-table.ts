/** Columns padded to their widest cell (by code points, so ⚠ and — count as one), separated by two spaces. */
export const textTable = (rows: ReadonlyArray<readonly string[]>, indent = '  '): string[] => {
  const width = (cell: string): number => [...cell].length;
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => width(row[column] ?? '')))) ?? [];
  return rows.map((row) => `${indent}${row.map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column] - width(cell)))).join('  ')}`.trimEnd());
};

/** A number as people read it: integers whole, others to 6 significant digits (the JSON output keeps every digit). */
export const formatNumber = (value: number | null | undefined, signed = false): string => {
  if (value === null || value === undefined) return '—';
  const text = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  return signed && value > 0 ? `+${text}` : text;
};

/** A value from a manifest (string, number, boolean, null, array) in one short line; absent is "(absent)". */
export const formatValue = (value: unknown): string =>
  value === undefined ? '(absent)' : typeof value === 'string' ? value : JSON.stringify(value);
