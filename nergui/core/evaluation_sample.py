"""The evaluation sample: a random share of a project's documents that is never trained on.

Ordering documents by what the model is unsure of makes the accepted documents
unrepresentative: scores taken on a share of them flatter or wrong the model (issue 13).
So a project can keep a sample drawn at random from ALL its documents (``fraction``, 10 %
by default, chosen by a hash of each document's input hash: ``active.is_evaluation``, the
same in every session and independent of any ordering). Those documents are interleaved
into the Next queue like any others and labelled as carefully; once accepted, they are
left out of every training run (``train_data.split_data``), of learning as you annotate
(``learner.Learner``) and of cross-validation, and per-label P/R/F is measured on them
after training. Their texts are not rehearsal text either.

The sample applies only when the project has it configured (project settings
``evaluation_sample`` = "on" and ``evaluation_fraction``): projects that never chose it
train exactly as before. No Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import Msg, ProjectError
from .active import EVAL_FRACTION, is_evaluation
from .records import Record

SETTING = "evaluation_sample"  # "on" or "off"; absent: never chosen (off)
FRACTION_SETTING = "evaluation_fraction"
MAX_FRACTION = 0.5
# accepted evaluation documents from which per-label F is taken on them (the figure the
# result card shows); below, they are still never trained on and scored apart, as a note
MIN_SCORED = 10
SOURCE = "evaluation sample"  # ``TrainData.dev_source`` when the dev records are the sample


def record_key(record: Record) -> str:
    """The key a document is sampled by: its input hash (as the store keeps it)."""
    if record.input_hash:
        return record.input_hash
    from .store import input_hash

    return input_hash(record.text)


@dataclass(frozen=True)
class EvaluationSample:
    """``fraction`` of the documents, chosen by a hash of their input hash and ``seed``."""

    fraction: float = EVAL_FRACTION
    seed: int = 0

    @property
    def every(self) -> int:
        """One document in about this many is in the sample (Next interleaves one so often)."""
        return max(1, round(1.0 / self.fraction)) if self.fraction > 0 else 0

    def holds_key(self, key: str) -> bool:
        return is_evaluation(key, self.fraction, seed=self.seed)

    def holds(self, record: Record) -> bool:
        return self.holds_key(record_key(record))

    def split(self, records: Iterable[Record]) -> tuple[list[Record], list[Record]]:
        """``(kept, evaluation)``: the records outside the sample and those in it."""
        kept, held = [], []
        for r in records:
            (held if self.holds(r) else kept).append(r)
        return kept, held

    def ids(self, project) -> dict[int, str]:
        """``{doc_id: state}`` of a project's documents in the sample (one query, no texts:
        about 0.2 s for 100,000 documents)."""
        return {doc_id: state for doc_id, key, state in project.input_hashes() if self.holds_key(key)}

    @classmethod
    def from_project(cls, project) -> "EvaluationSample | None":
        """The project's sample, or None when it has none (never chosen, or turned off)."""
        if project.get_setting(SETTING) != "on":
            return None
        return cls(fraction=stored_fraction(project))


def stored_fraction(project) -> float:
    """The sample's size the project keeps (the default when none is stored); a value that
    is not a share between 0 and 0.5 raises ProjectError naming the setting."""
    raw = project.get_setting(FRACTION_SETTING)
    if raw is None:
        return EVAL_FRACTION
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 < value <= MAX_FRACTION:
        raise ProjectError(Msg.EVAL_SAMPLE_BAD_SETTING.format(path=project.path, key=FRACTION_SETTING, value=raw))
    return value


def chosen(project) -> bool:
    """Whether the user ever turned the sample on or off (else the app may propose it)."""
    return project.get_setting(SETTING) is not None


def configure(project, *, on: bool, fraction: float | None = None) -> EvaluationSample | None:
    """Turn the project's sample on (with ``fraction``, default: the one stored, else 10 %)
    or off; returns the sample now in force. Takes effect from the next training run."""
    if fraction is not None:
        if not 0.0 < fraction <= MAX_FRACTION:
            raise ProjectError(Msg.EVAL_SAMPLE_BAD_SETTING.format(path=project.path, key=FRACTION_SETTING,
                                                                  value=fraction))
        project.set_setting(FRACTION_SETTING, repr(float(fraction)))
    project.set_setting(SETTING, "on" if on else "off")
    return EvaluationSample.from_project(project)


def check_left(records: Sequence[Record], held: Sequence[Record]) -> None:
    """Refuse a run whose every document with spans is in the sample (nothing to learn)."""
    from ..errors import TrainingError

    if held and not any(r.spans for r in records) and any(r.spans for r in held):
        raise TrainingError(Msg.TRAIN_FAILED.format(detail=Msg.EVAL_SAMPLE_NOTHING_LEFT.format(n=len(held))))


def figures(data, nlp, teacher, out: dict[str, Any]) -> dict[str, Any]:
    """Per-label P/R/F of ``nlp`` on the run's accepted evaluation documents (``data.evaluation``)
    by the run's own ``Scorer``: ``evaluation_per_type``, ``evaluation_new_f``,
    ``evaluation_documents``, ``evaluation_spans``. ``out``: the run's scores, reused when its
    dev records are the sample. Empty without evaluation documents."""
    from .train_data import Scorer, TrainData

    held = list(getattr(data, "evaluation", []) or [])
    if not held or nlp is None:
        return {}
    if data.dev_source == SOURCE:
        scores = out
    else:
        scores = Scorer(TrainData(train=[], labels=data.labels, old_labels=data.old_labels, dev=held), teacher)(nlp)
    return {"evaluation_per_type": scores.get("per_type", {}), "evaluation_new_f": scores.get("new_f"),
            "evaluation_documents": len(held),
            "evaluation_spans": sum(1 for r in held for s in r.spans if s.label in data.labels)}
