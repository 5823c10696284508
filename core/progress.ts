import { humanBytes } from './datasets/note.js';
import type { HashProgress } from './hashing/hash-files.js';
import type { EpochRecord } from './training/api.js';

export interface ProgressWriter { isTTY?: boolean; write(text: string): unknown; columns?: number }

const formatEpoch = (r: EpochRecord, total: number): string =>
  `epoch ${String(r.epoch).padStart(String(total).length)}/${total}  train_loss ${r.train_loss.toFixed(4)}  val_loss ${r.val_loss.toFixed(4)}  val_acc ${r.val_accuracy.toFixed(3)}`;

/**
 * Training progress: a redrawn bar on a terminal; without one, at most one line per epoch
 * (thinned to about ten lines, so CI logs stay short); nothing when quiet.
 */
export const epochReporter = (out: ProgressWriter, quiet: boolean): ((record: EpochRecord, total: number) => void) => {
  if (quiet) return () => {};
  if (out.isTTY) {
    return (record, total) => {
      const width = 24;
      const filled = Math.round((record.epoch / total) * width);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      out.write(`\r${bar} ${formatEpoch(record, total)}${record.epoch === total ? '\n' : ''}`);
    };
  }
  return (record, total) => {
    const every = Math.max(1, Math.ceil(total / 10));
    if (record.epoch % every === 0 || record.epoch === total || record.epoch === 1) out.write(`${formatEpoch(record, total)}\n`);
  };
};

/** A terminal gets the hashing line only once hashing has taken this long: a quick one prints nothing. */
const TTY_AFTER_MS = 1000;
/** …and redraws it at most this often. */
const TTY_EVERY_MS = 100;
/** A log (no terminal: Slurm, CI, `nohup`) gets a line this often during a long hash, then the last one. */
const LOG_EVERY_MS = 30_000;

/**
 * Progress of hashing, e.g. `hashing dataset ds: 12,345/100,000 files, 24.1 MiB of 195.3 MiB (12%)`
 * (files read, not found in the hash cache) or `hashing checkpoint best.pt: 4.2 GiB of 20.0 GiB
 * (21%)`. On a terminal, one line redrawn after the first second; in a log, a line every 30 s of a
 * long hash and the last one. Nothing when it is quick, or when quiet. `end()` finishes a line
 * left open on a terminal (hashing stopped by an error), so the error starts on a line of its
 * own. `now` is the clock (milliseconds), given by tests.
 */
export interface HashingReporter {
  (progress: HashProgress): void;
  end(): void;
}

export const hashingReporter = (out: ProgressWriter, what: string, quiet = false, now: () => number = () => performance.now()): HashingReporter => {
  const started = now();
  let shownAt: number | undefined;
  let open = false;
  const report = (progress: HashProgress): void => {
    if (quiet) return;
    const at = now();
    const done = progress.files === progress.totalFiles;
    const due = shownAt === undefined ? at - started >= (out.isTTY ? TTY_AFTER_MS : LOG_EVERY_MS) : at - shownAt >= (out.isTTY ? TTY_EVERY_MS : LOG_EVERY_MS);
    if (!due && !(done && shownAt !== undefined)) return;
    const line = hashingLine(what, progress);
    out.write(out.isTTY ? `\r${line}\u001b[K${done ? '\n' : ''}` : `${line}\n`);
    open = out.isTTY === true && !done;
    shownAt = at;
  };
  return Object.assign(report, {
    end: (): void => {
      if (open) out.write('\n');
      open = false;
    },
  });
};

/** A lone file (a checkpoint) is counted in bytes only. */
const hashingLine = (what: string, { files, totalFiles, bytes, totalBytes }: HashProgress): string =>
  `hashing ${what}: ${totalFiles === 1 ? '' : `${files.toLocaleString('en-US')}/${totalFiles.toLocaleString('en-US')} files, `}${humanBytes(bytes)} of ${humanBytes(totalBytes)}` +
  ` (${totalBytes === 0 ? 100 : Math.floor((100 * bytes) / totalBytes)}%)`;

/** `dataset ds`, `datasets a, b`: what a hashing line is about. */
export const datasetsLabel = (names: readonly string[]): string => `dataset${names.length === 1 ? '' : 's'} ${names.join(', ')}`;

/** Runs `work` with a hashing reporter on `out`, and ends its line however the work ends. */
export const withHashingProgress = async <T>(out: ProgressWriter, what: string, quiet: boolean, work: (onProgress: (progress: HashProgress) => void) => Promise<T>): Promise<T> => {
  const reporter = hashingReporter(out, what, quiet);
  try {
    return await work(reporter);
  } finally {
    reporter.end();
  }
};
