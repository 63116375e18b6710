"""One suggestion at a time (the review mode, like Prodigy's ``ner.teach``): the candidates.

A ``CandidateStream`` reads to-do documents (``TeachDoc``: id, text, the spans and
rejections it already holds) in the order given (a seeded random order of a project's
to-do documents, ``core.teach_setup.project_docs``), a batch at a time, and asks these
sources for candidate entities of the new types:

* the model: the beam's probability of each entity (``active.entity_probabilities``, the
  locally normalised beam of the recognizer that predicts those types);
* the patterns (``patterns.PatternMatcher``): every match, with the model's probability of
  exactly that span (0 when the model does not consider it);
* the original's entities, once the new type was found as their type (``ask_original``);
* the user's answers: each other place a text accepted as a new type comes again
  (``ask_answers``), as a pattern the user wrote by answering.

Each candidate gets a priority: for the model's, how undecided it is (``1 - |2p - 1|``, 1 at
p = 0.5); for a pattern's, at least ``PATTERN_WEIGHT`` times how much the model doubts it
(``1 - p``), so patterns start a project whose model knows nothing yet. Those below
``MIN_PRIORITY`` (the model sure either way) are not asked. ``next()`` hands out the one of
highest priority among those scored, with its sentence for display (``before``, ``text``,
``after``), skipping what was decided (``decided`` keys, ``mark_decided``), what the document
already holds (a span there, or a rejection) and what overlaps a span accepted since.
After the model learnt, ``refresh()`` puts the documents of the candidates not yet asked
back to be scored again by the new weights; once every document was scored, a stream given
``again`` goes over the documents again (a new pass, scored by weights that learnt from the
decisions since), as long as decisions were made in the pass before.

The stream is used by one thread with an ``nlp`` of its own (the review window's worker,
the replay). No Qt.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language

from ..errors import Msg
from .active import BEAM_WIDTH, entity_probabilities, new_types_component
from .evaluate import non_ner_pipes
from .pipeline import ner_components

BATCH_DOCS = 16  # documents scored per fill (fashion data, en_core_web_sm, beam 16: about 0.5 s)
MIN_PRIORITY = 0.1  # a model candidate with p outside (0.05, 0.95) is not asked ...
MIN_PRIORITY_FLOOR = 0.02  # ... until a whole pass found none: then down to p outside (0.01, 0.99)
PATTERN_WEIGHT = 0.6  # a pattern match the model gives p = 0 has this priority
# An entity of the original model is asked about as a new type once that type has been found
# as the original's type (ORG, PERSON ... for brands) ORIGINAL_MIN_HITS times: with priority
# ORIGINAL_WEIGHT times how often such entities were accepted (``CandidateStream``).
ORIGINAL_WEIGHT = 0.5
ORIGINAL_MIN_HITS = 2
# A text the user accepted as a new type (a "term": "Uniqlo" as FASHION_BRAND) is asked about
# where it comes again, as a pattern match is: with priority ANSWER_WEIGHT times how often that
# text was accepted as that type when asked (add-one share) times how much the model doubts it
# (``CandidateStream``, ``answer_priority``); ``ask_answers`` turns it off.
ANSWER_WEIGHT = 0.6
CONTEXT_CHARS = 240  # at most this much of the sentence on each side of the candidate is shown
MIN_PROB = 0.01


Matches = Callable[..., Sequence[tuple[int, int, str]]]
Key = tuple[Hashable, int, int, str]


@dataclass(frozen=True)
class TeachDoc:
    """A document to find candidates in: its id, text, and the ``(start, end, label)`` of the
    spans and rejections it holds already (never asked about again)."""

    doc_id: Hashable
    text: str
    spans: tuple[tuple[int, int, str], ...] = ()
    rejected: frozenset[tuple[int, int, str]] = frozenset()


@dataclass(frozen=True)
class TeachCandidate:
    """A candidate entity: where (document, character offsets, end exclusive; token offsets,
    end inclusive), its label, the model's probability ``p``, its ``origin`` ("model" or
    "pattern"), the priority it was asked with, and its sentence around it for display."""

    doc_id: Hashable
    start: int
    end: int
    label: str
    p: float
    origin: str
    priority: float
    text: str
    before: str = ""
    after: str = ""
    token_start: int | None = None
    token_end: int | None = None

    # the original model's type of exactly this span, when it was asked for that ("original")
    original: str = ""

    @property
    def key(self) -> Key:
        return self.doc_id, self.start, self.end, self.label

    @property
    def why(self) -> str:
        if self.origin == "original":
            return Msg.TEACH_WHY_ORIGINAL.format(old=self.original, label=self.label)
        if self.origin == "answer":
            return Msg.TEACH_WHY_ANSWER.format(text=self.text, label=self.label)
        return Msg.TEACH_WHY_PATTERN if self.origin == "pattern" else Msg.TEACH_WHY_MODEL

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def priority(p: float, origin: str, *, pattern_weight: float = PATTERN_WEIGHT) -> float:
    """How much asking about a candidate should teach: ``1 - |2p - 1|`` (1 at p = 0.5), and
    for a pattern match at least ``pattern_weight * (1 - p)``."""
    unsure = 1.0 - abs(2.0 * p - 1.0)
    return max(unsure, pattern_weight * (1.0 - p)) if origin == "pattern" else unsure


def original_priority(p: float, accepted: float) -> float:
    """The priority of an original's entity as a new type: ``1 - |2p - 1|`` or, if more,
    ``ORIGINAL_WEIGHT`` times the share of such entities accepted (``accepted``) times how much
    the model doubts it (``1 - p``)."""
    return max(1.0 - abs(2.0 * p - 1.0), ORIGINAL_WEIGHT * accepted * (1.0 - p))


def answer_priority(p: float, accepted: float) -> float:
    """The priority of a text accepted before as a new type, found again: ``1 - |2p - 1|`` or,
    if more, ``ANSWER_WEIGHT`` times the share of its answers that accepted it (``accepted``)
    times how much the model doubts it (``1 - p``)."""
    return max(1.0 - abs(2.0 * p - 1.0), ANSWER_WEIGHT * accepted * (1.0 - p))


def context(doc, start: int, end: int) -> tuple[str, str]:
    """The text before and after [start, end) in its sentence (``sentence_bounds``), with an
    ellipsis where the sentence was cut."""
    a, b = sentence_bounds(doc, start, end)
    span = doc.char_span(start, end, alignment_mode="expand")
    sent_a = span[0].sent.start_char if span is not None and len(span) else a
    sent_b = span[-1].sent.end_char if span is not None and len(span) else b
    before, after = doc.text[a:start], doc.text[end:b]
    return ("\u2026" if a > sent_a else "") + before, after + ("\u2026" if b < sent_b else "")


def sentence_bounds(doc, start: int, end: int) -> tuple[int, int]:
    """The character range of the sentence(s) holding [start, end) in a ``Doc`` whose
    sentences are set, at most ``CONTEXT_CHARS`` either side (cut at a space)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        a, b = start, end
    else:
        a, b = span[0].sent.start_char, span[-1].sent.end_char
    text = doc.text
    if start - a > CONTEXT_CHARS:
        cut = text.find(" ", start - CONTEXT_CHARS, start)
        a = cut + 1 if cut >= 0 else start - CONTEXT_CHARS
    if b - end > CONTEXT_CHARS:
        cut = text.rfind(" ", end, end + CONTEXT_CHARS)
        b = cut if cut > end else end + CONTEXT_CHARS
    return a, b


