import assert from 'node:assert/strict';
import { textWidth } from '../../core/figures/text-metrics.js';
import { formatTicks, niceTicks, paddedDomain } from '../../core/figures/ticks.js';

describe('figures/ticks', () => {
  it('pads the finite range, and widens a single value or no value', () => {
    assert.deepEqual(paddedDomain([0, 10, Number.NaN, Number.POSITIVE_INFINITY], 0.05), { min: -0.5, max: 10.5 });
    assert.deepEqual(paddedDomain([2, 2], 0.05), { min: 1.8, max: 2.2 });
    assert.deepEqual(paddedDomain([0], 0.05), { min: -1, max: 1 });
    assert.deepEqual(paddedDomain([Number.NaN], 0.05), { min: 0, max: 1 });
  });

  it('chooses 1/2/2.5/5 × 10^k steps within the tick budget', () => {
    assert.deepEqual(niceTicks({ min: -0.17, max: 40.17 }, 7, true), [0, 10, 20, 30, 40]);
    assert.deepEqual(niceTicks({ min: 0.08, max: 0.36 }, 6), [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
    assert.deepEqual(niceTicks({ min: 0.846, max: 0.98 }, 6), [0.85, 0.875, 0.9, 0.925, 0.95, 0.975]);
    assert.deepEqual(niceTicks({ min: 0, max: 2 }, 7, true), [0, 1, 2], 'integer steps never go below 1');
    assert.deepEqual(niceTicks({ min: -5.97, max: 205.97 }, 7, true), [0, 50, 100, 150, 200]);
    assert.deepEqual(niceTicks({ min: 1, max: 1 }, 6), []);
    for (const ticks of [niceTicks({ min: -0.3, max: 0.3 }, 6), niceTicks({ min: 1e-7, max: 3.3e-5 }, 6)]) {
      assert.ok(ticks.length >= 3 && ticks.length <= 6, String(ticks));
      assert.ok(!ticks.some((t) => Object.is(t, -0)));
    }
  });

  it('labels ticks with just enough decimals, or exponents for extreme magnitudes', () => {
    assert.deepEqual(formatTicks([0, 10, 20]), ['0', '10', '20']);
    assert.deepEqual(formatTicks([0.1, 0.15, 0.2]), ['0.10', '0.15', '0.20']);
    assert.deepEqual(formatTicks([0.85, 0.875, 0.9]), ['0.850', '0.875', '0.900']);
    assert.deepEqual(formatTicks([-0.2, 0, 0.2]), ['-0.2', '0.0', '0.2']);
    assert.deepEqual(formatTicks([0, 1e-5, 2e-5, 3e-5]), ['0', '1e-5', '2e-5', '3e-5']);
    assert.deepEqual(formatTicks([2e7, 4e7, 6e7]), ['2e7', '4e7', '6e7']);
    assert.deepEqual(formatTicks([1.5e-4, 2e-4, 2.5e-4]), ['1.5e-4', '2.0e-4', '2.5e-4']);
    assert.deepEqual(formatTicks([]), []);
  });
});

describe('figures/text-metrics', () => {
  it('measures DejaVu Sans advance widths', () => {
    // 'Loss' in DejaVu Sans: L 1141 + o 1253 + s 1067 + s 1067 = 4528 units of 2048 per em.
    assert.equal(textWidth('Loss', 2048), 4528);
    assert.ok(textWidth('Loss', 12, true) > textWidth('Loss', 12));
    assert.ok(textWidth('日本', 12) > 0, 'characters outside Latin-1 get a fallback width');
    assert.equal(textWidth('', 12), 0);
  });
});
