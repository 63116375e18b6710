"""The replay annotator: a real annotated file labelled again, one document at a time, in an order.

``nergui bench active`` (issue 13, section 4) measures how fast the model in the loop
learns. Each document a strategy picks gets its gold spans from the file (the annotator is
an oracle), and a ``Learner`` (``nergui.core.learner``: continuous mode, a few updates of
the new component per accepted document, the original recognizer frozen) learns it at
once, as the app's "Learn as I annotate" does. At each checkpoint (a number of documents
learnt) the learner's pipeline, with the weights its preview shows, is scored by a
``Meter``: the new types' P/R/F on the eval records, and the retention of the old types on
held-out raw texts (``evaluate.retention_detail``, the scorer of every training run).

Strategies (``Order``): ``FileOrder``; ``RandomOrder(seed)``; ``ModelOrder``: a
``CandidatePool`` (``nergui.core.active``) of the documents left, scored by the learner's
current weights (beam uncertainty of the new types, pattern matches the model misses,
diversity), scored again once ``refresh`` more documents were learnt (growing with the
documents learnt: a beam over the pool costs seconds, one document's updates a fraction
of one). Documents picked in between come from the same scores, best first.

No Qt; the figures drawn from the curves are in ``replay_figures``.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language

from ..core import active, evaluate
from ..core.learner import Learner, LearnSettings, default_train_settings
from ..core.patterns import Pattern, PatternMatcher
from ..core.pipeline import clone, ner_components, ner_labels
from ..core.records import Record
from ..core.settings import TrainSettings
from ..errors import Msg

PRINTED = (50, 100, 200, 400, 800)  # the checkpoints the issue asks for (and the end)


DENSE_UNTIL = 600  # checkpoints every ``every`` documents up to here, every two ``every`` beyond
RETENTION_EVERY = 200


def checkpoints(n: int, *, every: int = 50, printed: Sequence[int] = PRINTED) -> list[int]:
    """The documents-learnt counts at which F is measured, up to ``n`` (always ``n`` itself):
    25 (where the first documents tell), every ``every`` documents up to ``DENSE_UNTIL``,
    every ``2 * every`` beyond, and the ``printed`` ones."""
    marks = {x for x in printed if x <= n} | {n} | {x for x in range(every, min(n, DENSE_UNTIL) + 1, every)}
    marks |= {x for x in range(DENSE_UNTIL + 2 * every, n + 1, 2 * every)}
    if n > 25:
        marks.add(25)
    return sorted(x for x in marks if x > 0)


def retention_checkpoints(n: int, *, printed: Sequence[int] = PRINTED) -> set[int]:
    """Where retention is measured too (it runs the whole recognizer chain on the held-out
    texts): 25, the ``printed`` checkpoints, every ``RETENTION_EVERY`` documents and ``n``."""
    return {x for x in (25, *printed, *range(RETENTION_EVERY, n + 1, RETENTION_EVERY), n) if 0 < x <= n}


@dataclass
class Setup:
    """What every strategy replays: the base pipeline, the annotated file in file order (as
    accepted records), the eval records, the new types, the raw texts the learner rehearses
    on and the patterns (for model order). ``own_rehearsal``: the documents of the file not
    yet picked are rehearsal text too (a project's unannotated documents, as the app's
    learner has them)."""

    base: Language
    train: list[Record]
    evals: list[Record]
    labels: list[str]
    rehearsal: list[str] = field(default_factory=list)
    patterns: list[Pattern] | None = None
    settings: TrainSettings = field(default_factory=default_train_settings)
    learn: LearnSettings = field(default_factory=LearnSettings)
    own_rehearsal: bool = False
    teacher: Language | None = None  # one frozen copy of the base marks every learner's rehearsal texts ...
    teacher_cache: dict = field(default_factory=dict)  # ... once per text

    def learner(self, records: Sequence[Record] = (), start: Language | None = None) -> Learner:
        """A learner on nothing accepted yet; or, after a consolidation run ``start`` (a full
        run on ``records``), one going on from its weights, as the app's learner restarts."""
        if self.teacher is None:
            self.teacher = clone(self.base)
        texts = list(self.rehearsal) + ([r.text for r in self.train] if self.own_rehearsal else [])
        return Learner(self.base, list(records), texts, settings=self.settings, learn=self.learn, labels=self.labels,
                       teacher=self.teacher, teacher_cache=self.teacher_cache, start=start)

    def has_new(self, i: int) -> bool:
        wanted = set(self.labels)
        return any(s.label in wanted for s in self.train[i].spans)