class CandidateStream:
    """Candidate entities of ``labels``, best first, from documents read a batch at a time.

    Args:
        docs: the documents (``TeachDoc``), in the order to read them (an iterator is read
            lazily: a 100,000-document project is never read whole).
        labels: the types to ask about (the new ones).
        decided: keys ``(doc_id, start, end, label)`` decided before (never asked).
        batch_docs: documents scored per ``fill``.
        min_priority: candidates below it are not asked.
        beam_width: the beam's width (``active.BEAM_WIDTH``).
        ask_original: also ask about the original recognizers' entities, as a new type, once
            that type has been found as theirs (``original_share``).
        ask_answers: also ask about every other place a text accepted as a new type comes
            again (whole words, same case; ``answer_share``).
        terms: ``(text, label, n)`` accepted before elsewhere (the spans of a project's
            accepted documents, ``Project.span_texts``): counted as ``n`` accepted answers.
    """

    def __init__(self, docs: Iterable[TeachDoc], *, labels: Sequence[str], decided: Iterable[Key] = (),
                 batch_docs: int = BATCH_DOCS, min_priority: float = MIN_PRIORITY, beam_width: int = BEAM_WIDTH,
                 pattern_weight: float = PATTERN_WEIGHT, again: Callable[[int], Iterable[TeachDoc]] | None = None,
                 ask_original: bool = True, ask_answers: bool = True,
                 terms: Iterable[tuple[str, str, int]] = ()):
        self.labels = list(labels)
        self._docs: Iterator[TeachDoc] = iter(docs)
        self._again_pass = again  # the documents for pass n (2, 3 ...), once a pass ends after decisions
        self.passes = 1
        self._decided_this_pass = self._queued_this_pass = 0
        self._again: deque[TeachDoc] = deque()  # to score again (the model changed)
        self.decided: set[Key] = set(decided)
        self.batch_docs, self.min_priority, self.beam_width = batch_docs, min_priority, beam_width
        self.pattern_weight = pattern_weight
        self._heap: list[tuple[float, int, TeachCandidate]] = []
        self._order = 0
        self._held: dict[Hashable, TeachDoc] = {}  # documents with candidates queued
        self._accepted: dict[Hashable, list[tuple[int, int]]] = {}
        self.exhausted = False
        self.scored_docs = 0
        self.sentencizer = None
        self.ask_original = ask_original
        # the original's entities ((start, end) -> type) of the documents scored, and for each
        # (original type, new type) how many decisions were on exactly such an entity, how
        # many of them accepted (a document's own new-type spans count as accepted)
        self._original: dict[Hashable, dict[tuple[int, int], str]] = {}
        self._counted: set[Hashable] = set()
        self.original_asked: Counter[tuple[str, str]] = Counter()
        self.original_hits: Counter[tuple[str, str]] = Counter()
        # the texts accepted as a new type ("terms"): decisions on that text as that type, and
        # how many of them accepted it (a document's own new-type spans count as accepted)
        self.ask_answers = ask_answers
        self.answer_asked: Counter[tuple[str, str]] = Counter()
        self.answer_hits: Counter[tuple[str, str]] = Counter()
        self._answer_re: dict[str, re.Pattern | None] = {}  # per label, the terms to find (built when asked)
        self._handed: dict[Key, str] = {}  # the text of each candidate handed out (to count its answer)
        for text, label, n in terms:
            if label in self.labels and text.strip():
                self.answer_asked[text, label] += n
                self.answer_hits[text, label] += n

    def __len__(self) -> int:
        return len(self._heap)

    # ---- filling -------------------------------------------------------------------------
    def _next_docs(self, n: int) -> list[TeachDoc]:
        out = []
        while len(out) < n and self._again:
            out.append(self._again.popleft())
        while len(out) < n:
            try:
                out.append(next(self._docs))
            except StopIteration:
                # every document was scored: with decisions made since (the model learnt from
                # them), go over the documents again, scored by the new weights; after a pass
                # that found nothing to ask, ask the less undecided too (Prodigy's
                # prefer_uncertain follows what comes the same way), down to MIN_PRIORITY_FLOOR
                if out or self._again_pass is None:
                    break
                if not self._decided_this_pass:
                    if self._queued_this_pass or self.min_priority <= MIN_PRIORITY_FLOOR:
                        break
                    self.min_priority = max(MIN_PRIORITY_FLOOR, self.min_priority / 2)
                self.passes += 1
                self._decided_this_pass = self._queued_this_pass = 0
                self._docs = iter(self._again_pass(self.passes))
        return out

    def fill(self, nlp: Language, *, patterns: Matches | None = None, component: str | None = None,
             model: bool = True) -> int:
        """Score the next ``batch_docs`` documents with ``nlp``'s recognizer ``component``
        (default: the one that predicts the labels; ``model=False``: none, e.g. none knows
        them yet) and ``patterns`` (a function from a ``Doc`` to its ``(start, end, label)``
        matches), and queue their candidates. Returns how many were queued; sets
        ``exhausted`` once no document is left."""
        read = self._next_docs(self.batch_docs)
        if not read:
            self.exhausted = not self._again
            return 0
        docs = [d for d in read if len(d.text) <= nlp.max_length]  # spaCy refuses longer ones (E088)
        if not docs:
            return 0
        if self.sentencizer is None:
            from spacy.pipeline import Sentencizer

            self.sentencizer = Sentencizer()
        if model:
            name = component or new_types_component(nlp, self.labels)
            probs = entity_probabilities(nlp, [d.text for d in docs], labels=self.labels,
                                         beam_width=self.beam_width, component=name, min_prob=MIN_PROB)
        else:
            probs = [[] for _ in docs]
        wanted = set(self.labels)
        originals = self._original_ents(nlp, docs, exclude=name if model else None)
        added = 0
        for doc, found, theirs in zip(docs, probs, originals):
            self.scored_docs += 1
            self._note_original(doc, theirs)
            tokens = self.sentencizer(nlp.make_doc(doc.text))
            by_key = {(c.start, c.end, c.label): (c.p, "model") for c in found}
            if patterns is not None:
                for a, b, label in patterns(tokens):
                    if label in wanted:
                        by_key[(a, b, label)] = (by_key.get((a, b, label), (0.0, ""))[0], "pattern")
            ranks = {key: priority(p, origin, pattern_weight=self.pattern_weight) for key, (p, origin) in by_key.items()}
            for a, b, label, share in self._answers_in(tokens):
                p, origin = by_key.get((a, b, label), (0.0, "model"))
                rank = answer_priority(p, share)
                if origin != "pattern" and rank > ranks.get((a, b, label), 0.0):
                    by_key[(a, b, label)], ranks[(a, b, label)] = (p, "answer"), rank
            olds: dict[tuple[int, int, str], str] = {}
            for (a, b), old in theirs.items():
                for label in self.labels:
                    share = self.original_share(old, label)
                    p, origin = by_key.get((a, b, label), (0.0, "model"))
                    if share is None or origin == "pattern":
                        continue
                    rank = original_priority(p, share)
                    if rank > ranks.get((a, b, label), 0.0):
                        by_key[(a, b, label)], ranks[(a, b, label)], olds[(a, b, label)] = (p, "original"), rank, old
            for (a, b, label), (p, origin) in by_key.items():
                rank = ranks[(a, b, label)]
                if rank < self.min_priority or self._known(doc, a, b, label):
                    continue
                span = tokens.char_span(a, b)
                before, after = context(tokens, a, b)
                cand = TeachCandidate(doc.doc_id, a, b, label, float(p), origin, rank, doc.text[a:b], before, after,
                                      span.start if span is not None else None,
                                      span.end - 1 if span is not None else None, olds.get((a, b, label), ""))
                self._order += 1
                heapq.heappush(self._heap, (-rank, self._order, cand))
                self._held[doc.doc_id] = doc
                added += 1
        self._queued_this_pass += added
        return added

    # ---- the original's entities -------------------------------------------------------------
    def _original_ents(self, nlp: Language, docs: Sequence[TeachDoc], *, exclude: str | None):
        """Per document, the entities ((start, end) -> type) of ``nlp``'s recognizers other than
        ``exclude`` (the one that predicts the new types), alone; none if not ``ask_original``."""
        names = [n for n in ner_components(nlp) if n != exclude] if self.ask_original else []
        if not names:
            return [{} for _ in docs]
        unneeded = set(non_ner_pipes(nlp)) | {exclude}
        off = [n for n in nlp.pipe_names if n not in names and n in unneeded]
        with nlp.select_pipes(disable=off):
            parsed = list(nlp.pipe([d.text for d in docs]))
        wanted = set(self.labels)
        return [{(e.start_char, e.end_char): e.label_ for e in doc.ents if e.label_ not in wanted} for doc in parsed]

    def _note_original(self, doc: TeachDoc, theirs: dict[tuple[int, int], str]) -> None:
        self._original[doc.doc_id] = theirs
        if doc.doc_id in self._counted:
            return
        self._counted.add(doc.doc_id)
        for a, b, label in doc.spans:  # the document's own spans: accepted
            if label in self.labels and (a, b) in theirs:
                self.original_asked[theirs[(a, b)], label] += 1
                self.original_hits[theirs[(a, b)], label] += 1
            if label in self.labels:
                self._count_answer(doc.text[a:b], label, "accept", +1)

    # ---- the texts accepted before -----------------------------------------------------------
    def answer_share(self, text: str, label: str) -> float | None:
        """How often ``text`` was accepted as ``label`` when asked (add-one smoothed); None if it
        never was."""
        hits = self.answer_hits[text, label]
        if hits < 1:
            return None
        return (hits + 1) / (self.answer_asked[text, label] + 2)

    def _count_answer(self, text: str, label: str, answer: str, sign: int) -> None:
        if not text.strip():
            return
        before = self.answer_hits[text, label] > 0
        self.answer_asked[text, label] += sign
        if answer == "accept":
            self.answer_hits[text, label] += sign
        if before != (self.answer_hits[text, label] > 0):
            self._answer_re.pop(label, None)  # a term came or went: the pattern is built again

    def _answers_in(self, doc) -> list[tuple[int, int, str, float]]:
        """``(start, end, label, share)`` of every whole-word occurrence in ``doc`` (a ``Doc``) of
        a text accepted as ``label``, on token boundaries; none without ``ask_answers``."""
        if not self.ask_answers:
            return []
        out = []
        for label in self.labels:
            if label not in self._answer_re:
                terms = sorted({t for (t, lab), n in self.answer_hits.items() if lab == label and n > 0},
                               key=lambda t: (-len(t), t))
                self._answer_re[label] = re.compile(
                    r"(?<!\w)(?:" + "|".join(map(re.escape, terms)) + r")(?!\w)") if terms else None
            found = self._answer_re[label]
            if found is None:
                continue
            for m in found.finditer(doc.text):
                share = self.answer_share(m.group(), label)
                if share is not None and doc.char_span(m.start(), m.end()) is not None:
                    out.append((m.start(), m.end(), label, share))
        return out

    def original_share(self, old: str, label: str) -> float | None:
        """How often an entity the original calls ``old`` was accepted as ``label`` when asked
        (add-one smoothed); None until it was ``ORIGINAL_MIN_HITS`` times."""
        hits = self.original_hits[old, label]
        if hits < ORIGINAL_MIN_HITS:
            return None
        return (hits + 1) / (self.original_asked[old, label] + 2)

    def _count_original(self, key: Key, answer: str, sign: int) -> None:
        doc_id, start, end, label = key
        old = self._original.get(doc_id, {}).get((start, end))
        if old is not None and label in self.labels:
            self.original_asked[old, label] += sign
            if answer == "accept":
                self.original_hits[old, label] += sign

    def _known(self, doc: TeachDoc, a: int, b: int, label: str) -> bool:
        if (doc.doc_id, a, b, label) in self.decided or (a, b, label) in doc.rejected:
            return True
        return any(s < b and a < e for s, e, _ in doc.spans) or any(
            s < b and a < e for s, e in self._accepted.get(doc.doc_id, ()))

    # ---- handing out ----------------------------------------------------------------------
    def next(self) -> TeachCandidate | None:
        """The queued candidate of highest priority still to ask (None: the queue is empty;
        ``fill`` it, unless ``exhausted``)."""
        while self._heap:
            _, _, cand = heapq.heappop(self._heap)
            doc = self._held.get(cand.doc_id)
            if cand.key in self.decided or (doc is not None and self._known(doc, cand.start, cand.end, cand.label)):
                continue
            self._handed[cand.key] = cand.text
            return cand
        return None

    def peek_all(self) -> list[TeachCandidate]:
        """The queued candidates still to ask, best first (not taken)."""
        return [c for _, _, c in sorted(self._heap) if c.key not in self.decided]

    def mark_decided(self, key: Key, answer: str) -> None:
        """A candidate was answered: never ask it again; an accepted one also rules out every
        candidate overlapping it."""
        if key not in self.decided:
            self._count_original(key, answer, +1)
            if key in self._handed:
                self._count_answer(self._handed[key], key[3], answer, +1)
        self.decided.add(key)
        self._decided_this_pass += 1
        if answer == "accept":
            doc_id, start, end, _ = key
            self._accepted.setdefault(doc_id, []).append((start, end))

    def unmark(self, key: Key) -> None:
        """A decision was taken back: the candidate may be asked again (once its document is
        scored again)."""
        doc_id, start, end, _ = key
        accepted = (start, end) in self._accepted.get(doc_id, [])
        if key in self.decided:
            self._count_original(key, "accept" if accepted else "reject", -1)
            if key in self._handed:
                self._count_answer(self._handed[key], key[3], "accept" if accepted else "reject", -1)
        self.decided.discard(key)
        if accepted:
            self._accepted[doc_id].remove((start, end))

    def refresh(self) -> int:
        """The model changed: the documents of the candidates not asked yet are scored again
        (before any new document); returns how many."""
        docs = list(dict.fromkeys(c.doc_id for _, _, c in self._heap))
        self._heap.clear()
        again = [self._held[d] for d in docs if d in self._held]
        self._again.extendleft(reversed(again))
        self._held = {}
        self.exhausted = False
        return len(again)

    def requeue(self, cand: TeachCandidate) -> None:
        """Put a candidate handed out but not answered back in the queue."""
        self._order += 1
        heapq.heappush(self._heap, (-cand.priority, self._order, cand))
