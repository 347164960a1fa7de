"""Small, dependency-free statistics for trigger discovery: Wilson intervals and the
Benjamini-Hochberg false-discovery correction.

Written here rather than pulled from scipy/statsmodels because they are a few lines each and the
project does not otherwise need either library.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Z_95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion (95% by default).

    Chosen over the plain normal interval because it stays inside [0, 1] and keeps close to its
    nominal coverage with small counts and proportions near 0 or 1, which is exactly where thin CRM
    data lives. With no trials the proportion is unknown, so the interval is the whole of [0, 1].
    """
    if trials <= 0:
        return (0.0, 1.0)
    if not 0 <= successes <= trials:
        raise ValueError(f"wilson_interval: successes={successes} must be between 0 and trials={trials}")
    p = successes / trials
    z2 = z * z
    denom = 1.0 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order.

    Discovery tests many trigger x window combinations at once; without a correction about one in
    twenty true-null combinations would look "significant" by chance. Rows whose q-value is below
    alpha keep the expected share of false discoveries below alpha.
    """
    m = len(p_values)
    if m == 0:
        return []
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):  # from the largest p-value down, keeping the minimum seen
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = min(1.0, running)
    return adjusted
