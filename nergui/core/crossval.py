"""Cross-validated per-label F for projects too small to hold documents out.

Below ``holdout.MIN_DOCS`` accepted documents (and with no eval file) a run holds nothing
out: every document is needed to learn from, and the F of the few left would be noise. Yet
"no figure" tells the user nothing. ``CrossValidation`` trains the new types ``folds`` times,
each time on all documents but one fold (with the run's settings, at most ``MAX_EPOCHS``
epochs), scores that model on the fold it never saw, and pools the predictions: every
document is scored exactly once, by a model that was not trained on it. The spread of the
per-fold F says how much the figure moves with the documents it is measured on.

The models are trained on four fifths of the documents, so the figure slightly
underestimates the model trained on all of them. Qt-free; runs in the training process after
the main training, on the pipeline that is already loaded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

from spacy.language import Language

from . import evaluate, holdout, uncertainty
from .events import CrossValProgress
from .records import Record
from .settings import TrainSettings
from .train_data import TrainData
from .training import Control, Trainer

FOLDS = 5
MIN_DOCS = 10  # documents with spans: fewer, and each fold would score one or two of them
# Each fold trains the run's epochs, at most this many (the default: a run with more is
# cross-validated on fewer, and the figure's note says how many). Fewer epochs would bias
# the figure low: measured on 30 generated documents, en_core_web_sm, 5 folds, F 0.90 with
# 10 epochs and 0.70 with 5. Time (2 cores, the run's 10 epochs, 5 folds): blank:en 13 s,
# en_core_web_sm 19 s, about four times the run's own training.
MAX_EPOCHS = 10


def wanted(data: TrainData) -> bool:
    """Whether a run on ``data`` cross-validates: nothing held out for scores (no eval file,
    too few documents to hold a share out), yet enough documents with spans for folds."""
    annotated = sum(1 for r in data.train if not r.binary)  # binary decisions only are never scored
    return not data.dev and annotated < holdout.MIN_DOCS and n_with_spans(data) >= MIN_DOCS


def n_with_spans(data: TrainData) -> int:
    return sum(1 for r in data.train if not r.binary and any(s.label in data.labels for s in r.spans))


def _unit(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def folds(records: Sequence[Record], k: int = FOLDS) -> list[tuple[list[Record], list[Record]]]:
    """``k`` pairs ``(train, held)``: the held parts partition ``records`` and each train part
    is everything else, so no record is trained on and scored in the same fold. Records
    with the same text share a fold (a copy is never trained on while its twin is scored);
    those with spans are dealt round the folds first, so each fold has some to score. The
    order is a hash of the text: the same documents make the same folds in every run."""
    groups: dict[str, list[int]] = {}
    for i, record in enumerate(records):
        if not record.binary:  # binary decisions only: trained on in every fold, never scored
            groups.setdefault(record.text, []).append(i)
    order = sorted(groups, key=lambda t: (not any(records[i].spans for i in groups[t]), _unit(t)))
    fold_of = {i: pos % k for pos, text in enumerate(order) for i in groups[text]}
    fold_of.update({i: -1 for i, record in enumerate(records) if record.binary})
    out = []
    for f in range(k):
        held = [r for i, r in enumerate(records) if fold_of[i] == f]
        train = [r for i, r in enumerate(records) if fold_of[i] != f]
        out.append((train, held))
    return [pair for pair in out if pair[1]]


class _FoldControl:
    """A fold's control: the rehearsal ratio the run ended with (the slider no longer moves
    it), and the run's cancel."""

    def __init__(self, control: Control | None, rehearsal: float):
        self._control = control
        self.rehearsal = rehearsal

    @property
    def cancelled(self) -> bool:
        return bool(self._control is not None and self._control.cancelled)


class _Reused:
    """The folds' pipeline, built once (copying a pretrained pipeline twice costs ~2 s a fold);
    before each later fold the trained components get their built weights back."""

    def __init__(self):
        self.built: tuple[Language, list[str]] | None = None
        self.initial: dict[str, bytes] = {}

    def build(self, make) -> tuple[Language, list[str]]:
        if self.built is None:
            self.built = make()
            nlp, names = self.built
            self.initial = {name: nlp.get_pipe(name).to_bytes() for name in names}
        else:
            nlp, names = self.built
            for name in names:
                nlp.get_pipe(name).from_bytes(self.initial[name])
        return self.built


