"""Pins the percentile-bootstrap intervals of the mean that libs/core/src/bootstrap.ts must match.

For small value sets (one value per seed) it writes, per set:
- the exact percentile interval: the bootstrap distribution of the mean enumerated over every
  multiset of n draws with its multinomial weight, and numpy-style linear quantiles of it
  (the limit of infinitely many resamples);
- scipy.stats.bootstrap(method='percentile') with 200,000 resamples (an independent
  implementation; it agrees with the exact interval to about 1e-3 of the range).

Run: python3 scripts/reference/bootstrap_reference.py > libs/core/test/fixtures/bootstrap-reference.json
"""
import itertools
import json
import math

import numpy as np
import scipy
from scipy import stats

SETS = [
    [0.61, 0.55, 0.72],
    [1.0, 2.0, 3.0, 10.0],
    [0.153, 0.019, 0.044, 0.031, 0.087],
    [12.5, 11.0, 13.25, 9.75, 12.0, 14.5],
]
LEVEL = 0.95


def exact_interval(values, level):
    n = len(values)
    means, weights = [], []
    for counts in itertools.product(range(n + 1), repeat=n):
        if sum(counts) != n:
            continue
        w = math.factorial(n)
        for c in counts:
            w //= math.factorial(c)
        means.append(sum(c * v for c, v in zip(counts, values)) / n)
        weights.append(w / n**n)
    order = np.argsort(means)
    means = np.array(means)[order]
    cdf = np.cumsum(np.array(weights)[order])
    # The linear quantile of B resamples tends to the generalized inverse of the exact CDF.
    alpha = (1 - level) / 2
    lo = means[np.searchsorted(cdf, alpha - 1e-12)]
    hi = means[np.searchsorted(cdf, 1 - alpha - 1e-12)]
    return float(lo), float(hi)


out = {"level": LEVEL, "scipy": scipy.__version__, "sets": []}
for values in SETS:
    lo, hi = exact_interval(values, LEVEL)
    res = stats.bootstrap((np.array(values),), np.mean, n_resamples=200_000, method="percentile",
                          confidence_level=LEVEL, random_state=np.random.default_rng(0))
    out["sets"].append({
        "values": values,
        "mean": float(np.mean(values)),
        "exact": [lo, hi],
        "scipy": [float(res.confidence_interval.low), float(res.confidence_interval.high)],
    })
print(json.dumps(out, indent=2))
