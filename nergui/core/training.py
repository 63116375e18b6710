"""The online trainer: a generator over ``nlp.update()`` with pseudo-rehearsal.

Two strategies:

* ``new-component`` (default): the original NER stays frozen; the new types are learnt
  by a second NER component (``ner_new``), a copy of the original NER's weights placed
  *before* it. spaCy's NER keeps entities set by an earlier component, so the original
  adds its own entities around the new ones. Rehearsal texts (raw text, all "O" for
  ``ner_new``) teach the new component where the new types are *not*.
* ``in-place``: the pipeline's own NER learns the new types; rehearsal texts carry the
  frozen original's entities so it keeps predicting the old types.

Rehearsal texts are annotated by a frozen copy of the original pipeline (the teacher),
never by the weights being trained. The trainer yields a ``Progress`` after every batch and
an ``EpochEnd`` (with the scores) after every epoch; another thread may change the
rehearsal ratio or cancel through ``trainer.control`` between batches.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import minibatch

from ..errors import Msg, TrainingError, detail as error_detail
from . import evaluate
from .events import EpochEnd, Progress
from .incorrect import INCORRECT_KEY, binary_example, give_incorrect_key
from .pipeline import clone, ner_components
from .records import Record
from .settings import STRATEGIES, TrainSettings  # noqa: F401 - the settings live there (no spaCy import)
from .train_data import Scorer, TrainData, split_data

NEW_NAME = "ner_new"
# An original type is "alike" a new one when its entities overlap at least this share of the
# new type's spans (the rehearsal markings "alike-missing" and "unlike-ents").
ALIKE_SHARE = 0.05


class Control:
    """A run's rehearsal ratio and cancel flag: set from any thread (the GUI's, a command
    reader's), read by the trainer before each batch."""

    def __init__(self, rehearsal: float = 0.0):
        self.rehearsal = 0.0
        self.cancelled = False
        self.set_rehearsal(rehearsal)

    def set_rehearsal(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise TrainingError(Msg.BAD_RATIO.format(value=value))
        self.rehearsal = float(value)  # one assignment: atomic for the reader

    def cancel(self) -> None:
        self.cancelled = True


class Trainer:
    """Online NER training on one ``TrainData`` (``nergui.core.train_data``).

    Args:
        base: the original pipeline (not modified; the trainer works on a copy).
        data: what to learn from, score on and measure forgetting on.
        settings: a TrainSettings.
        teacher: a frozen copy of ``base`` that annotates rehearsal text (default: a clone).
        control: the rehearsal ratio and cancel flag, changed from another thread.
        teacher_cache: the teacher's entities per text, shared with other trainers.
    After ``run()`` is exhausted, ``self.nlp`` is the trained pipeline (the best epoch
    when early stopping is on) and ``self.scores`` its scores. ``Trainer.on`` splits records
    and texts itself (``split_data``).
    """

    def __init__(self, base: Language, data: TrainData, *, settings: TrainSettings | None = None,
                 teacher: Language | None = None, control: Control | None = None,
                 teacher_cache: dict[str, list[tuple[int, int, str]]] | None = None):
        self.settings = settings or TrainSettings()
        self.settings.validate()
        self.base, self.data = base, data
        self.teacher = teacher if teacher is not None else clone(base)
        self.control = control or Control(self.settings.rehearsal)
        self.scorer = Scorer(data, self.teacher)
        # the teacher's entities per text; a caller training several models on the same
        # texts (cross-validation) shares one
        self._teacher_cache = teacher_cache if teacher_cache is not None else {}
        self.nlp: Language | None = None
        self.scores: dict[str, Any] = {}
        self.history: list[dict[str, Any]] = []
        self.seconds = 0.0  # how long the training loop took (batches and epoch scores), once done
        self._epoch_params: dict = {}
        self._best: tuple[float, dict[str, bytes] | None] = (-1.0, None)
        self._alike: set[str] | None = None
        self._said_new: re.Pattern | None | bool = False  # ``said_new``; False: not computed yet

    @classmethod
    def on(cls, base: Language, records: Sequence[Record], texts: Sequence[str] = (), *,
           settings: TrainSettings | None = None, labels: Sequence[str] | None = None,
           teacher: Language | None = None, control: Control | None = None, **split) -> "Trainer":
        """A trainer on ``split_data(base, records, texts, ...)``."""
        settings = settings or TrainSettings()
        settings.validate()
        data = split_data(base, records, texts, settings=settings, labels=labels, **split)
        return cls(base, data, settings=settings, teacher=teacher, control=control)

    @property
    def teacher_cache(self) -> dict[str, list[tuple[int, int, str]]]:
        """The teacher's entities per text so far (another trainer on the same texts can share it)."""
        return self._teacher_cache

    @property
    def labels(self) -> list[str]:
        return self.data.labels

    @property
    def old_labels(self) -> list[str]:
        return self.data.old_labels

    def _with_spans(self) -> list[Record]:
        return [r for r in self.data.train if any(s.label in self.labels for s in r.spans)]

    def epoch_records(self) -> list[Record]:
        """The records of one epoch: each with a span to learn ``oversample`` times."""
        return self.data.train + self._with_spans() * (max(1, self.settings.oversample) - 1)

    @property
    def total_steps(self) -> int:
        """Batches in the whole run (``TrainSettings.total_steps``)."""
        return self.settings.total_steps(len(self.data.train), len(self._with_spans()))

    # ---- setup -------------------------------------------------------------------------
    def _teacher_ents(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        todo = [t for t in dict.fromkeys(texts) if t not in self._teacher_cache]
        if todo:
            disable = evaluate.non_ner_pipes(self.teacher)
            for text, doc in zip(todo, self.teacher.pipe(todo, batch_size=64, disable=disable)):
                self._teacher_cache[text] = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        return [self._teacher_cache[t] for t in texts]

    def _build(self) -> tuple[Language, list[str]]:
        """The pipeline to train and the names of the components that are updated."""
        s = self.settings
        nlp = clone(self.base)
        ners = ner_components(nlp)
        new_labels = [l for l in self.labels if l not in self.old_labels]
        if not ners:  # every recognizer trained here learns from rejected spans (core/incorrect.py)
            ner = nlp.add_pipe("ner", name="ner", last=True, config={"incorrect_spans_key": INCORRECT_KEY})
            for label in self.labels:
                ner.add_label(label)
            sample = [self._example(nlp, r, for_new=False) for r in self.data.train[:200]]
            ner.initialize(lambda: sample, nlp=nlp)
            return nlp, ["ner"]
        if s.strategy == "in-place":
            ner = nlp.get_pipe(ners[-1])
            give_incorrect_key(nlp, ners[-1])
            for label in new_labels:
                ner.add_label(label)
            return nlp, [ners[-1]]
        # new component: a copy of the original NER's weights, before it
        source = clone(self.base)
        first = ners[0]
        give_incorrect_key(source, first)  # in the new component's config from its creation
        nlp.add_pipe(first, name=NEW_NAME, source=source, before=first)
        _own_tok2vec(nlp, NEW_NAME)
        new_ner = nlp.get_pipe(NEW_NAME)
        for label in self.labels:
            new_ner.add_label(label)
        for name in ners:
            _mute_labels(nlp.get_pipe(name), new_labels)
        if s.mute_old:
            _mute_labels(new_ner, [l for l in self.old_labels if l not in self.labels])
        return nlp, [NEW_NAME]

    def _example(self, nlp: Language, record: Record, *, for_new: bool) -> Example:
        if record.binary:  # yes/no answers only: rejected spans incorrect, other tokens missing
            return binary_example(nlp, record, self.labels)
        doc = nlp.make_doc(record.text)
        ref = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        user = [ref.char_span(s.start, s.end, label=s.label, alignment_mode="expand") for s in record.spans
                if s.label in self.labels]
        user = [sp for sp in user if sp is not None]
        if for_new or self.settings.unmarked == "o":
            ref.set_ents(_no_overlap(user), default="outside")
        elif self.settings.unmarked == "missing":
            ref.set_ents(_no_overlap(user), default="missing")
        else:  # fill: the original's entities where the user marked nothing
            teacher = self._teacher_ents([record.text])[0]
            extra = [ref.char_span(a, b, label=l, alignment_mode="expand") for a, b, l in teacher]
            ref.set_ents(_no_overlap(user + [e for e in extra if e is not None]), default="outside")
        return Example(doc, ref)

    def _rehearsal_example(self, nlp: Language, text: str, *, for_new: bool) -> Example:
        doc = nlp.make_doc(text)
        ref = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
        ents = self._teacher_ents([text])[0]
        spans = [ref.char_span(a, b, label=l, alignment_mode="expand") for a, b, l in ents]
        spans = _no_overlap([s for s in spans if s is not None])
        if not for_new:
            ref.set_ents(spans, default="outside")
        elif self.settings.rehearsal_marking == "ents":
            ref.set_ents([], outside=spans, default="missing")
        elif self.settings.rehearsal_marking == "unlike-ents":
            alike = self.alike_labels()
            ref.set_ents([], outside=[sp for sp in spans if sp.label_ not in alike], default="missing")
        elif self.settings.rehearsal_marking == "alike-missing":
            alike = self.alike_labels()
            said = self.said_new()
            found = [] if said is None else [ref.char_span(m.start(), m.end(), alignment_mode="expand")
                                             for m in said.finditer(text)]
            ref.set_ents([], missing=_no_overlap([sp for sp in spans if sp.label_ in alike]
                                                 + [sp for sp in found if sp is not None]), default="outside")
        else:
            ref.set_ents([], default="outside")
        return Example(doc, ref)

    def data_changed(self) -> None:
        """The training documents changed (the learner, as documents arrive): what was derived
        from them (``alike_labels``, ``said_new``) is computed again when next asked."""
        self._alike, self._said_new = None, False

    def said_new(self) -> re.Pattern | None:
        """A pattern matching, as whole words, the text of every new-type span of the training
        documents (what the user said is a new-type entity): in rehearsal text marked
        "alike-missing" those words are missing, not "O", so that rehearsal never teaches the
        opposite of an answer (a brand accepted once, found in a to-do document). None when there
        is none. Computed once; ``data_changed()`` asks for it again."""
        if self._said_new is False:
            new = set(self.labels) - set(self.old_labels)
            said = {r.text[sp.start:sp.end] for r in self.data.train for sp in r.spans if sp.label in new}
            said = sorted((t for t in said if t.strip()), key=len, reverse=True)
            self._said_new = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, said)) + r")(?!\w)") if said else None
        return self._said_new

    def alike_labels(self) -> set[str]:
        """The original's types the new types are found as: those of which the original (the
        teacher) predicts an entity overlapping at least ``ALIKE_SHARE`` of the user's
        new-type spans in the training documents (fashion brands: ORG, PERSON, GPE). Computed
        once; ``data_changed()`` asks for it again."""
        if self._alike is None:
            new = set(self.labels) - set(self.old_labels)
            spans = [(r.text, sp) for r in self.data.train for sp in r.spans if sp.label in new]
            counts: Counter[str] = Counter()
            for (_, sp), ents in zip(spans, self._teacher_ents([text for text, _ in spans])):
                counts.update({label for a, b, label in ents if a < sp.end and sp.start < b})
            self._alike = {label for label, n in counts.items() if n >= max(1.0, ALIKE_SHARE * len(spans))}
        return self._alike

    # ---- the loop ------------------------------------------------------------------------
    def run(self) -> Iterator[Progress]:
        """Train, yielding a Progress after every batch and an EpochEnd after every epoch.
        Raises TrainingError on failure."""
        try:
            yield from self._run()
        except TrainingError:
            raise
        except MemoryError as err:
            raise TrainingError(Msg.TRAIN_OOM.format(detail=str(err) or "MemoryError")) from err
        except Exception as err:
            raise TrainingError(Msg.TRAIN_FAILED.format(detail=error_detail(err))) from err

    def _run(self) -> Iterator[Progress]:
        s = self.settings
        rng = random.Random(s.seed)
        _seed(s.seed)
        nlp, trainable = self._build()
        self.nlp = nlp
        for_new = NEW_NAME in trainable
        frozen = [name for name in nlp.pipe_names if name not in trainable]
        optimizer = nlp.create_optimizer()
        if s.learn_rate is not None:
            optimizer.learn_rate = s.learn_rate
        distill = s.distill and not for_new and bool(self.data.rehearsal) and bool(ner_components(self.base))
        if distill:  # copies each trainable model as the frozen score teacher for nlp.rehearse
            for name in trainable:
                nlp.get_pipe(name)._rehearsal_model = copy.deepcopy(nlp.get_pipe(name).model)
        ema = _Ema([nlp.get_pipe(n).model for n in trainable], s.ema_decay) if s.average == "ema" else None
        examples = [self._example(nlp, r, for_new=for_new) for r in self.epoch_records()]
        batches = mixed_batches(examples, self.data.rehearsal, epochs=s.epochs, batch_size=s.batch_size,
                                ratio=lambda: self.control.rehearsal, rng=rng,
                                make=lambda text: self._rehearsal_example(nlp, text, for_new=for_new))
        total = self.total_steps
        step = seen = words = 0
        started = time.perf_counter()
        progress = None
        for epoch, epoch_batches in itertools.groupby(batches, key=lambda item: item[0]):
            for _, batch, rehearsal, ratio in epoch_batches:
                if self.control.cancelled:
                    return
                losses: dict[str, float] = {}
                nlp.update(batch + rehearsal, sgd=optimizer, drop=s.dropout, losses=losses, exclude=frozen)
                if distill and rehearsal:
                    nlp.rehearse(rehearsal, sgd=optimizer, losses=losses, exclude=frozen)
                if ema is not None:
                    ema.update()
                step += 1
                seen += len(batch) + len(rehearsal)
                words += sum(len(e.reference) for e in batch + rehearsal)
                elapsed = time.perf_counter() - started
                done = step / total
                progress = Progress(step=step, epoch=epoch, examples_seen=seen,
                                    words_per_second=words / elapsed if elapsed > 0 else 0.0,
                                    loss=sum(losses.values()), eta_seconds=elapsed / done - elapsed,
                                    fraction_done=done, rehearsal=ratio, losses=losses)
                yield progress
            scores, is_best = self._end_epoch(nlp, epoch, trainable, ema.params if ema is not None else
                                              optimizer.averages if s.average == "optimizer" else {})
            yield EpochEnd(**{**dataclasses.asdict(progress), "epoch_end": True, "scores": scores,
                              "is_best": is_best, "losses": {}})
        self.seconds = time.perf_counter() - started
        self._finish(nlp, trainable, ema.params if ema is not None else
                     optimizer.averages if s.average == "optimizer" else {})

    def _end_epoch(self, nlp: Language, epoch: int, trainable: Sequence[str], params) -> tuple[dict[str, Any], bool]:
        """Score the epoch's averaged weights with the run's scorer; keep them if best."""
        s = self.settings
        self._epoch_params = params
        scores: dict[str, Any] = {}
        is_best = False
        if self.data.dev or (self.data.retention and self.old_labels):
            with nlp.use_params(params):
                scores = self.scorer(nlp)
                if s.early_stopping and scores["joint"] > self._best[0]:
                    self._best = (scores["joint"], {name: nlp.get_pipe(name).to_bytes() for name in trainable})
                    is_best = True
        self.history.append({"epoch": epoch, **scores})
        if is_best or not s.early_stopping:
            self.scores = scores
        return scores, is_best

    def _finish(self, nlp: Language, trainable: Sequence[str], params) -> None:
        """Leave the weights the run keeps in ``nlp``: the best epoch's, else the averaged
        weights of the last one."""
        best = self._best[1]
        if best is not None:
            for name, data in best.items():
                nlp.get_pipe(name).from_bytes(data)
        elif params:
            _apply_params(nlp, params, trainable)

    @contextmanager
    def kept_weights(self) -> Iterator[Language | None]:
        """Inside, ``self.nlp`` holds the weights a run ending now would keep (the moving
        average as of the last epoch's end), e.g. for a mid-run preview snapshot. Use only
        while the trainer is suspended at an epoch's end (between its steps)."""
        if self.nlp is None or not self._epoch_params:
            yield self.nlp
            return
        with self.nlp.use_params(self._epoch_params):
            yield self.nlp


