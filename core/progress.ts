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
