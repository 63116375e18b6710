"""What a training run reports, declared once. No Qt, no spaCy.

Each event is a dataclass registered under a kind with ``@event(kind)``; ``EVENTS`` maps the
kind to the class. Everything that moves events is generic over that table:

* the child process writes ``encode(ev)`` lines and the parent reads them with ``decode``
  (``nergui.core.child``); nested dataclasses, paths and tuples come back with their types,
  read from the classes' annotations;
* the Qt relay (``nergui.gui.workers``) carries the event object itself in one signal, and
  each subscriber picks the classes it handles.

Adding an event: declare it here, emit it in ``nergui.core.run``, handle it where it matters.

A run's events, in order: ``RunInfo`` (started), then any number of ``Tick`` (throttled
progress), ``EpochEnd`` (scores after an epoch) and ``Snapshot`` (a preview pipeline with the
weights so far); on a small project, ``CrossValProgress`` while the new types are
cross-validated after the training; then exactly one of ``RunResult`` (finished, waiting for a decision),
``Cancelled`` or ``Failed``; after a decision, ``Saved`` or ``Failed``. The stream ends
after ``Cancelled``, ``Failed`` or ``Saved`` (``LAST``).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

EVENTS: dict[str, type] = {}


def event(kind: str):
    """Register a dataclass as the event of ``kind``."""

    def register(cls):
        if kind in EVENTS:
            raise ValueError(f"event kind {kind!r} is declared twice")
        cls.kind = kind
        EVENTS[kind] = cls
        return cls

    return register


# ---- the events ---------------------------------------------------------------------------

@dataclass
class Progress:
    """What the trainer reports after each batch (``EpochEnd``, with scores, after each epoch)."""

    step: int
    epoch: int
    examples_seen: int
    words_per_second: float
    loss: float
    eta_seconds: float
    fraction_done: float
    rehearsal: float
    epoch_end: bool = False
    scores: dict[str, Any] | None = None
    is_best: bool = False
    losses: dict[str, float] = field(default_factory=dict)


@event("epoch")
@dataclass
class EpochEnd(Progress):
    """The end of an epoch: ``scores`` from the run's one scorer (``nergui.core.train_data``)."""

    epoch_end: bool = True


@event("started")
@dataclass
class RunInfo:
    """What a prepared run trains on; the counts are those of its ``TrainData``."""

    labels: list[str]
    old_labels: list[str]
    n_train: int
    n_dev: int
    n_rehearsal: int
    n_retention: int
    strategy: str
    epochs: int
    total_steps: int
    auto: bool = False
    run_id: int | None = None
    dev_source: str = ""


@event("progress")
@dataclass
class Tick:
    """A throttled progress report: the latest Progress and every (step, loss) since the last."""

    progress: Progress
    points: list[tuple[int, float]]
    elapsed: float
    total_steps: int

    @property
    def examples_per_second(self) -> float:
        return self.progress.examples_seen / self.elapsed if self.elapsed > 0 else 0.0


@event("snapshot")
@dataclass
class Snapshot:
    """A pipeline folder with the weights so far, for the previewer, and what to call it."""

    path: str
    name: str


@event("crossval")
@dataclass
class CrossValProgress:
    """Cross-validation after the training of a small project (``nergui.core.crossval``):
    ``fold`` (from 1) of ``folds`` is training, each for ``epochs`` epochs on all but its
    share of the ``documents``; ``fraction_done`` of the whole cross-validation."""

    fold: int
    folds: int
    epochs: int
    documents: int
    fraction_done: float
    elapsed: float
    eta_seconds: float


@event("finished")
@dataclass
class RunResult:
    """A finished run, waiting for keep or discard. ``metrics``: the scorer's figures on the
    trained model, ``before`` (the original's per-label F) and ``current`` (the model in use)."""

    metrics: dict[str, Any]
    seconds: float
    info: RunInfo
    words_per_second: float = 0.0
    history: list[dict[str, Any]] = field(default_factory=list)


@event("cancelled")
@dataclass
class Cancelled:
    """The user cancelled; nothing was saved."""


@dataclass
class ModelVersion:
    """A saved model version (``nergui.core.pipeline.ModelStore`` makes them)."""

    name: str
    path: Path
    created: float
    info: dict[str, Any]


@event("saved")
@dataclass
class Saved:
    """The decision is done: the version kept, or None when the result was discarded."""

    version: ModelVersion | None = None


@event("failed")
@dataclass
class Failed:
    """The complete message for the user; the last saved model is still the current one."""

    message: str


LAST = (Cancelled, Failed, Saved)  # the stream ends after one of these


# ---- learning while annotating (nergui.core.learner, nergui.core.learn_child) ------------------

@event("learner-ready")
@dataclass
class LearnerReady:
    """The learner process has built its warm pipeline: what it replays and rehearses on."""

    documents: int
    rehearsal_texts: int
    labels: list[str]
    seconds: float
    started_from_version: bool = False  # the new component is the current saved version's, not a fresh copy


@event("learnt")
@dataclass
class Learnt:
    """One accepted document learnt: ``steps`` updates of the new component, then the preview
    snapshot at ``snapshot_path`` (weights that learnt from it); ``seconds`` from the command's
    arrival to the snapshot written."""

    doc_key: str
    snapshot_path: str
    seconds: float
    steps: int
    examples: int = 0
    loss: float = 0.0


# ---- JSON, generic over the declarations ----------------------------------------------------

def to_plain(value: Any) -> Any:
    """JSON-ready: dataclasses to dicts, paths to strings, numpy scalars to numbers."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return str(value)


def from_plain(tp: Any, value: Any) -> Any:
    """``value`` (as ``to_plain`` made it) rebuilt as type ``tp``, read from annotations."""
    if value is None:
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return from_plain(inner[0], value) if len(inner) == 1 else value
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: from_plain(hints[f.name], value[f.name])
                     for f in dataclasses.fields(tp) if f.init and f.name in value})
    if origin is list:
        return [from_plain(args[0], v) for v in value] if args else list(value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(args[0], v) for v in value)
        return tuple(from_plain(a, v) for a, v in zip(args, value)) if args else tuple(value)
    if origin is dict:
        return {k: from_plain(args[1], v) for k, v in value.items()} if args else dict(value)
    if tp is Path:
        return Path(value)
    return value


def encode(ev: Any) -> bytes:
    """One event as one JSON line."""
    return json.dumps({"event": ev.kind, "data": to_plain(ev)}, allow_nan=True).encode("utf8") + b"\n"


def decode(line: bytes | str) -> Any:
    """One line of ``encode`` as its event; ValueError/KeyError/TypeError if it is not one."""
    msg = json.loads(line)
    return from_plain(EVENTS[msg["event"]], msg.get("data") or {})