def mixed_batches(examples: list[Example], texts: Sequence[str], *, epochs: int, batch_size: int,
                  ratio: Callable[[], float], rng: random.Random,
                  make: Callable[[str], Example]) -> Iterator[tuple[int, list[Example], list[Example], float]]:
    """``(epoch, batch, rehearsal, ratio)`` for every batch of the run (like spaCy's
    ``create_train_batches``): the examples reshuffled each epoch; with each batch,
    ``ratio()`` (read then, so a slider moved mid-run applies to the next batch) times its
    size of rehearsal examples, the fractions carried to the next batch, drawn from the
    texts in a shuffled order that is used up before it repeats. ``ratio`` is the value the
    batch was made with (what its progress reports: the slider may have moved since)."""
    carry = 0.0
    order, pos = list(range(len(texts))), 0
    for epoch in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=batch_size):
            batch = list(batch)
            now = ratio()
            carry += now * len(batch)
            n = int(carry)
            carry -= n
            picked = []
            for _ in range(n if texts else 0):
                if pos % len(order) == 0:
                    rng.shuffle(order)
                picked.append(texts[order[pos % len(order)]])
                pos += 1
            yield epoch, batch, [make(text) for text in picked], now


def _no_overlap(spans):
    """Keep spans in order, dropping any that overlaps one kept earlier (user spans come first)."""
    kept, taken = [], set()
    for sp in spans:
        idx = set(range(sp.start, sp.end))
        if idx & taken:
            continue
        kept.append(sp)
        taken |= idx
    return sorted(kept, key=lambda sp: sp.start)


