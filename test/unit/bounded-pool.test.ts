import assert from 'node:assert/strict';
import { forEachBounded } from '../../core/bounded-pool.js';
import { collectGarbage } from '../../core/collect-garbage.js';

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `weights.length` tasks under the limits; returns the most tasks and the most weight that were ever in flight, and the order they started in. */
const observe = async (weights: number[], concurrency: number, budget?: number) => {
  let running = 0;
  let held = 0;
  let mostRunning = 0;
  let mostHeld = 0;
  const started: number[] = [];
  const heavyAlone: boolean[] = [];
  await forEachBounded(weights.length, { concurrency, weight: (i) => weights[i]!, ...(budget === undefined ? {} : { budget }) }, async (i) => {
    started.push(i);
    running++;
    held += weights[i]!;
    mostRunning = Math.max(mostRunning, running);
    mostHeld = Math.max(mostHeld, held);
    if (budget !== undefined && weights[i]! > budget) heavyAlone.push(running === 1);
    await tick(1 + (i % 3));
    running--;
    held -= weights[i]!;
  });
  return { mostRunning, mostHeld, started, heavyAlone };
};

describe('bounded pool: many tasks, at most so many and so much in flight', () => {
  it('runs every task once, in index order of start, at most `concurrency` at a time', async () => {
    const { mostRunning, started } = await observe(Array(100).fill(0), 8);
    assert.equal(mostRunning, 8);
    assert.deepEqual(started, [...Array(100).keys()]);
  });

  it('keeps the weight in flight within the budget; a task heavier than the budget runs alone', async () => {
    const weights = Array.from({ length: 60 }, (_, i) => (i % 10 === 3 ? 50 : 2));
    const { mostHeld, mostRunning, started, heavyAlone } = await observe(weights, 32, 20);
    assert.equal(mostHeld, 50, 'a heavy task (50 > 20) ran, and nothing beside it');
    assert.ok(mostRunning <= 10, `${mostRunning} light tasks at once fit 20`);
    assert.deepEqual([...started].sort((a, b) => a - b), [...Array(60).keys()]);
    assert.deepEqual(heavyAlone, Array(6).fill(true));
  });

  it('does nothing for no tasks, and passes a failure on', async () => {
    await forEachBounded(0, { concurrency: 4 }, async () => assert.fail('no task'));
    await assert.rejects(forEachBounded(5, { concurrency: 2 }, async (i) => { if (i === 3) throw new Error('task 3'); }), /task 3/);
  });
});

describe('collectGarbage', () => {
  it('frees what is no longer referenced, now (V8 would wait until its heap had grown by a multiple)', () => {
    let garbage: Array<{ index: number }> | undefined = Array.from({ length: 1_000_000 }, (_, index) => ({ index }));
    const holding = process.memoryUsage().heapUsed;
    assert.equal(garbage.length, 1_000_000);
    garbage = undefined;
    collectGarbage();
    const freed = holding - process.memoryUsage().heapUsed;
    assert.ok(freed > 20 * 1024 * 1024, `freed ${(freed / 1048576).toFixed(1)} MB`);
  });
});
