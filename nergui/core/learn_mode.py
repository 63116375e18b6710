"""Whether "Learn as I annotate" can run on a project, and why not. No Qt.

It can once the project has a base pipeline and a type to learn: a label of the project
that the base pipeline does not predict already (read from the pipeline's ``meta.json``,
without loading it, so the window can ask at once). ``blank:LANG`` predicts nothing, so
every label of a project on it is new. A pipeline whose meta does not list its entity
types is taken as knowing none of the project's (the learner finds out itself).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Msg
from .pipeline import describe

# documents sent to the learner between two consolidation runs (a full run from the original,
# kept as a version, which the learner restarts from: gui/consolidation.py; bench active's
# continuous_gap replays the same cadence)
CONSOLIDATE_EVERY = 50


def known_labels(spec: str) -> list[str] | None:
    """The entity types ``spec`` predicts, from its ``meta.json`` (no loading): [] for
    ``blank:LANG``, None when the meta cannot be read or lists none."""
    spec = str(spec)
    if spec.startswith("blank:"):
        return []
    path = Path(spec)
    metas = [path / "meta.json"] if path.is_dir() else []
    if not metas:
        try:
            import spacy

            root = spacy.util.get_package_path(spec)
        except Exception:  # not an installed package: the learner reports it when it starts
            return None
        metas = [root / "meta.json", *sorted(root.glob("*/meta.json"))]
    for meta in metas:
        try:
            labels = json.loads(meta.read_text(encoding="utf8")).get("labels") or {}
        except (OSError, ValueError):
            continue
        found = sorted({label for name, names in labels.items() if "ner" in name for label in names or ()})
        if found or labels:
            return found
    return None


@dataclass
class Availability:
    """``ok``: the mode can run; else ``reason`` says why not (a ``Msg``, for the window's
    status line). ``new_labels``: the project's labels the base does not predict."""

    ok: bool
    reason: str = ""
    new_labels: list[str] = field(default_factory=list)


def availability(base: str | None, labels: list[str]) -> Availability:
    """Can a project on pipeline ``base`` (None: none set) with these labels learn as it is annotated?"""
    if not base:
        return Availability(False, Msg.LEARN_OFF_NO_BASE)
    if not labels:
        return Availability(False, Msg.LEARN_OFF_NO_LABELS)
    known = known_labels(base)
    new = [label for label in labels if known is None or label not in known]
    if not new:
        return Availability(False, Msg.LEARN_OFF_NOTHING_NEW.format(base=describe(base)))
    return Availability(True, "", new)
