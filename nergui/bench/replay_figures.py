"""The figures ``nergui bench active`` draws from the replayed learning curves.

A curve is a list of points ``{"docs": n, "f": F, "retention": R or None, ...}`` in the
order measured (``replay.Curve.points``). No spaCy, no Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# the targets on the fashion data: (figure, comparison, value)
TARGETS = (
    ("docs_to_95_fraction", "<=", 0.40),  # model order's
    ("auc_ratio", ">=", 1.15),
    ("continuous_gap", "<=", 0.03),
    ("retention_min", ">=", 0.97),
    ("teach_f_at_1000", ">=", 0.50),
)
SHARE = 0.95  # docs_to_95: documents needed to reach this share of full_f


def docs_to(points: Sequence[dict[str, Any]], threshold: float) -> int | None:
    """The first checkpoint (fewest documents) whose F is at or above ``threshold``; None if
    none is. Read off the measured points only: the true count lies between the checkpoint
    before it and this one."""
    for p in sorted(points, key=lambda p: p["docs"]):
        if p["f"] is not None and p["f"] >= threshold:
            return p["docs"]
    return None


def mean_curve(curves: Sequence[Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The point-wise mean F of several curves (random order's seeds) at the checkpoints all
    of them measured, with the lowest retention among them there."""
    if not curves:
        return []
    common = set.intersection(*({p["docs"] for p in c} for c in curves))
    out = []
    for docs in sorted(common):
        at = [next(p for p in c if p["docs"] == docs) for c in curves]
        rets = [p["retention"] for p in at if p.get("retention") is not None]
        out.append({"docs": docs, "f": sum(p["f"] for p in at) / len(at),
                    "f_min": min(p["f"] for p in at), "f_max": max(p["f"] for p in at),
                    "retention": min(rets) if rets else None})
    return out


def area(points: Sequence[dict[str, Any]], xs: Sequence[int]) -> float:
    """The area under F over documents (trapezoids) across the checkpoints ``xs``."""
    by = {p["docs"]: p["f"] for p in points}
    xs = sorted(xs)
    return sum((b - a) * (by[a] + by[b]) / 2 for a, b in zip(xs, xs[1:]))


def auc_ratio(model: Sequence[dict[str, Any]], random: Sequence[dict[str, Any]]) -> tuple[float | None, list[int]]:
    """Area under model order's curve over random order's (its mean over seeds), both over
    the checkpoints the two share, from the first to the last; and those checkpoints."""
    xs = sorted({p["docs"] for p in model} & {p["docs"] for p in random})
    if len(xs) < 2:
        return None, xs
    below = area(random, xs)
    return (area(model, xs) / below if below > 0 else None), xs


def retention_min(points: Sequence[dict[str, Any]]) -> float | None:
    values = [p["retention"] for p in points if p.get("retention") is not None]
    return min(values) if values else None


def f_at(points: Sequence[dict[str, Any]], docs: int) -> float | None:
    return next((p["f"] for p in points if p["docs"] == docs), None)


def missed(figures: dict[str, Any]) -> list[str]:
    """The targets a figure misses, and those not measured (None), as "name (value)"."""
    out = []
    for name, op, value in TARGETS:
        got = figures.get(name)
        if got is None:
            out.append(f"{name} (not measured)")
        elif (op == "<=" and got > value) or (op == ">=" and got < value):
            out.append(f"{name} ({got:.3f})")
    return out


def targets() -> dict[str, str]:
    return {name: f"{op} {value}" for name, op, value in TARGETS}


def against_targets(figures: dict[str, Any], beside: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Each target's figure beside it: ``{name: {"value", "target", "met", **beside[name]}}``
    (``met`` is None when the figure was not measured)."""
    out = {}
    for name, op, value in TARGETS:
        got = figures.get(name)
        met = None if got is None else (got <= value if op == "<=" else got >= value)
        out[name] = {"value": got, "target": f"{op} {value}", "met": met, **(beside or {}).get(name, {})}
    return out


def rounded(value: Any, digits: int = 3) -> Any:
    """Floats rounded, in lists and dicts too (for printing)."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    return value