def _mute_labels(ner, labels: Sequence[str]) -> None:
    """Make an entity recognizer never predict ``labels`` itself (adding them if needed).

    The actions of those labels get a bias of -10,000, so they are never the best valid
    move, yet stay valid where an earlier component preset such an entity. Used both ways:
    * the frozen original gets the new labels. Otherwise spaCy's NER adds a label it meets
      in preset entities *during prediction*, resizing its output with zero weights: the
      original would then score the new actions 0, start predicting the new type, and its
      model would change under a reader;
    * the new component gets its copied old labels muted, so it predicts only the new
      types and never overrides the original on the old ones.
    """
    labels = set(labels)
    for label in sorted(labels - set(ner.labels)):
        ner.add_label(label)
    if not ner.model.has_ref("upper"):
        return
    upper = ner.model.get_ref("upper")
    bias = upper.get_param("b").copy()
    for i in range(ner.moves.n_moves):
        name = ner.moves.get_class_name(i)
        if "-" in name and name.split("-", 1)[1] in labels:
            bias[i] = -1e4
    upper.set_param("b", bias)


def _own_tok2vec(nlp: Language, name: str) -> None:
    """If the copied NER listens to a shared tok2vec, give it its own copy."""
    for tok2vec_name, pipe in nlp.pipeline:
        listening = getattr(pipe, "listening_components", None)
        if listening and name in listening:
            nlp.replace_listeners(tok2vec_name, name, ["model.tok2vec"])


