"""The statistics trigger discovery reports, from scipy rather than written here: Wilson intervals
for a win rate, the interval of a ratio of two win rates (the headline), and the
Benjamini-Hochberg false-discovery correction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scipy.stats import binomtest, false_discovery_control
from scipy.stats.contingency import relative_risk

CONFIDENCE = 0.95


def wilson_interval(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion (95% by default).

    Chosen over the plain normal interval because it stays inside [0, 1] and keeps close to its
    nominal coverage with small counts and proportions near 0 or 1, which is exactly where thin CRM
    data lives. With no trials the proportion is unknown, so the interval is the whole of [0, 1].
    """
    if trials <= 0:
        return (0.0, 1.0)
    if not 0 <= successes <= trials:
        raise ValueError(f"wilson_interval: successes={successes} must be between 0 and trials={trials}")
    ci = binomtest(successes, trials).proportion_ci(confidence_level=confidence, method="wilson")
    return (max(0.0, float(ci.low)), min(1.0, float(ci.high)))


def ratio_interval(
    wins_a: int, n_a: int, wins_b: int, n_b: int, confidence: float = CONFIDENCE
) -> tuple[float, float] | None:
    """The interval of the ratio of two win rates (wins_a/n_a over wins_b/n_b): Katz's log interval
    for a relative risk (scipy's `relative_risk`). None when either group has no wins or no cases,
    where the ratio or its log is undefined."""
    if min(wins_a, wins_b) <= 0 or wins_a > n_a or wins_b > n_b:
        return None
    ci = relative_risk(wins_a, n_a, wins_b, n_b).confidence_interval(confidence_level=confidence)
    low, high = float(ci.low), float(ci.high)
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    return (low, high)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order.

    Discovery tests many trigger x window combinations at once; without a correction about one in
    twenty true-null combinations would look "significant" by chance. Rows whose q-value is below
    alpha keep the expected share of false discoveries below alpha.
    """
    if not p_values:
        return []
    return [float(q) for q in false_discovery_control(list(p_values), method="bh")]
