"""What one training run learns from, scores on and measures forgetting on, chosen once.

``split_data`` makes a ``TrainData`` from the accepted records and the unannotated texts; the
trainer, the scores after each epoch, the final scores, the comparison with the model in use
and ``nergui evaluate`` all read that one value through one scorer (``Scorer``), the way
spaCy's ``train`` resolves its corpora once and hands ``create_evaluation_callback`` to its
loop. So the counts a report shows are the counts that were scored.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language

from ..errors import Msg, TrainingError
from . import evaluate, holdout
from . import evaluation_sample as sample
from .evaluation_sample import EvaluationSample
from .pipeline import ner_labels
from .records import Record
from .settings import TrainSettings

EARLY_STOPPING_MIN_DOCS = 20  # fewer documents: early stopping has nothing to select on


@dataclass
class TrainData:
    """One run's documents and texts.

    ``train``: records learnt from. ``dev``: records scored per label, never trained on
    (``dev_source`` says where they came from). ``rehearsal``: unannotated texts mixed into
    the batches. ``retention``: unannotated texts forgetting is measured on, never rehearsed.
    ``skipped``: records longer than the pipeline takes (``nlp.max_length``)."""

    train: list[Record]
    labels: list[str]
    old_labels: list[str] = field(default_factory=list)
    dev: list[Record] = field(default_factory=list)
    dev_source: str = ""
    rehearsal: list[str] = field(default_factory=list)
    retention: list[str] = field(default_factory=list)
    skipped: list[Record] = field(default_factory=list)
    evaluation: list[Record] = field(default_factory=list)  # the evaluation sample's accepted records: never trained on

    @property
    def new_labels(self) -> list[str]:
        return [label for label in self.labels if label not in self.old_labels] or list(self.labels)


def split_data(base: Language, records: Sequence[Record], texts: Sequence[str] = (), *,
               settings: TrainSettings, labels: Sequence[str] | None = None,
               eval_records: Sequence[Record] | None = None, hold_out: bool = False,
               retention_limit: int = holdout.RETENTION_LIMIT, evaluation: EvaluationSample | None = None) -> TrainData:
    """The one split of a run.

    Per-label scores are taken on ``eval_records`` (an eval file) if given, else on a fixed
    hash-chosen share of the records (``nergui.core.holdout``) when early stopping needs one
    or ``hold_out`` asks for one, else on nothing. Forgetting is measured on the texts
    ``holdout.retention_split`` holds out of rehearsal (the same ones ``nergui evaluate
    --raw`` uses), or, with fewer than 50 texts, on ``settings.dev_rehearsal`` of them at
    most (a fifth).

    ``evaluation`` (the project's evaluation sample, ``nergui.core.evaluation_sample``): its
    records are never trained on; they are the dev records (scored per label) once there are
    ``MIN_SCORED`` of them, unless an eval file is given or early stopping selects on dev.
    Records of binary decisions only (``Record.binary``) are trained on unless the sample
    holds them, and never scored: their unmarked tokens are unknown.
    """
    records = [r for r in records if r.spans or r.state == "accepted" or r.binary]
    held: list[Record] = []
    if evaluation is not None:
        records, held = evaluation.split(records)
        held = [r for r in held if not r.binary]  # kept out of training, and not scored either
        sample.check_left(records, held)
    skipped = [r for r in records if len(r.text) > base.max_length]  # spaCy refuses them (E088)
    records = [r for r in records if len(r.text) <= base.max_length]
    old = ner_labels(base)
    labels = list(labels) if labels else sorted({s.label for r in records for s in r.spans})
    binary = [r for r in records if r.binary]
    records = [r for r in records if not r.binary]
    dev: list[Record] = []
    source = ""
    if eval_records:
        dev, source = list(eval_records), "eval file"
    elif settings.early_stopping:
        records, dev = holdout.split(records, fraction=settings.dev_fraction, min_docs=EARLY_STOPPING_MIN_DOCS)
        source = "held-out share" if dev else ""
    elif len(held) >= sample.MIN_SCORED and any(r.spans for r in held):
        dev, source = list(held), sample.SOURCE
    elif hold_out:
        records, dev = holdout.split(records)
        source = "held-out share" if dev else ""
    records += binary
    if not records:
        raise TrainingError(Msg.TRAIN_FAILED.format(detail="no accepted documents to train on"))
    texts = [t for t in dict.fromkeys(texts) if len(t) <= base.max_length]
    retention: list[str] = []
    if old:
        texts, retention = holdout.retention_split(texts, limit=retention_limit)
    rng = random.Random(settings.seed)
    rng.shuffle(texts)
    if old and not retention:  # too few texts to hold a fixed share out: keep a few aside
        n = min(settings.dev_rehearsal, len(texts) // 5)
        retention, texts = texts[:n], texts[n:]
    return TrainData(train=records, labels=labels, old_labels=old, dev=dev, dev_source=source,
                     rehearsal=texts, retention=retention, skipped=skipped, evaluation=held)


class Scorer:
    """The run's evaluation callback: every figure a run reports is ``scorer(nlp)``.

    Per-label P/R/F on ``data.dev`` (and ``new_f``, their mean over the new types), retention
    of the old types on ``data.retention`` against the original model (the teacher, run once
    per text) with its 95 % interval (``retention_low``, ``retention_high``) and the same
    figure with an entity taken by a new type counted as kept
    (``retention_excluding_relabelled``, with its interval: the meter's colour follows it),
    and ``joint``, the harmonic mean of ``new_f`` and ``retention``, which early stopping
    selects on. ``documents_scored`` and ``retention_texts`` are what was scored."""

    def __init__(self, data: TrainData, teacher: Language):
        self.data = data
        self.teacher = teacher
        self._reference: list[list[tuple[int, int, str]]] | None = None

    def reference(self) -> list[list[tuple[int, int, str]]]:
        """The original model's entities on each retention text (computed once)."""
        if self._reference is None:
            self._reference = evaluate.teacher_entities(self.teacher, self.data.retention)
        return self._reference

    def __call__(self, nlp: Language) -> dict[str, Any]:
        data = self.data
        out: dict[str, Any] = {}
        if data.dev:
            out.update(evaluate.score_records(nlp, data.dev, labels=data.labels))
            out["new_f"] = evaluate.mean_f(out, data.new_labels)
            out["documents_scored"] = len(data.dev)
        if data.retention and data.old_labels:
            detail = evaluate.retention_detail(nlp, data.retention, self.reference(), old_labels=data.old_labels)
            for key in ("retention", "retention_low", "retention_high"):
                out[key] = detail.pop(key)
            for key in ("", "_low", "_high"):
                out[f"retention_excluding_relabelled{key}"] = detail.pop(f"excluding_relabelled{key}")
            out["retention_texts"] = detail.pop("texts")
            out["retention_detail"] = detail
        parts = [out[k] for k in ("new_f", "retention") if out.get(k) is not None]
        if len(parts) == 2:
            out["joint"] = 2 * math.prod(parts) / sum(parts) if sum(parts) else 0.0
        else:
            out["joint"] = parts[0] if parts else 0.0
        return out

    def before(self) -> dict[str, float]:
        """The original model's per-label F on the same records (the result card's "before")."""
        if not self.data.dev:
            return {}
        scores = evaluate.score_records(self.teacher, self.data.dev, labels=self.data.labels)
        return {k: v["f"] for k, v in scores["per_type"].items()}
