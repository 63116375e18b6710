"""Which to-do document to label next: the one the model is least sure of (issue 13).

The model's view of a document comes from spaCy's own beam search: ``Parser.beam_parse``
keeps the ``beam_width`` best analyses of each document, and ``EntityRecognizer.scored_ents``
adds up the probability of the analyses that hold each candidate entity. A candidate near
0.5 is one the model cannot decide; a document's ``uncertainty`` is its most undecided
candidate of the new types, plus a little for the entities it expects, so a document
likely to hold a new-type entity comes before one that holds nothing. A pattern match the
model does not find adds to it (``score_document``).

Picks are spread out (``diverse_order``): a document much like one already picked (the
Jaccard similarity of their word sets) is pushed back, and a near-copy waits until nothing
else is left. ``CandidatePool`` does this over a seeded random sample of the to-do
documents, so that a project of any size is scored in seconds, and hands out the best
unpicked one with the reason (``Pick.why``). ``evaluation_sample`` chooses, by a hash of
each document's key, the share of a whole project that per-label F is measured on and
that is never trained on: random with respect to any ordering.

No Qt here: the pool is scored by a background worker with its own ``nlp`` and read by the
app's thread (a lock guards its state).
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from ..errors import Msg, TrainingError
from .evaluate import non_ner_pipes
from .pipeline import ner_components

BEAM_WIDTH = 16  # analyses kept per document (measured, fashion data, 2 cores: 30 ms/doc; 8: 15 ms; greedy 7 ms)
MIN_PROB = 0.01  # candidates less likely than this are left out
UNSURE_WEIGHT = 1.0  # how much the most undecided candidate (1 - |2p - 1|) counts
EXPECTED_WEIGHT = 0.25  # how much a document's expected number of new-type entities (at most 1) adds
PATTERN_WEIGHT = 0.5  # how much a pattern match the model does not find adds (times 1 - its probability)
DIVERSITY_WEIGHT = 0.5  # how much similarity to a document already picked takes off
NEAR_COPY = 0.8  # word-set Jaccard from which a document is a near-copy of one picked: it waits
UNLIKE_FROM = 0.05  # a pick scored this much below the best one is said to be picked as unlike those shown
POOL_SIZE = 500
EVAL_FRACTION = 0.1
UNSURE_FROM = 0.2  # 1 - |2p - 1| from which a candidate counts as "uncertain" in the reason (0.1 < p < 0.9)

Matches = Callable[[Doc], Sequence[tuple[int, int, str]]]


@dataclass(frozen=True)
class Candidate:
    """A possible entity: character offsets (end exclusive), label, probability and text."""

    start: int
    end: int
    label: str
    p: float
    text: str

    @property
    def unsure(self) -> float:
        """1 at p = 0.5, 0 at p = 0 or 1."""
        return 1.0 - abs(2.0 * self.p - 1.0)


@dataclass(frozen=True)
class Pick:
    """The document to show next, its score (None: not scored yet) and why it was chosen."""

    doc_id: Hashable
    score: float | None
    why: str


# ---- the model's probabilities ---------------------------------------------------------
def new_types_component(nlp: Language, labels: Sequence[str]) -> str:
    """The entity recognizer that predicts ``labels``: the first one that knows any of them
    (``ner_new`` before the original ``ner`` in a pipeline trained with a new component;
    the only ``ner`` otherwise). Raises TrainingError when none does."""
    wanted = set(labels)
    for name in ner_components(nlp):
        if wanted & set(nlp.get_pipe(name).labels):
            return name
    raise TrainingError(Msg.ACTIVE_NO_COMPONENT.format(labels=", ".join(sorted(wanted)) or "(none)"))


def entity_probabilities(nlp: Language, docs_or_texts: Iterable[str | Doc], *, labels: Sequence[str],
                         beam_width: int = BEAM_WIDTH, component: str | None = None, batch_size: int = 32,
                         min_prob: float = MIN_PROB, normalise: bool = True) -> list[list[Candidate]]:
    """For each document, its candidate entities of ``labels`` with their probability.

    The probabilities are spaCy's: ``component``'s ``beam_parse`` keeps ``beam_width``
    analyses and ``scored_ents`` sums the probability of those that hold each entity.
    Texts first go through the components before ``component`` that it needs (a tok2vec it
    listens to, an entity ruler; not the tagger or parser); a ``Doc`` is taken as it is
    (already through them). Documents longer than ``nlp.max_length`` get no candidates.

    Args:
        nlp: the pipeline (not changed; use it from one thread only).
        docs_or_texts: texts or Docs.
        labels: the labels to keep (the new types).
        beam_width: analyses kept per document.
        component: the entity recognizer to ask (default ``new_types_component``).
        min_prob: candidates less likely than this are dropped.
    Returns:
        One list per document of ``Candidate``, most likely first.
    """
    name = component or new_types_component(nlp, labels)
    ner = nlp.get_pipe(name)
    wanted = set(labels)
    position = nlp.pipe_names.index(name)
    unneeded = set(non_ner_pipes(nlp))
    before = [n for n in nlp.pipe_names[:position] if n not in unneeded]
    disable = [n for n in nlp.pipe_names if n not in before]
    out: list[list[Candidate]] = []
    for batch in minibatch(docs_or_texts, size=batch_size):
        texts = [d for d in batch if isinstance(d, str) and len(d) <= nlp.max_length]
        made = iter(nlp.pipe(texts, disable=disable)) if texts else iter(())
        docs: list[Doc | None] = []
        for item in batch:
            if isinstance(item, Doc):
                docs.append(item)
            elif len(item) <= nlp.max_length:
                docs.append(next(made))
            else:
                docs.append(None)
        todo = [d for d in docs if d is not None and len(d)]
        scored = iter(ner.scored_ents(beam_parse(ner, todo, beam_width, normalise=normalise))) if todo else iter(())
        for doc in docs:
            if doc is None or not len(doc):
                out.append([])
                continue
            found = []
            for (start, end, label), p in next(scored).items():
                if label in wanted and p >= min_prob:
                    span = doc[start:end]
                    found.append(Candidate(span.start_char, span.end_char, label, min(1.0, float(p)), span.text))
            out.append(sorted(found, key=lambda c: (-c.p, c.start)))
    return out


def beam_parse(ner, docs: Sequence[Doc], beam_width: int = BEAM_WIDTH, *, normalise: bool = True) -> list:
    """``ner.beam_parse(docs, beam_width)`` (spaCy's loop, ``Parser.beam_parse``), with each
    step's action scores made log-probabilities first (``normalise``).

    spaCy's greedy NER is trained with a softmax over all its actions at each step
    (``cpu_log_loss``), but its ``beam_parse`` adds up the raw scores, so an analysis's
    weight is not its probability: measured on a NER trained on generated text, the beam
    gave "Zara in" p=0.97 where the greedy parse (and the training data) say "Zara".
    Adding the log-softmax of each step instead gives each analysis the probability the
    model was trained to give it. A ``beam_ner`` (trained on whole analyses) keeps its
    own scores. Returns the beams, for ``ner.scored_ents``.
    """
    from spacy.pipeline._parser_internals._beam_utils import BeamBatch

    if not normalise or ner.__class__.__name__ == "BeamEntityRecognizer":
        return ner.beam_parse(docs, beam_width, drop=0.0)
    ner._ensure_labels_are_added(docs)
    batch = BeamBatch(ner.moves, ner.moves.init_batch(docs), None, beam_width, density=0.0)
    model = ner.model.predict(docs)
    try:
        while not batch.is_done:
            states = batch.get_unfinished_states()
            if not states:
                break
            scores = numpy.asarray(ner.model.ops.to_numpy(model.predict(states)), dtype="float32")
            top = scores.max(axis=1, keepdims=True)
            logz = top + numpy.log(numpy.exp(scores - top).sum(axis=1, keepdims=True))
            batch.advance(numpy.ascontiguousarray(scores - logz, dtype="float32"))
    finally:
        model.clear_memory()
    return list(batch)


# ---- a document's score ------------------------------------------------------------------
def uncertainty(candidates: Sequence[Candidate], *, expected_weight: float = EXPECTED_WEIGHT,
                unsure_weight: float = UNSURE_WEIGHT) -> float:
    """How much labelling this document should teach: ``unsure_weight`` times the most
    undecided candidate's ``1 - |2p - 1|`` (1 at p = 0.5), plus ``expected_weight`` times the
    expected number of entities (their summed probability, at most 1), so a document that
    likely holds a new-type entity ranks before an empty one. 0.0 without candidates."""
    if not candidates:
        return 0.0
    most = max(c.unsure for c in candidates)
    return unsure_weight * most + expected_weight * min(1.0, sum(c.p for c in candidates))


def score_document(candidates: Sequence[Candidate], matches: Sequence[tuple[int, int, str, str]] = (), *,
                   expected_weight: float = EXPECTED_WEIGHT, pattern_weight: float = PATTERN_WEIGHT,
                   unsure_weight: float = UNSURE_WEIGHT) -> tuple[float, str]:
    """``(score, why)``: ``uncertainty`` plus, for pattern ``matches`` (start, end, label,
    text) of the new types, ``pattern_weight`` times ``1 - p`` of the match the model is
    least sure of (p of exactly that span, 0 when the model does not consider it)."""
    score = uncertainty(candidates, expected_weight=expected_weight, unsure_weight=unsure_weight)
    probs = {(c.start, c.end, c.label): c.p for c in candidates}
    missed = max(((1.0 - probs.get((a, b, label), 0.0), a, b, label, text) for a, b, label, text in matches),
                 default=None)
    pattern = pattern_weight * missed[0] if missed else 0.0
    top = max(candidates, key=lambda c: c.unsure, default=None)
    if missed and pattern > 0 and pattern >= (top.unsure if top else 0.0):
        _, a, b, label, text = missed
        why = Msg.ACTIVE_WHY_PATTERN.format(label=label, text=text, p=probs.get((a, b, label), 0.0))
    elif top is not None and top.unsure >= UNSURE_FROM:
        why = Msg.ACTIVE_WHY_UNSURE.format(label=top.label, text=top.text, p=top.p)
    elif candidates and candidates[0].p >= 0.5:
        best = max(candidates, key=lambda c: c.p)
        why = Msg.ACTIVE_WHY_LIKELY.format(label=best.label, text=best.text, p=best.p)
    else:
        why = Msg.ACTIVE_WHY_NOTHING
    return score + pattern, why


# ---- diversity ---------------------------------------------------------------------------
_WORD = re.compile(r"\w+")


def word_set(text: str) -> frozenset[str]:
    """The lower-cased words of a text (what near-copies share)."""
    return frozenset(_WORD.findall(text.lower()))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two word sets (1.0: the same words)."""
    if not a and not b:
        return 1.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


class _Spread:
    """For each candidate, its greatest similarity to a document picked so far."""

    def __init__(self, words: Mapping[Hashable, frozenset[str]], history: Iterable[str] = ()):
        self.words = dict(words)
        self.nearest = dict.fromkeys(self.words, 0.0)
        for text in history:
            self.add(word_set(text))

    def add(self, picked: frozenset[str]) -> None:
        for key, words in self.words.items():
            if self.nearest[key] < 1.0:
                self.nearest[key] = max(self.nearest[key], similarity(words, picked))

    def best(self, keys: Iterable[Hashable], scores: Mapping[Hashable, float], *,
             weight: float, near_copy: float) -> Hashable | None:
        """The key with the best score less ``weight`` times its similarity to the picked
        ones; a near-copy only when nothing else is left. Ties: the first in ``keys``."""
        best, best_key = None, None
        for key in keys:
            near = self.nearest.get(key, 0.0)
            rank = (near < near_copy, scores[key] - weight * near)
            if best is None or rank > best:
                best, best_key = rank, key
        return best_key


def diverse_order(candidates: Sequence[Hashable], scores: Mapping[Hashable, float] | Sequence[float],
                  texts: Mapping[Hashable, str] | Sequence[str], k: int | None = None, *,
                  weight: float = DIVERSITY_WEIGHT, near_copy: float = NEAR_COPY,
                  history: Iterable[str] = ()) -> list[Hashable]:
    """The first ``k`` (default: all) of ``candidates`` in the order to show them: greedily
    the best score less ``weight`` times the greatest word-set Jaccard similarity to those
    already picked (and to the ``history`` texts, shown before); a near-copy (similarity
    at least ``near_copy``) of one picked waits until nothing else is left, so identical
    texts never come one after the other while others remain.

    ``scores`` and ``texts``: by candidate (a mapping) or in the order of ``candidates``."""
    keys = list(candidates)
    score_of = dict(scores) if isinstance(scores, Mapping) else dict(zip(keys, scores))
    text_of = dict(texts) if isinstance(texts, Mapping) else dict(zip(keys, texts))
    spread = _Spread({key: word_set(text_of[key]) for key in keys}, history)
    left = dict.fromkeys(keys)
    out: list[Hashable] = []
    for _ in range(len(keys) if k is None else min(k, len(keys))):
        key = spread.best(left, score_of, weight=weight, near_copy=near_copy)
        out.append(key)
        del left[key]
        spread.add(spread.words[key])
    return out


# ---- the pool ----------------------------------------------------------------------------
def sample_ids(ids: Sequence[Hashable], *, size: int = POOL_SIZE, seed: int = 0,
               exclude: Iterable[Hashable] = ()) -> list[Hashable]:
    """A seeded random sample of ``size`` of ``ids`` (all of them if fewer), none of ``exclude``."""
    skip = set(exclude)
    ids = [i for i in ids if i not in skip]
    return random.Random(seed).sample(ids, min(size, len(ids)))


class CandidatePool:
    """A random sample of the to-do documents, scored by the model, picked best first.

    ``score`` runs the beam over the candidates in batches (in a worker thread, with a
    pipeline no other thread uses); ``next`` returns at once the best unpicked candidate
    scored so far, spread by ``diverse_order``'s rule (before anything is scored, the
    candidates in their random order). After the model changes, ``invalidate`` and score
    again, or build a new pool from the to-do documents left (``history=pool.shown()``
    keeps the spread).

    Args:
        docs: ``{doc_id: text}`` (or pairs) of the candidates, in a random order.
        history: texts shown before (picks like them are pushed back).
    """

    def __init__(self, docs: Mapping[Hashable, str] | Iterable[tuple[Hashable, str]], *,
                 history: Iterable[str] = (), weight: float = DIVERSITY_WEIGHT, near_copy: float = NEAR_COPY):
        self.texts: dict[Hashable, str] = dict(docs)
        self.weight, self.near_copy = weight, near_copy
        self._scores: dict[Hashable, tuple[float, str]] = {}
        self._picked: list[Hashable] = []
        self._left = dict.fromkeys(self.texts)
        self._spread = _Spread({k: word_set(t) for k, t in self.texts.items()}, history)
        self._lock = threading.Lock()
        self._generation = 0  # bumped by ``invalidate``: a scoring begun before it stops
        self._peeked: Pick | None = None  # ``peek``'s answer, until the scores or the picks change
        self._stale: set[Hashable] = set()  # scores of the previous model (``refresh``), kept until rescored

    @classmethod
    def from_project(cls, project, *, size: int = POOL_SIZE, seed: int = 0, exclude: Iterable[int] = (),
                     history: Iterable[str] = ()) -> "CandidatePool":
        """A pool of ``size`` to-do documents of a ``nergui.core.store.Project`` drawn at
        random (``seed``), none of ``exclude`` (the evaluation sample). Reads the project
        in the caller's thread (the connection belongs to it)."""
        from .store_filter import Filter

        ids = sample_ids(project.doc_ids(Filter(state="todo")), size=size, seed=seed, exclude=exclude)
        return cls({i: project.get_document(i).text for i in ids}, history=history)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def scored(self) -> int:
        """How many candidates have a score."""
        return len(self._scores)

    def score(self, nlp: Language, *, labels: Sequence[str], batch_size: int = 32, beam_width: int = BEAM_WIDTH,
              component: str | None = None, patterns: Matches | None = None,
              weights: Mapping[str, float] | None = None) -> Iterator[int]:
        """Score the candidates not scored yet, batch by batch, yielding how many are scored
        after each batch (stop iterating to stop; iterate again to go on).

        ``patterns``: a function from a ``Doc`` to its ``(start, end, label)`` matches (a
        ``nergui.core.patterns.PatternMatcher`` of ``nlp.vocab``); matches the model does
        not find raise a document's score. ``weights``: ``score_document``'s weights
        (``unsure_weight``, ``expected_weight``, ``pattern_weight``), else its defaults."""
        wanted = set(labels)
        name = component or new_types_component(nlp, labels)
        with self._lock:
            generation = self._generation
            stale = sorted((k for k in self._stale if k in self._left), key=lambda k: -self._scores[k][0])
            todo = [k for k in self.texts if k not in self._scores] + stale  # the best stale ones first
        for keys in minibatch(todo, size=batch_size):
            texts = [self.texts[k] for k in keys]
            probs = entity_probabilities(nlp, texts, labels=labels, beam_width=beam_width, component=name,
                                         batch_size=batch_size)
            found = {}
            for key, text, candidates in zip(keys, texts, probs):
                matches = []
                if patterns is not None and len(text) <= nlp.max_length:
                    matches = [(a, b, label, text[a:b]) for a, b, label in patterns(nlp.make_doc(text))
                               if label in wanted]
                found[key] = score_document(candidates, matches, **(weights or {}))
            with self._lock:
                if generation != self._generation:  # the model changed meanwhile: these scores are stale
                    return
                self._scores.update(found)
                self._stale.difference_update(found)
                self._peeked = None
                count = len(self._scores)
            yield count

    def score_all(self, nlp: Language, **kwargs) -> int:
        """``score`` to the end; returns how many candidates are scored."""
        count = self.scored
        for count in self.score(nlp, **kwargs):
            pass
        return count

    def refresh(self) -> None:
        """The model changed: score every candidate not picked yet again, the best first,
        keeping each old score until its new one comes (so the next pick is never without
        scores). A scoring still running for the old model stops at its next batch."""
        with self._lock:
            self._generation += 1
            self._stale = set(self._scores)
            self._peeked = None

    @property
    def stale(self) -> int:
        """Candidates not picked yet whose score is the previous model's."""
        with self._lock:
            return sum(1 for k in self._stale if k in self._left)

    @property
    def left(self) -> int:
        """Candidates not picked yet."""
        return len(self._left)

    def invalidate(self) -> None:
        """Forget the scores (the model changed); the picks stay picked. A scoring still
        running for the old model stops at its next batch, keeping nothing."""
        with self._lock:
            self._generation += 1
            self._scores.clear()
            self._stale.clear()
            self._peeked = None

    def next(self) -> Pick | None:
        """The best candidate not picked yet (None when all were), now marked picked (the
        one ``peek`` worked out, if nothing changed since)."""
        with self._lock:
            pick = self._peeked or self._best()
            if pick is not None:
                self._take(pick.doc_id)
            return pick

    def peek(self) -> Pick | None:
        """What ``next`` would return, without taking it; kept until the scores or the picks
        change, so a worker can work out the next pick before it is asked for."""
        with self._lock:
            if self._peeked is None:
                self._peeked = self._best()
            return self._peeked

    def _best(self) -> Pick | None:
        if not self._left:
            return None
        scored = [k for k in self._left if k in self._scores]
        if not scored:
            return Pick(next(iter(self._left)), None, Msg.ACTIVE_WHY_NOT_SCORED)
        raw = {k: self._scores[k][0] for k in scored}
        key = self._spread.best(scored, raw, weight=self.weight, near_copy=self.near_copy)
        score, why = self._scores[key]
        if self._spread.nearest[key] >= self.near_copy:
            why = Msg.ACTIVE_WHY_NEAR_COPY.format(why=why)
        elif score < max(raw.values()) - UNLIKE_FROM:  # a clearly better-scored one much like those shown waits
            why = Msg.ACTIVE_WHY_UNLIKE.format(why=why)
        return Pick(key, score, why)

    def take(self, doc_id: Hashable) -> None:
        """Mark a candidate picked (the user opened it another way): never offered again."""
        with self._lock:
            if doc_id in self._left:
                self._take(doc_id)

    def _take(self, key: Hashable) -> None:
        self._peeked = None
        del self._left[key]
        self._picked.append(key)
        self._spread.add(self._spread.words[key])

    def scores(self) -> dict[Hashable, tuple[float, str]]:
        """``{doc_id: (score, why)}`` of the candidates scored so far (for a list's sort)."""
        with self._lock:
            return dict(self._scores)

    def shown(self) -> list[str]:
        """The texts picked so far, in order (a new pool's ``history``)."""
        return [self.texts[k] for k in self._picked]


# ---- the evaluation sample -----------------------------------------------------------------
def _unit(key: Hashable, seed: int) -> float:
    digest = hashlib.blake2b(f"{seed}:{key}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def is_evaluation(key: Hashable, fraction: float = EVAL_FRACTION, *, seed: int = 0) -> bool:
    """Whether the document of ``key`` (an id, or better its text's hash) is in the
    evaluation sample: a hash of the key and ``seed`` falls in the first ``fraction``."""
    return _unit(key, seed) < fraction


def evaluation_sample(ids: Iterable[Hashable], fraction: float = EVAL_FRACTION, *, seed: int = 0) -> list[Hashable]:
    """The keys of ``ids`` in the evaluation sample (in their order): about ``fraction`` of
    them, chosen by a hash, so random with respect to any ordering and the same in every
    session (a document added later joins it or not on its own). Never train on them."""
    return [key for key in ids if is_evaluation(key, fraction, seed=seed)]
