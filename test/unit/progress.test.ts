import assert from 'node:assert/strict';
import { hashingReporter, withHashingProgress } from '../../core/progress.js';

/** A ProgressWriter that keeps what is written, on a terminal or not. */
const writer = (isTTY: boolean): { isTTY: boolean; text: string; write(text: string): void } => ({
  isTTY,
  text: '',
  write(text: string) {
    this.text += text;
  },
});

/** Reports `files` of 10 (each 1 MiB) at the given clock times (ms after the start). */
const replay = (out: ReturnType<typeof writer>, times: readonly number[], quiet = false) => {
  let clock = 0;
  const report = hashingReporter(out, 'dataset ds', quiet, () => clock);
  times.forEach((time, files) => {
    clock = time;
    report({ files, bytes: files * 1024 * 1024, totalFiles: times.length - 1, totalBytes: (times.length - 1) * 1024 * 1024 });
  });
  return report;
};

describe('hashing progress', () => {
  it('prints nothing for a hash that is quick, or when quiet', () => {
    for (const isTTY of [true, false]) {
      const out = writer(isTTY);
      replay(out, [0, 100, 200, 900]).end();
      assert.equal(out.text, '');
    }
    const quiet = writer(true);
    replay(quiet, [0, 2000, 4000, 60_000], true).end();
    assert.equal(quiet.text, '');
  });

  it('on a terminal: one line redrawn after the first second, at most every 100 ms, ended by the last', () => {
    const out = writer(true);
    replay(out, [0, 500, 1000, 1050, 1100, 1300, 1310]);
    assert.deepEqual(out.text.split('\r').slice(1), [
      'hashing dataset ds: 2/6 files, 2.0 MiB of 6.0 MiB (33%)\u001b[K',
      'hashing dataset ds: 4/6 files, 4.0 MiB of 6.0 MiB (66%)\u001b[K',
      'hashing dataset ds: 5/6 files, 5.0 MiB of 6.0 MiB (83%)\u001b[K',
      'hashing dataset ds: 6/6 files, 6.0 MiB of 6.0 MiB (100%)\u001b[K\n',
    ]);
  });

  it('in a log: a line every 30 s of a long hash, then the last one', () => {
    const out = writer(false);
    replay(out, [0, 10_000, 31_000, 40_000, 62_000, 63_000]);
    assert.deepEqual(out.text.split('\n'), [
      'hashing dataset ds: 2/5 files, 2.0 MiB of 5.0 MiB (40%)',
      'hashing dataset ds: 4/5 files, 4.0 MiB of 5.0 MiB (80%)',
      'hashing dataset ds: 5/5 files, 5.0 MiB of 5.0 MiB (100%)',
      '',
    ]);
  });

  it('a lone file (a checkpoint) is counted in bytes only', () => {
    const out = writer(false);
    let clock = 0;
    const report = hashingReporter(out, 'checkpoint tmp/best.pt', false, () => clock);
    const GiB = 1024 ** 3;
    for (const [time, bytes] of [[0, 0], [31_000, 4.2 * GiB], [40_000, 20 * GiB]]) {
      clock = time;
      report({ files: bytes === 20 * GiB ? 1 : 0, bytes, totalFiles: 1, totalBytes: 20 * GiB });
    }
    assert.equal(out.text, 'hashing checkpoint tmp/best.pt: 4.2 GiB of 20.0 GiB (21%)\nhashing checkpoint tmp/best.pt: 20.0 GiB of 20.0 GiB (100%)\n');
  });

  it('a line left open on a terminal is ended when the work fails, so the error starts on its own line', async () => {
    const out = writer(true);
    await assert.rejects(
      withHashingProgress(out, 'dataset ds', false, async (onProgress) => {
        onProgress({ files: 0, bytes: 0, totalFiles: 2, totalBytes: 2 });
        await new Promise((resolve) => setTimeout(resolve, 1100));
        onProgress({ files: 1, bytes: 1, totalFiles: 2, totalBytes: 2 });
        throw new Error('unreadable');
      }),
      /unreadable/,
    );
    assert.equal(out.text, '\rhashing dataset ds: 1/2 files, 1 B of 2 B (50%)\u001b[K\n');
  });
});
