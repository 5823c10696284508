// Axis scaling for the figures: padded data ranges, "nice" tick positions and their labels.
// Pure and deterministic (plain float arithmetic, no locale-dependent formatting).

export interface Domain {
  min: number;
  max: number;
}

/**
 * The range of the finite values, widened by `margin` (a fraction of the span) on both sides,
 * like matplotlib's default axes margins. A single value gets a span around it; no value gets [0, 1].
 */
export function paddedDomain(values: Iterable<number>, margin: number): Domain {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return { min: 0, max: 1 };
  // Values equal up to float noise (a std over seeds that differs in the last bit) are one value:
  // a span of 1e-17 has no readable ticks.
  if (max - min <= Math.max(Math.abs(min), Math.abs(max)) * 1e-12) {
    const middle = min + (max - min) / 2;
    const half = middle === 0 ? 1 : Math.abs(middle) * 0.1;
    return { min: middle - half, max: middle + half };
  }
  const pad = (max - min) * margin;
  return { min: min - pad, max: max + pad };
}

const NICE_STEPS = [1, 2, 2.5, 5, 10] as const;

/**
 * Tick positions inside `domain`: multiples of a step of 1, 2, 2.5 or 5 × 10^k chosen so that there
 * are at most `maxTicks` of them. With `integer`, steps are whole numbers (epochs).
 */
export function niceTicks(domain: Domain, maxTicks: number, integer = false): number[] {
  const span = domain.max - domain.min;
  if (!(span > 0) || !Number.isFinite(span)) return [];
  const rough = span / Math.max(1, maxTicks - 1);
  let magnitude = 10 ** Math.floor(Math.log10(rough));
  let step = Number.NaN;
  // Try the candidates from the smallest; take the first whose tick count fits.
  for (let attempt = 0; attempt < 3 && Number.isNaN(step); attempt++) {
    for (const m of NICE_STEPS) {
      const candidate = m * magnitude;
      if (integer && (candidate < 1 || !Number.isInteger(Math.round(candidate * 1e9) / 1e9))) continue;
      const count = Math.floor(domain.max / candidate + 1e-9) - Math.ceil(domain.min / candidate - 1e-9) + 1;
      if (count <= maxTicks) {
        step = candidate;
        break;
      }
    }
    magnitude *= 10;
  }
  if (Number.isNaN(step)) return [];
  const first = Math.ceil(domain.min / step - 1e-9);
  const last = Math.floor(domain.max / step + 1e-9);
  // Past 2^53 a tick index no longer moves by one (k++ is a no-op): a span too small for its magnitude.
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last - first >= maxTicks) return [];
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) {
    // k * step, cleaned of float noise (0.30000000000000004 → 0.3), and never -0.
    const v = Number((k * step).toPrecision(12));
    ticks.push(v === 0 ? 0 : v);
  }
  return ticks;
}

/**
 * Labels for evenly spaced ticks: fixed-point with just enough decimals to tell them apart,
 * or exponent notation for very large or very small magnitudes.
 */
export function formatTicks(ticks: readonly number[]): string[] {
  if (ticks.length === 0) return [];
  const maxAbs = Math.max(...ticks.map((t) => Math.abs(t)));
  const step = ticks.length > 1 ? Math.abs((ticks[1] ?? 0) - (ticks[0] ?? 0)) : maxAbs || 1;
  if (maxAbs >= 1e6 || (maxAbs > 0 && maxAbs < 1e-3)) {
    const exp = (t: number, digits: number): string => (t === 0 ? '0' : compactExponent(t.toExponential(digits)));
    // The fewest digits (the same for all labels) that still state every tick exactly.
    for (let digits = 0; digits <= 6; digits++) {
      const labels = ticks.map((t) => exp(t, digits));
      if (labels.every((l, i) => Math.abs(Number(l) - (ticks[i] ?? 0)) <= 1e-9 * step)) return labels;
    }
    return ticks.map((t) => exp(t, 6));
  }
  let decimals = 0;
  while (decimals < 8 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6 * 10 ** decimals) {
    decimals++;
  }
  return ticks.map((t) => {
    const s = t.toFixed(decimals);
    return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
  });
}

/** "1.5e-05" → "1.5e-5", "2e+06" → "2e6". */
function compactExponent(s: string): string {
  return s.replace(/e([+-])0*(\d)/, (_m, sign: string, d: string) => `e${sign === '-' ? '-' : ''}${d}`);
}
