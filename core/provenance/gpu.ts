import { runCommand } from './run-command.js';
import type { GpuDevice, GpuInfo } from './types.js';

const QUERY_FIELDS = ['name', 'driver_version', 'memory.total', 'uuid', 'pci.bus_id', 'compute_cap'] as const;
/** compute_cap only exists since driver 510; older drivers reject the whole query because of it. */
const LEGACY_QUERY_FIELDS = QUERY_FIELDS.filter((field) => field !== 'compute_cap');

export interface ParsedGpuRow extends GpuDevice {
  driver: string | null;
}

/**
 * Parse `nvidia-smi --query-gpu=<fields> --format=csv`. Columns are found by their header
 * (e.g. "memory.total [MiB]"), not by position, so the field order does not matter and a
 * missing column reads as null.
 */
export const parseNvidiaSmiQueryCsv = (text: string): ParsedGpuRow[] => {
  const [header, ...rows] = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (header === undefined) return [];
  const columns = splitCsvLine(header).map((title) => title.replace(/\s*\[.*\]$/, ''));
  return rows.map((row) => {
    const cells = splitCsvLine(row);
    const cell = (field: string): string | null => {
      const index = columns.indexOf(field);
      return index < 0 ? null : notAvailableToNull(cells[index]);
    };
    const memory = cell('memory.total');
    return {
      name: cell('name') ?? 'unknown',
      driver: cell('driver_version'),
      memory_mib: memory === null ? null : parseMib(memory),
      uuid: cell('uuid'),
      pci_bus_id: cell('pci.bus_id'),
      compute_capability: cell('compute_cap'),
    };
  });
};

/** The "CUDA Version: 13.0" of plain `nvidia-smi`'s header: the newest CUDA the driver supports. */
export const parseCudaVersion = (text: string): string | null => /CUDA Version:\s*([0-9][0-9.]*)/.exec(text)?.[1] ?? null;

// nvidia-smi's CSV never quotes; GPU names contain no commas.
const splitCsvLine = (line: string): string[] => line.split(',').map((cell) => cell.trim());

/** "[N/A]", "[Not Supported]", "[Unknown Error]"… are nvidia-smi's ways of saying null. */
const notAvailableToNull = (value: string | undefined): string | null =>
  value === undefined || value === '' || /^\[.*\]$/.test(value) || value === 'N/A' ? null : value;

const parseMib = (value: string): number | null => {
  const match = /^(\d+)(?:\s*MiB)?$/.exec(value);
  return match ? Number(match[1]) : null;
};

export interface GpuCaptureOptions {
  /** nvidia-smi to run (looked up on env.PATH); default `nvidia-smi`. */
  executable?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export const captureGpu = async (options: GpuCaptureOptions = {}): Promise<GpuInfo> => {
  const executable = options.executable ?? 'nvidia-smi';
  const run = (args: string[]) => runCommand(executable, args, { env: options.env, timeoutMs: options.timeoutMs });
  const query = (fields: readonly string[]) => run([`--query-gpu=${fields.join(',')}`, '--format=csv']);
  // The query has no CUDA field; the plain table's header has it. Both at once.
  let [table, summary] = await Promise.all([query(QUERY_FIELDS), run([])]);
  if (!table.ok && /compute_cap/.test(table.reason)) table = await query(LEGACY_QUERY_FIELDS);
  if (!table.ok) return { available: false, reason: table.reason };
  const rows = parseNvidiaSmiQueryCsv(table.stdout);
  if (rows.length === 0) return { available: false, reason: `${executable} reported no GPU` };
  return {
    available: true,
    driver: rows[0].driver,
    cuda: summary.ok ? parseCudaVersion(summary.stdout) : null,
    gpus: rows.map(({ driver: _driver, ...gpu }) => gpu),
  };
};
