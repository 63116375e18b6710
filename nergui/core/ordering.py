"""Which document Next opens (issue 13): file order, random order, or the model's.

``NextQueue`` answers Next at once from what is already computed: the pool's best pick
(``active.CandidatePool``: a random sample of the to-do documents, scored by a background
worker with its own pipeline; ``peek`` works out the next pick before it is asked for),
an evaluation document every ``EvaluationSample.every`` picks whatever the ordering, or,
while nothing is scored yet, the next to-do document in file order (``Next.kind ==
"file"``: the window says so). In file order the document list's own order is used (the
window steps through it), and the evaluation documents come as they fall, about one in
``every``.

The queue reads the project through the caller's connection (the window's thread): one
indexed query per pick. No Qt.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..errors import Msg
from .active import CandidatePool
from .evaluation_sample import EvaluationSample
from .store_filter import Filter

ORDERINGS = ("file", "random", "model")
SETTING = "ordering"
NAMES = {"file": Msg.ORDER_FILE, "random": Msg.ORDER_RANDOM, "model": Msg.ORDER_MODEL}
MAX_SKIPS = 1000  # picks no longer to do (accepted meanwhile) passed over before giving up on the pool


def stored(project) -> str:
    """The project's ordering ("file" until one is chosen)."""
    value = project.get_setting(SETTING)
    return value if value in ORDERINGS else "file"


def store(project, ordering: str) -> None:
    if ordering not in ORDERINGS:
        raise ValueError(f"unknown ordering {ordering!r}; use one of {', '.join(ORDERINGS)}")
    project.set_setting(SETTING, ordering)


@dataclass(frozen=True)
class Next:
    """The document Next opens: why, its score (None: not scored), and where it came from:
    "model" or "random" (the pool), "evaluation" (the sample), "file" (nothing scored yet)."""

    doc_id: int
    why: str
    score: float | None
    kind: str


class NextQueue:
    """Next's answers for the random and model orderings (see the module's docstring)."""

    def __init__(self, ordering: str = "file", sample: EvaluationSample | None = None):
        self.ordering = ordering
        self.sample = sample
        self.pool: CandidatePool | None = None
        self.evaluation: list[int] = []  # the sample's to-do documents, in a random (seeded) order
        self._in_sample: frozenset[int] = frozenset()
        self._eval_pos = 0
        self.since_evaluation = 0
        self.shown: set[int] = set()  # opened this session (by Next or otherwise): not offered again
        self.history: list[int] = []  # what Next left, for Previous

    # ---- what the queue draws from --------------------------------------------------------------
    def set_sample(self, sample: EvaluationSample | None, ids: dict[int, str] | None = None) -> None:
        """The evaluation sample and its documents ``{id: state}`` (``EvaluationSample.ids``)."""
        self.sample = sample
        todo = sorted(i for i, state in (ids or {}).items() if state == "todo") if sample else []
        random.Random(sample.seed if sample else 0).shuffle(todo)
        self.evaluation, self._eval_pos = todo, 0
        self._in_sample = frozenset(ids or ()) if sample else frozenset()

    def set_pool(self, pool: CandidatePool | None) -> None:
        self.pool = pool
        if pool is not None:
            for doc_id in self.shown:
                pool.take(doc_id)

    def opened(self, doc_id: int) -> None:
        """A document was opened (any way): the pool never offers it again."""
        self.shown.add(doc_id)
        if self.pool is not None:
            self.pool.take(doc_id)

    # ---- Next and Previous ------------------------------------------------------------------------
    def next(self, project, current: int | None) -> Next | None:
        """The document to open after ``current``; None when no to-do document is left."""
        if current is not None:
            self.history.append(current)
        every = self.sample.every if self.sample is not None else 0
        if every and self.since_evaluation >= every - 1:
            doc_id = self._evaluation_todo(project)
            if doc_id is not None:
                self.since_evaluation = 0
                return self._open(Next(doc_id, Msg.ORDER_WHY_EVALUATION, None, "evaluation"))
        pick = self._from_pool(project)
        if pick is not None:
            self.since_evaluation += 1
            return self._open(pick)
        doc_id = self._file_order(project, current or 0)  # nothing scored yet (or the pool is used up)
        if doc_id is None:
            return None
        return self._open(Next(doc_id, Msg.ORDER_WHY_FILE_FALLBACK, None, "file"))

    def _file_order(self, project, after: int) -> int | None:
        """The next to-do document after ``after`` not shown yet, from the start again at the end."""
        todo = Filter(state="todo")
        for start in (after, 0):
            doc_id = project.next_id(todo, after=start)
            for _ in range(MAX_SKIPS):
                if doc_id is None or doc_id not in self.shown:
                    break
                doc_id = project.next_id(todo, after=doc_id)
            if doc_id is not None and doc_id not in self.shown:
                return doc_id
        return None

    def previous(self) -> int | None:
        """The document Next left last (None: none)."""
        return self.history.pop() if self.history else None

    def _open(self, pick: Next) -> Next:
        self.opened(pick.doc_id)
        return pick

    def _from_pool(self, project) -> Next | None:
        pool = self.pool
        if pool is None or (self.ordering == "model" and not pool.scored):
            return None
        for _ in range(MAX_SKIPS):
            pick = pool.next()
            if pick is None:
                return None
            if pick.doc_id in self.shown or pick.doc_id in self._in_sample or not _todo(project, pick.doc_id):
                continue
            if self.ordering == "random":
                return Next(pick.doc_id, Msg.ORDER_WHY_RANDOM, None, "random")
            return Next(pick.doc_id, pick.why, pick.score, "model" if pick.score is not None else "random")
        return None

    def _evaluation_todo(self, project) -> int | None:
        while self._eval_pos < len(self.evaluation):
            doc_id = self.evaluation[self._eval_pos]
            self._eval_pos += 1
            if doc_id not in self.shown and _todo(project, doc_id):
                return doc_id
        return None


def _todo(project, doc_id: int) -> bool:
    row = project.previews([doc_id], preview=0).get(doc_id)
    return row is not None and row[0] == "todo"