class _FoldTrainer(Trainer):
    """A trainer whose pipeline is the folds' one (``_Reused``)."""

    reused: _Reused

    def _build(self) -> tuple[Language, list[str]]:
        return self.reused.build(super()._build)


class CrossValidation:
    """Iterate ``run()`` (``CrossValProgress`` after every batch), then read ``result``:
    ``cv_per_type`` {label: {"p", "r", "f"}} pooled over the folds, ``cv_spread`` {label: the
    standard deviation of the per-fold F}, ``cv_support`` {label: spans marked}, ``cv_new_f``
    and ``cv_new_f_spread`` (the mean over the new types), ``cv_folds``, ``cv_documents``,
    ``cv_epochs``, ``cv_seconds``. Empty when cancelled."""

    def __init__(self, base: Language, data: TrainData, *, settings: TrainSettings, teacher: Language,
                 control: Control | None = None, teacher_cache: dict | None = None, k: int = FOLDS,
                 max_epochs: int = MAX_EPOCHS, trained_seconds: float = 0.0):
        self.base, self.data, self.teacher = base, data, teacher
        self.settings = dataclasses.replace(settings, epochs=min(settings.epochs, max_epochs), early_stopping=False)
        self.control = control
        self.teacher_cache = teacher_cache if teacher_cache is not None else {}
        self.folds = folds(data.train, k)
        self.result: dict[str, Any] = {}
        # the time to expect before the first fold says (``trained_seconds``: the run's own
        # training, on all documents for all its epochs)
        self.estimate = trained_seconds * (k - 1) * self.settings.epochs / max(1, settings.epochs)
        self.trained: list[list[Record]] = []  # what each fold trained on, and scored (for checking)
        self.scored: list[list[Record]] = []

    def run(self) -> Iterator[CrossValProgress]:
        data, s = self.data, self.settings
        control = _FoldControl(self.control, self.control.rehearsal if self.control else s.rehearsal)
        labels, new = data.labels, data.new_labels
        pooled = []
        per_fold: list[dict[str, Any]] = []
        k = len(self.folds)
        reused = _Reused()
        started = time.perf_counter()
        for f, (train, held) in enumerate(self.folds):
            fold_data = TrainData(train=train, labels=labels, old_labels=data.old_labels, rehearsal=data.rehearsal)
            trainer = _FoldTrainer(self.base, fold_data, settings=dataclasses.replace(s), teacher=self.teacher,
                                   control=control, teacher_cache=self.teacher_cache)
            trainer.reused = reused
            for p in trainer.run():
                if control.cancelled:
                    return
                done = (f + p.fraction_done) / k
                elapsed = time.perf_counter() - started
                eta = elapsed / done - elapsed if f or p.fraction_done >= 0.5 else max(0.0, self.estimate - elapsed)
                yield CrossValProgress(fold=f + 1, folds=k, epochs=s.epochs, documents=len(data.train),
                                       fraction_done=done, elapsed=elapsed, eta_seconds=eta)
            if control.cancelled or trainer.nlp is None:
                return
            examples = evaluate.ner_examples(trainer.nlp, held, labels=labels)
            self.trained.append(train)
            self.scored.append(held)
            pooled += examples
            per_fold.append(_fold_f(examples, labels))
            del trainer
        scores = evaluate.prf(pooled, labels)
        folds_f = {label: [fs[label] for fs in per_fold if label in fs] for label in labels}
        new_f = [sum(fs.get(label, 0.0) for label in new) / len(new) for fs in per_fold] if new else []
        self.result = {
            "cv_per_type": scores["per_type"],
            "cv_spread": {label: uncertainty.spread(v) for label, v in folds_f.items()},
            "cv_new_f": evaluate.mean_f(scores, new),
            "cv_new_f_spread": uncertainty.spread(new_f),
            "cv_support": {label: sum(1 for ex in pooled for e in ex.reference.ents if e.label_ == label)
                           for label in labels},
            "cv_folds": k, "cv_documents": len(data.train), "cv_epochs": s.epochs,
            "cv_seconds": time.perf_counter() - started,
        }


def _fold_f(examples, labels: Sequence[str]) -> dict[str, float]:
    """One fold's F per label, for the labels the fold marks or predicts (a fold without a
    label says nothing about it)."""
    present = {e.label_ for ex in examples for e in (*ex.reference.ents, *ex.predicted.ents)}
    per_type = evaluate.prf(examples, labels)["per_type"]
    return {label: per_type[label]["f"] for label in labels if label in present}
