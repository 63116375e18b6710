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
never by the weights being trained. The trainer yields a ``Progress`` after every batch;
the caller may change ``rehearsal`` or call ``stop()`` between batches.
"""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import minibatch

from ..errors import Msg, TrainingError, detail as error_detail
from . import evaluate
from .pipeline import clone, ner_components, ner_labels
from .records import Record
from .settings import STRATEGIES, TrainSettings  # noqa: F401 - the settings live there (no spaCy import)

NEW_NAME = "ner_new"


@dataclass
class Progress:
    """What the trainer reports after each batch (and, with ``scores``, after each epoch)."""

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


class Trainer:
    """Online NER training on a project's accepted annotations.

    Args:
        base: the original pipeline (not modified; the trainer works on a copy).
        train: accepted records with their spans.
        rehearsal_texts: raw texts for pseudo-rehearsal (unannotated documents or a file).
        settings: a TrainSettings.
        labels: the labels to learn (default: every label in ``train``).
        eval_records: optional held-out annotated records for per-epoch scores; by
            default a fixed fraction of ``train`` is held out.
    After ``run()`` is exhausted, ``self.nlp`` is the trained pipeline (the best epoch
    when early stopping is on) and ``self.scores`` its dev scores.
    """

    def __init__(
        self,
        base: Language,
        train: Sequence[Record],
        rehearsal_texts: Sequence[str] = (),
        *,
        settings: TrainSettings | None = None,
        labels: Sequence[str] | None = None,
        eval_records: Sequence[Record] | None = None,
        teacher: Language | None = None,
        retention_texts: Sequence[str] | None = None,
    ):
        self.settings = settings or TrainSettings()
        self.settings.validate()
        self.rehearsal = float(self.settings.rehearsal)
        self._stop = False
        self.base = base
        self.teacher = teacher if teacher is not None else clone(base)
        self.old_labels = ner_labels(base)
        records = [r for r in train if r.spans or r.state == "accepted"]
        # spaCy refuses texts over nlp.max_length (E088); name them instead of failing the run
        self.skipped = [r for r in records if len(r.text) > base.max_length]
        records = [r for r in records if len(r.text) <= base.max_length]
        rng = random.Random(self.settings.seed)
        if eval_records is None and self.settings.early_stopping and len(records) >= 20:
            order = list(range(len(records)))
            rng.shuffle(order)
            n_dev = max(2, int(len(records) * self.settings.dev_fraction))
            dev_idx = set(order[:n_dev])
            self.dev_records = [r for i, r in enumerate(records) if i in dev_idx]
            self.train_records = [r for i, r in enumerate(records) if i not in dev_idx]
        else:
            self.dev_records = list(eval_records or [])
            self.train_records = records
        if not self.train_records:
            raise TrainingError(Msg.TRAIN_FAILED.format(detail="no accepted documents to train on"))
        self.labels = list(labels) if labels else sorted({s.label for r in records for s in r.spans})
        texts = [t for t in dict.fromkeys(rehearsal_texts) if len(t) <= base.max_length]
        rng.shuffle(texts)
        if retention_texts:  # held out by the caller (holdout.retention_split): scored after each epoch and at the end
            self.dev_rehearsal_texts = [t for t in retention_texts if len(t) <= base.max_length] if self.old_labels else []
            self.rehearsal_texts = texts
        else:
            n_dev_reh = min(self.settings.dev_rehearsal, len(texts) // 5) if self.old_labels else 0
            self.dev_rehearsal_texts = texts[:n_dev_reh]
            self.rehearsal_texts = texts[n_dev_reh:]
        self._teacher_cache: dict[str, list[tuple[int, int, str]]] = {}
        self.nlp: Language | None = None
        self.scores: dict[str, Any] = {}
        self.history: list[dict[str, Any]] = []

    # ---- control from another thread (read between batches) ------------------------------
    def set_rehearsal(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise TrainingError(Msg.BAD_RATIO.format(value=value))
        self.rehearsal = float(value)

    def stop(self) -> None:
        self._stop = True

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
        if not ners:
            ner = nlp.add_pipe("ner", name="ner", last=True)
            for label in self.labels:
                ner.add_label(label)
            sample = [self._example(nlp, r, for_new=False) for r in self.train_records[:200]]
            ner.initialize(lambda: sample, nlp=nlp)
            return nlp, ["ner"]
        if s.strategy == "in-place":
            ner = nlp.get_pipe(ners[-1])
            for label in new_labels:
                ner.add_label(label)
            return nlp, [ners[-1]]
        # new component: a copy of the original NER's weights, before it
        source = clone(self.base)
        first = ners[0]
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
        else:
            ref.set_ents([], default="outside")
        return Example(doc, ref)

    # ---- the loop ------------------------------------------------------------------------
    def run(self) -> Iterator[Progress]:
        """Train, yielding a Progress after every batch. Raises TrainingError on failure."""
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
        for_new = NEW_NAME in trainable
        frozen = [name for name in nlp.pipe_names if name not in trainable]
        optimizer = nlp.create_optimizer()
        distill = s.distill and not for_new and bool(self.rehearsal_texts) and bool(ner_components(self.base))
        if distill:  # copies each trainable model as the frozen score teacher for nlp.rehearse
            for name in trainable:
                nlp.get_pipe(name)._rehearsal_model = copy.deepcopy(nlp.get_pipe(name).model)
        ema = _Ema([nlp.get_pipe(n).model for n in trainable], s.ema_decay) if s.average == "ema" else None
        if s.learn_rate is not None:
            optimizer.learn_rate = s.learn_rate
        examples = [self._example(nlp, r, for_new=for_new) for r in self.train_records]
        examples += [e for e in examples if len(e.reference.ents)] * (max(1, s.oversample) - 1)
        words_per_epoch = sum(len(e.reference) for e in examples)
        total_batches = s.epochs * math.ceil(len(examples) / s.batch_size)
        dev_teacher = self._teacher_ents(self.dev_rehearsal_texts) if self.dev_rehearsal_texts else []
        reh_order = list(range(len(self.rehearsal_texts)))
        reh_pos = 0
        carry = 0.0
        step = seen = 0
        words = 0
        started = time.perf_counter()
        best_score, best_bytes = -1.0, None
        self.nlp = nlp
        for epoch in range(s.epochs):
            rng.shuffle(examples)
            for batch in minibatch(examples, size=s.batch_size):
                if self._stop:
                    return
                batch = list(batch)
                carry += self.rehearsal * len(batch)
                n_reh = int(carry)
                carry -= n_reh
                if n_reh and self.rehearsal_texts:
                    picked = []
                    for _ in range(n_reh):
                        if reh_pos % len(reh_order) == 0:
                            rng.shuffle(reh_order)
                        picked.append(self.rehearsal_texts[reh_order[reh_pos % len(reh_order)]])
                        reh_pos += 1
                    rehearsal_batch = [self._rehearsal_example(nlp, t, for_new=for_new) for t in picked]
                    batch += rehearsal_batch
                else:
                    rehearsal_batch = []
                losses: dict[str, float] = {}
                nlp.update(batch, sgd=optimizer, drop=s.dropout, losses=losses, exclude=frozen)
                if distill and rehearsal_batch:
                    nlp.rehearse(rehearsal_batch, sgd=optimizer, losses=losses, exclude=frozen)
                if ema is not None:
                    ema.update()
                step += 1
                seen += len(batch)
                words += sum(len(e.reference) for e in batch)
                elapsed = time.perf_counter() - started
                wps = words / elapsed if elapsed > 0 else 0.0
                done = step / total_batches
                eta = elapsed / done - elapsed if done > 0 else float("nan")
                yield Progress(step=step, epoch=epoch, examples_seen=seen, words_per_second=wps,
                               loss=sum(losses.values()), eta_seconds=eta, fraction_done=done,
                               rehearsal=self.rehearsal, losses=losses)
            # end of epoch: score with the averaged weights
            scores = {}
            is_best = False
            params = ema.params if ema is not None else optimizer.averages if s.average == "optimizer" else {}
            self._epoch_params = params
            if self.dev_records or dev_teacher:
                with nlp.use_params(params):
                    scores = self._dev_scores(nlp, dev_teacher)
                joint = scores.get("joint", 0.0)
                if s.early_stopping and joint > best_score:
                    best_score = joint
                    with nlp.use_params(params):
                        best_bytes = {name: nlp.get_pipe(name).to_bytes() for name in trainable}
                    is_best = True
            self.history.append({"epoch": epoch, **scores})
            self.scores = scores if is_best or not s.early_stopping else self.scores
            yield Progress(step=step, epoch=epoch, examples_seen=seen, words_per_second=words / max(elapsed, 1e-9),
                           loss=sum(losses.values()), eta_seconds=eta, fraction_done=done,
                           rehearsal=self.rehearsal, epoch_end=True, scores=scores, is_best=is_best)
        # finish: the best epoch's weights, else the averaged weights of the last one
        if best_bytes is not None:
            for name, data in best_bytes.items():
                nlp.get_pipe(name).from_bytes(data)
        elif ema is not None:
            _apply_params(nlp, ema.params, trainable)
        elif s.average == "optimizer":
            _apply_params(nlp, optimizer.averages, trainable)

    @contextmanager
    def kept_weights(self) -> Iterator[Language | None]:
        """Inside, ``self.nlp`` holds the weights a run ending now would keep (the moving
        average as of the last epoch's end), e.g. for a mid-run preview snapshot. Use only
        while the trainer is suspended at an epoch's end (between its steps)."""
        params = getattr(self, "_epoch_params", None)
        if self.nlp is None or not params:
            yield self.nlp
            return
        with self.nlp.use_params(params):
            yield self.nlp

    def _dev_scores(self, nlp: Language, dev_teacher) -> dict[str, Any]:
        out: dict[str, Any] = {}
        new_labels = [l for l in self.labels if l not in self.old_labels] or self.labels
        if self.dev_records:
            out.update(evaluate.score_records(nlp, self.dev_records, labels=self.labels))
            out["new_f"] = evaluate.mean_f(out, new_labels)
        if dev_teacher:
            detail = evaluate.retention_detail(nlp, self.dev_rehearsal_texts, dev_teacher, old_labels=self.old_labels)
            out["retention"] = detail.pop("retention")
            out["retention_detail"] = detail
        parts = [v for k, v in out.items() if k in ("new_f", "retention") and v is not None]
        out["joint"] = 2 * math.prod(parts) / sum(parts) if len(parts) == 2 and sum(parts) else (parts[0] if parts else 0.0)
        return out


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
