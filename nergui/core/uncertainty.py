"""How sure a figure is: a 95 % interval for retention, the spread of a figure across folds.

Retention is the F1 of the old-type entities against the original model's, summed over the
held-out texts: ``2 * matched / (predicted + reference)``. Its interval is a bootstrap over
the texts (entities of one text are not independent: resampling texts keeps them
together), 95 %, a fixed seed, widened to at least a Wilson score interval on the entity
counts: when every entity of a handful of texts is kept, every bootstrap resample says 1.00,
yet 20 entities kept out of 20 is not proof that none would be lost on the 21st.
numpy only (spaCy depends on it); no spaCy, no Qt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

LEVEL = 0.95
Z = 1.959963984540054  # two-sided 95 % of the standard normal
RESAMPLES = 500
SEED = 12345


def f1(matched: float, predicted: float, reference: float) -> float:
    """Micro F1 from counts; 1.0 when there was nothing to find and nothing was found."""
    total = predicted + reference
    return 2.0 * matched / total if total else 1.0


def wilson(successes: float, trials: float, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of a proportion (``trials`` may be fractional)."""
    if trials <= 0:
        return 0.0, 1.0
    p = min(1.0, max(0.0, successes / trials))
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def f1_interval(counts: Sequence[Sequence[float]], *, resamples: int = RESAMPLES,
                seed: int = SEED) -> tuple[float, float]:
    """A 95 % interval for the micro F1 of per-text ``(matched, predicted, reference)`` counts.

    The percentile bootstrap over the texts, widened to the Wilson interval of F1 read as a
    proportion (``matched`` out of ``(predicted + reference) / 2``, the Dice form of F1).
    Deterministic: the same counts give the same interval."""
    arr = np.asarray(counts, dtype=float).reshape(-1, 3)
    if not len(arr):
        return 0.0, 1.0
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(arr), size=(resamples, len(arr)))
    sums = arr[picks].sum(axis=1)  # (resamples, 3)
    total = sums[:, 1] + sums[:, 2]
    values = np.where(total > 0, 2.0 * sums[:, 0] / np.where(total > 0, total, 1.0), 1.0)
    alpha = (1.0 - LEVEL) / 2
    low, high = (float(v) for v in np.quantile(values, [alpha, 1.0 - alpha]))
    matched, predicted, reference = arr.sum(axis=0)
    w_low, w_high = wilson(matched, (predicted + reference) / 2)
    point = f1(float(matched), float(predicted), float(reference))
    return float(max(0.0, min(low, w_low, point))), float(min(1.0, max(high, w_high, point)))


def spread(values: Sequence[float]) -> float:
    """The sample standard deviation of ``values`` (0.0 for fewer than two)."""
    return float(np.std(np.asarray(values, dtype=float), ddof=1)) if len(values) > 1 else 0.0
