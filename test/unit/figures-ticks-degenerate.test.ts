import assert from 'node:assert/strict';
import { niceTicks, paddedDomain } from '../../core/figures/ticks.js';
import { curveFigureFromHistory, renderSvg } from '../../core/figures/training-curves.js';

/**
 * A series whose values differ only by float noise (e.g. the std over seeds of an experiment's
 * curve: 0.0173…2 and 0.0173…5) once made niceTicks count past 2^53, where k++ no longer moves:
 * the report of a project with an experiment record died with "invalid array length".
 */
describe('figure axes: values equal up to float noise', () => {
  it('paddedDomain treats them as one value; niceTicks never counts past a safe integer', () => {
    const a = 0.017320508075688773;
    const b = 0.017320508075688776;
    assert.deepEqual(paddedDomain([a, b], 0.06), paddedDomain([a], 0.06));
    assert.deepEqual(niceTicks({ min: a, max: b }, 6), []);
    const ticks = niceTicks(paddedDomain([a, b], 0.06), 6);
    assert.ok(ticks.length > 1 && ticks.length <= 6, String(ticks));
  });

  it('a history with such a column renders', () => {
    const history = [1, 2, 3].map((epoch) => ({ epoch, 'base.acc.std': epoch === 2 ? 0.017320508075688776 : 0.017320508075688773 }));
    assert.match(renderSvg(curveFigureFromHistory(history)), /^<svg /);
  });
});