class Meter:
    """Scores a pipeline: the new types' P/R/F on ``evals`` and retention on ``held``.

    F is taken with the frozen recognizers switched off: they keep the entities an earlier
    component set and have the new labels muted (``training._mute_labels``), so they never
    change a new-type entity, and leaving them out halves the time (the tests check that the
    figure is the same). Retention runs the whole recognizer chain, with the original's
    entities on ``held`` as the reference (computed once)."""

    def __init__(self, base: Language, evals: Sequence[Record], held: Sequence[str], labels: Sequence[str]):
        self.evals, self.held, self.labels = list(evals), list(held), list(labels)
        self.old = [label for label in ner_labels(base) if label not in set(labels)]
        self.reference = evaluate.teacher_entities(base, self.held) if self.held and self.old else []

    def f(self, nlp: Language, *, frozen: Sequence[str] = ()) -> dict[str, float]:
        """Mean P/R/F over the new types on the eval records."""
        if not self.evals:
            return {"p": 0.0, "r": 0.0, "f": 0.0}
        off = [name for name in frozen if name in nlp.pipe_names]
        if off:
            with nlp.select_pipes(disable=off):
                scores = evaluate.score_records(nlp, self.evals, labels=self.labels)
        else:
            scores = evaluate.score_records(nlp, self.evals, labels=self.labels)
        per = [scores["per_type"][label] for label in self.labels]
        return {k: sum(s[k] for s in per) / len(per) for k in ("p", "r", "f")}

    def retention(self, nlp: Language) -> float | None:
        if not self.reference:
            return None
        return evaluate.retention_detail(nlp, self.held, self.reference, old_labels=self.old)["retention"]

    def measure(self, learner: Learner, *, retention: bool = True) -> dict[str, Any]:
        """The learner's scores, with the weights its preview shows (retention only if asked)."""
        with learner.predicting() as nlp:
            frozen = [name for name in ner_components(nlp) if name not in learner.trainable]
            out: dict[str, Any] = self.f(nlp, frozen=frozen)
            out["retention"] = self.retention(nlp) if retention else None
        return out


# ---- the orders ------------------------------------------------------------------------------
class Order:
    """Which document of ``setup.train`` the annotator opens next (None: none left)."""

    name = "order"
    seed: int | None = None

    def start(self, setup: Setup) -> None:
        self.setup = setup
        self.seconds = 0.0  # time spent choosing (scoring, for model order)

    def next(self, learner: Learner) -> int | None:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        return {}


class FileOrder(Order):
    name = "file"

    def start(self, setup: Setup) -> None:
        super().start(setup)
        self._left = iter(range(len(setup.train)))

    def next(self, learner: Learner) -> int | None:
        return next(self._left, None)


class RandomOrder(Order):
    name = "random"

    def __init__(self, seed: int):
        self.seed = seed

    def start(self, setup: Setup) -> None:
        super().start(setup)
        ids = list(range(len(setup.train)))
        random.Random(self.seed).shuffle(ids)
        self._left = iter(ids)

    def next(self, learner: Learner) -> int | None:
        return next(self._left, None)


@dataclass
class Ordering:
    """How model order scores and refreshes: pool size, refresh interval (``refresh``
    documents, or ``growth`` times the documents learnt if more), the beam, the score's
    weights (``active.score_document``) and the diversity weight (``CandidatePool``)."""

    pool: int = 300  # the app's is active.POOL_SIZE (500): 300 scores in half the time, as well
    refresh: int = 10
    growth: float = 0.1
    beam_width: int = 8  # the app's is active.BEAM_WIDTH (16): half the time per document
    unsure_weight: float = active.UNSURE_WEIGHT
    expected_weight: float = active.EXPECTED_WEIGHT
    pattern_weight: float = active.PATTERN_WEIGHT
    diversity: float = active.DIVERSITY_WEIGHT
    history: int = 200  # the last documents picked that diversity compares with


class ModelOrder(Order):
    name = "model"

    def __init__(self, ordering: Ordering | None = None, *, seed: int = 0):
        self.ordering = ordering or Ordering()
        self.seed = seed

    def start(self, setup: Setup) -> None:
        super().start(setup)
        self._left = dict.fromkeys(range(len(setup.train)))
        self._shown: list[str] = []
        self._pool: active.CandidatePool | None = None
        self._since = 0
        self._matcher = None
        self.refreshes = self.scored = 0
        self.why: Counter[str] = Counter()

    def _due(self, learnt: int) -> bool:
        o = self.ordering
        if self._pool is None or self._pool.scored == 0:
            return True
        if self._since >= max(o.refresh, int(o.growth * learnt)):
            return True
        return len(self._pool._left) == 0  # every candidate of this pool was picked

    def _refresh(self, learner: Learner) -> None:
        o = self.ordering
        if self._matcher is None and self.setup.patterns:
            self._matcher = PatternMatcher(learner.nlp.vocab, self.setup.patterns)
        ids = active.sample_ids(list(self._left), size=o.pool, seed=self.seed * 100_003 + self.refreshes)
        self._pool = active.CandidatePool({i: self.setup.train[i].text for i in ids},
                                          history=self._shown[-o.history:] if o.history else (),
                                          weight=o.diversity)
        with learner.predicting() as nlp:
            self.scored += self._pool.score_all(
                nlp, labels=self.setup.labels, beam_width=o.beam_width, patterns=self._matcher,
                weights={"unsure_weight": o.unsure_weight, "expected_weight": o.expected_weight,
                         "pattern_weight": o.pattern_weight})
        self.refreshes += 1
        self._since = 0

    def next(self, learner: Learner) -> int | None:
        if not self._left:
            return None
        started = time.perf_counter()
        if learner.nlp is None:  # a base without a recognizer: nothing to score with yet
            key = next(iter(self._left))
        else:
            if self._due(learner.learnt):
                self._refresh(learner)
            pick = self._pool.next()
            key = pick.doc_id
            self.why[_why_kind(pick.why)] += 1
        del self._left[key]
        self._shown.append(self.setup.train[key].text)
        self._since += 1
        self.seconds += time.perf_counter() - started
        return key

    def describe(self) -> dict[str, Any]:
        o = self.ordering
        return {"refreshes": self.refreshes, "pool_scored": self.scored, "pool": o.pool, "refresh": o.refresh,
                "refresh_growth": o.growth, "beam_width": o.beam_width, "unsure_weight": o.unsure_weight,
                "expected_weight": o.expected_weight, "pattern_weight": o.pattern_weight,
                "diversity": o.diversity, "picked_because": dict(self.why)}


