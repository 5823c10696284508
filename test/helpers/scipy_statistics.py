"""SciPy's side of test/unit/experiment-statistics.test.ts: reads cases [{a, b}] as JSON on stdin,
prints, per case, what scipy.stats computes for them (the reference dl-lab must agree with)."""
import json
import sys

import numpy as np
from scipy import stats


def describe(xs):
    xs = np.asarray(xs, dtype=float)
    n = len(xs)
    sem = stats.sem(xs, ddof=1)
    low, high = stats.t.interval(0.95, n - 1, loc=np.mean(xs), scale=sem)
    return {
        "n": n,
        "mean": float(np.mean(xs)),
        "std": float(np.std(xs, ddof=1)),
        "sem": float(sem),
        "t_quantile": float(stats.t.ppf(0.975, n - 1)),
        "ci95": [float(low), float(high)],
        "median": float(np.median(xs)),
        "min": float(np.min(xs)),
        "max": float(np.max(xs)),
    }


def t_quantile_fractional_df(p, df):
    """stats.t.ppf polished by one Newton step on stats.t.cdf: Debian's SciPy 1.10 (cephes stdtrit)
    is off by up to ~3e-9 relative at non-integer df (e.g. df=5.467: 2.50591146274 where mpmath at
    40 digits, SciPy 1.17 and @stdlib all give 2.50591146815), while its CDF is accurate."""
    q = stats.t.ppf(p, df)
    return q - (stats.t.cdf(q, df) - p) / stats.t.pdf(q, df)


def welch(a, b):
    # Debian's SciPy (1.10) has no .df or .confidence_interval() on the result: the
    # Welch-Satterthwaite df and the interval are written out here with numpy and stats.t.
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    test = stats.ttest_ind(b, a, equal_var=False)
    var_a, var_b = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    df = (var_a + var_b) ** 2 / (var_a**2 / (len(a) - 1) + var_b**2 / (len(b) - 1))
    difference = np.mean(b) - np.mean(a)
    half = t_quantile_fractional_df(0.975, df) * np.sqrt(var_a + var_b)
    low, high = difference - half, difference + half
    return {
        "difference": float(difference),
        "t": float(test.statistic),
        "df": float(df),
        "p_value": float(test.pvalue),
        "ci95": [float(low), float(high)],
    }


cases = json.load(sys.stdin)
print(json.dumps([{"a": describe(c["a"]), "b": describe(c["b"]), "welch": welch(c["a"], c["b"])} for c in cases]))