class _Ema:
    """An exponential moving average of a model's weights, keyed like thinc's averages."""

    def __init__(self, models, decay: float):
        self.decay = decay
        self.steps = 0
        self.nodes = [node for model in models for node in model.walk()]
        self.params = {}
        for node in self.nodes:
            for name in node.param_names:
                if node.has_param(name):
                    self.params[(node.id, name)] = node.get_param(name).copy()

    def update(self) -> None:
        # warm-up as in thinc's averages: short runs are not dominated by the start weights
        self.steps += 1
        d = min(self.decay, (1.0 + self.steps) / (10.0 + self.steps))
        for node in self.nodes:
            for name in node.param_names:
                key = (node.id, name)
                if not node.has_param(name):
                    continue
                value = node.get_param(name)
                avg = self.params.get(key)
                if avg is None or avg.shape != value.shape:
                    self.params[key] = value.copy()
                else:
                    avg *= d
                    avg += (1.0 - d) * value


def _apply_params(nlp: Language, params, names: Sequence[str]) -> None:
    if not params:
        return
    data = {}
    with nlp.use_params(params):
        for name in names:
            data[name] = nlp.get_pipe(name).to_bytes()
    for name, blob in data.items():
        nlp.get_pipe(name).from_bytes(blob)


def _seed(seed: int) -> None:
    from spacy.util import fix_random_seed

    fix_random_seed(seed)