_WHY_KINDS = {"unsure": Msg.ACTIVE_WHY_UNSURE, "likely": Msg.ACTIVE_WHY_LIKELY,
              "pattern": Msg.ACTIVE_WHY_PATTERN, "nothing expected": Msg.ACTIVE_WHY_NOTHING,
              "not scored": Msg.ACTIVE_WHY_NOT_SCORED}


def _why_kind(why: str) -> str:
    """The kind of reason a pick was given, by the message it was written from (the text
    before the message's first field)."""
    for kind, template in _WHY_KINDS.items():
        if why.startswith(template.split("{", 1)[0]):
            return kind
    return "other"


# ---- one replay ------------------------------------------------------------------------------
@dataclass
class Curve:
    """One strategy's replay: a point per checkpoint (``docs`` learnt, their new-type spans,
    P/R/F, retention), the documents really replayed, and where the time went."""

    strategy: str
    seed: int | None
    points: list[dict[str, Any]]
    replayed: int
    with_new: int
    learn_s: float
    order_s: float
    measure_s: float
    seconds: float
    stopped: str | None = None  # why it ended before its limit ("budget")
    order: dict[str, Any] = field(default_factory=dict)
    learner: Learner | None = field(default=None, repr=False)  # as the replay left it
    picked: list[int] = field(default_factory=list, repr=False)  # the documents, in the order learnt
    consolidated: dict[str, Any] | None = None  # bench active's consolidated_end, when measured

    def f_at(self, docs: int) -> float | None:
        return next((p["f"] for p in self.points if p["docs"] == docs), None)

    @property
    def end(self) -> dict[str, Any] | None:
        return self.points[-1] if self.points else None


def replay(setup: Setup, order: Order, meter: Meter, *, limit: int | None = None, every: int = 50,
           deadline: float | None = None, on_point=None) -> Curve:
    """Replay ``setup.train`` in ``order`` into a new learner, scoring F at ``checkpoints``
    and retention at ``retention_checkpoints`` (and where it stops).

    ``limit``: documents at most; ``deadline`` (a ``time.perf_counter()`` value): past it,
    stop at the next checkpoint (``Curve.stopped`` says so). ``on_point(curve_so_far, point)``
    is called after each checkpoint (progress)."""
    started = time.perf_counter()
    n = len(setup.train) if limit is None else min(limit, len(setup.train))
    marks = set(checkpoints(n, every=every))
    with_retention = retention_checkpoints(n)
    learner = setup.learner()
    order.start(setup)
    points: list[dict[str, Any]] = []
    learn_s = measure_s = 0.0
    picked = with_new = spans = 0
    stopped = None
    keys: list[int] = []
    while picked < n:
        key = order.next(learner)
        if key is None:
            break
        keys.append(key)
        t0 = time.perf_counter()
        learner.learn(setup.train[key], snapshot=False)
        learn_s += time.perf_counter() - t0
        picked += 1
        if setup.has_new(key):
            with_new += 1
            spans += sum(s.label in set(setup.labels) for s in setup.train[key].spans)
        if picked in marks:
            t0 = time.perf_counter()
            late = deadline is not None and time.perf_counter() > deadline and picked < n
            point = {"docs": picked, "with_new": with_new, "spans": spans,
                     **meter.measure(learner, retention=picked in with_retention or late),
                     "seconds": round(time.perf_counter() - started, 1)}
            measure_s += time.perf_counter() - t0
            points.append(point)
            if on_point is not None:
                on_point(order, point)
            if late:
                stopped = "budget"
                break
    return Curve(order.name, order.seed, points, picked, with_new, round(learn_s, 1), round(order.seconds, 1),
                 round(measure_s, 1), round(time.perf_counter() - started, 1), stopped, order.describe(), learner, keys)
