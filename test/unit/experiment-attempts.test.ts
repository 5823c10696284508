import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attemptTag, lastAttempt, nextRun } from '../../core/experiments/attempts.js';
import { tempDir } from '../helpers/fs.js';

/** A sealed run as far as attempts look: its folder and summary.json (`status` absent: completed, as in contract 1.0). */
const sealed = (root: string, tag: string, status?: string): void => {
  mkdirSync(join(root, 'artifacts/runs', tag), { recursive: true });
  writeFileSync(join(root, 'artifacts/runs', tag, 'summary.json'), JSON.stringify(status === undefined ? { tag } : { tag, status }));
};

describe('trial attempts: a new run <tag>.rN only after an interrupted one', () => {
  const trial = { tag: 'abl-lr0.1-s3', variant: 'lr0.1', seed: 3 };

  it('names attempts: the trial tag, then .r2, .r3', () => {
    assert.deepEqual([1, 2, 3].map((n) => attemptTag(trial.tag, n)), ['abl-lr0.1-s3', 'abl-lr0.1-s3.r2', 'abl-lr0.1-s3.r3']);
  });

  it('a trial with no run: attempt 1, under its own tag', () => {
    const root = tempDir();
    assert.equal(lastAttempt(root, trial.tag), undefined);
    assert.deepEqual(nextRun(root, trial), { trial, attempt: 1, tag: 'abl-lr0.1-s3' });
  });

  it('after interrupted attempts: the next number, naming the last one', () => {
    const root = tempDir();
    sealed(root, trial.tag, 'interrupted');
    assert.deepEqual(nextRun(root, trial), { trial, attempt: 2, tag: 'abl-lr0.1-s3.r2', previous: { attempt: 1, tag: 'abl-lr0.1-s3', status: 'interrupted' } });
    sealed(root, 'abl-lr0.1-s3.r2', 'interrupted');
    assert.deepEqual(nextRun(root, trial)?.tag, 'abl-lr0.1-s3.r3');
  });

  it('a completed (also a 1.0 summary without status) or failed last attempt is final', () => {
    for (const status of [undefined, 'completed', 'failed']) {
      const root = tempDir();
      sealed(root, trial.tag, 'interrupted');
      sealed(root, 'abl-lr0.1-s3.r2', status);
      assert.equal(nextRun(root, trial), undefined, String(status));
      assert.deepEqual(lastAttempt(root, trial.tag), { attempt: 2, tag: 'abl-lr0.1-s3.r2', status: status ?? 'completed' });
    }
  });
});
