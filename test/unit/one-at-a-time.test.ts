import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { oneAtATime } from '../../core/one-at-a-time.js';

describe('oneAtATime: async tasks run one at a time', () => {
  it('never overlaps two tasks, runs them in the order given, and gives each its own result', async () => {
    const lane = oneAtATime();
    const events: string[] = [];
    let running = 0;
    const task = (name: string, ms: number) => async (): Promise<string> => {
      running++;
      events.push(`start ${name} (${running} running)`);
      await delay(ms);
      events.push(`end ${name}`);
      running--;
      return name.toUpperCase();
    };
    // Given at once, from three callers, the slowest first.
    const results = await Promise.all([lane(task('a', 30)), lane(task('b', 5)), lane(task('c', 1))]);
    assert.deepEqual(results, ['A', 'B', 'C']);
    assert.deepEqual(events, ['start a (1 running)', 'end a', 'start b (1 running)', 'end b', 'start c (1 running)', 'end c']);
  });

  it("rejects only the failed task's caller; the tasks after it still run", async () => {
    const lane = oneAtATime();
    const failed = lane(async () => {
      throw new Error('seal failed');
    });
    const next = lane(async () => 42);
    await assert.rejects(failed, /seal failed/);
    assert.equal(await next, 42);
  });
});
