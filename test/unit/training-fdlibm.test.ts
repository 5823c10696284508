import assert from 'node:assert/strict';
import { expNonPositive, log, tanh } from '../../core/training/fdlibm.js';
import { Rng } from '../../core/training/prng.js';

/** Distance in units in the last place between two finite doubles of the same sign. */
function ulps(a: number, b: number): number {
  const bits = new BigInt64Array(new Float64Array([a, b]).buffer);
  const diff = bits[0] - bits[1];
  return Number(diff < 0n ? -diff : diff);
}

describe('training/fdlibm', () => {
  // Pinned results: a change to these changes every recorded run. They equal Math.* of Node 20
  // (V8's fdlibm), which the ports reproduced bit for bit on millions of random inputs each.
  const knownAnswers: [string, (x: number) => number, [number, number][]][] = [
    ['expNonPositive', expNonPositive, [[-0.5, 0.6065306597126334], [-1, 0.36787944117144233], [-3.7, 0.024723526470339388], [-1e-9, 0.999999999], [-700.5, 5.980196118639791e-305], [-745, 5e-324]]],
    ['tanh', tanh, [[0.3, 0.2913126124515909], [-1.5, -0.9051482536448664], [0.01, 0.00999966667999946], [3.25, 0.996997635486526], [-0.75, -0.6351489523872873], [19.5, 1], [1e-10, 1e-10]]],
    ['log', log, [[0.3, -1.2039728043259361], [2, 0.6931471805599453], [1e-310, -713.8013788281542], [0.999999, -0.000001000000500029089], [123456.789, 11.723646487185881]]],
  ];
  for (const [name, fn, cases] of knownAnswers) {
    it(`${name} reproduces its pinned values`, () => {
      for (const [x, expected] of cases) assert.equal(fn(x), expected, `${name}(${x})`);
    });
  }

  it('handles the special values like Math does', () => {
    assert.deepEqual([expNonPositive(-Infinity), expNonPositive(-746), expNonPositive(0), expNonPositive(-0)], [0, 0, 1, 1]);
    assert.ok(Number.isNaN(expNonPositive(Number.NaN)) && Number.isNaN(tanh(Number.NaN)) && Number.isNaN(log(Number.NaN)) && Number.isNaN(log(-1)));
    assert.deepEqual([tanh(Infinity), tanh(-Infinity), tanh(-30), tanh(0)], [1, -1, -1, 0]);
    assert.ok(Object.is(tanh(-0), -0));
    assert.deepEqual([log(0), log(Infinity), log(1)], [-Infinity, Infinity, 0]);
  });

  // Not bit-equality: a later engine may round Math.* differently (that is why these ports exist),
  // but any decent libm stays within 1 ulp of a < 1 ulp fdlibm result.
  it('stays within 1 ulp of Math.* across the ranges training uses', () => {
    const rng = new Rng(99);
    for (let i = 0; i < 20_000; i++) {
      const wide = (2 * rng.uniform() - 1) * 40;
      const positive = rng.uniform() * 100 + 1e-300;
      const negative = -Math.abs(wide) * 18;
      assert.ok(ulps(expNonPositive(negative), Math.exp(negative)) <= 1, `exp(${negative})`);
      assert.ok(ulps(tanh(wide / 8), Math.tanh(wide / 8)) <= 1, `tanh(${wide / 8})`);
      assert.ok(ulps(log(positive), Math.log(positive)) <= 1, `log(${positive})`);
    }
  });
});
