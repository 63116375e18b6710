"""Learning while the user annotates: a warm pipeline that takes a few steps per accepted document.

``Learner`` is built once from a project: the base (original) pipeline, the accepted
documents and the rehearsal texts (the project's unannotated documents), through the
``Trainer``'s own helpers (``Trainer._build``: the new component ``ner_new`` before the
frozen original; ``_example`` and ``_rehearsal_example``: how documents and rehearsal
texts are marked), so a learnt document is marked exactly as a full run marks it. Then each
``learn(record)`` makes ``LearnSettings.steps`` ``nlp.update()`` steps on that document,
together with ``replay`` earlier accepted documents drawn at random and rehearsal texts at
the ``Control``'s ratio (the rehearsal slider), and writes a preview snapshot
(``snapshot.write_ner_snapshot``) for the previewer to load.

Only the new component is updated; the original NER is excluded from every update, so its
weights stay those of the base. The learner's weights are a preview that drifts with every
document: a consolidation run (today's full run from the original) is what becomes a saved
version.

Rehearsal texts drawn from the project's own documents are in the user's domain and hold
the new type: marked all "O" for the new component they teach it the opposite of the
annotations. The learner's default marking is therefore ``rehearsal_marking="ents"`` (the
original's entity tokens "O", every other token missing), which teaches only what the
text can: that the original's people, places and organisations are not the new type.
Measured (``nergui bench learn``; 400 fashion documents annotated, the other 835 the
rehearsal text, ``Trainer.on`` 5 epochs, en_core_web_sm, FASHION_BRAND F on the 500 eval
documents, mean of seeds 0-2, retention on 100 cooking texts): "o" F 0.402 (retention
0.944), "ents" 0.431 (0.943), "alike-missing" 0.457 (0.924), "unlike-ents" 0.466 (0.914);
unrelated text marked "o" (seed 1) 0.408 (0.961). "ents" gains F at no cost in retention;
the two markings that leave the original's brand-like types (ORG, PERSON, GPE here) alone
gain more F but lose 2-3 points of retention. Streamed into a learner one document at a
time (150 documents, 3 steps each, one seed, F on 200 eval documents): "o" F 0.314,
"ents" 0.352, "alike-missing" 0.383, "unlike-ents" 0.345.
No Qt.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from .evaluation_sample import EvaluationSample
from .incorrect import give_incorrect_key
from .pipeline import clone, ner_components, ner_labels
from .records import Record
from .settings import TrainSettings
from .train_data import TrainData
from .training import NEW_NAME, Control, Trainer, _Ema, _mute_labels, _seed

KEEP_SNAPSHOTS = 3  # the previewer may still be loading an older one
PREFETCH = 32  # rehearsal texts the original annotates at once, ahead of their use


@dataclass
class LearnSettings:
    """How much each accepted document is learnt.

    ``steps``: ``nlp.update`` steps per document; ``replay``: earlier accepted documents
    (drawn at random) learnt with it in each step; the rehearsal texts in each step are the
    ``Control``'s ratio times the step's documents (fractions carried to the next step).

    The defaults are the app's continuous mode, the learner ``nergui bench active`` replays
    (chosen there on the fashion data; see the README). The review mode's learner has its own
    (``teach_setup.teach_learn_settings``)."""

    steps: int = 2
    replay: int = 4
    seed: int = 0
    # the preview, the ordering and the scores read an exponential moving average of the
    # weights (the trainer's ``_Ema``, decay ``ema_decay`` per update) instead of the last step's
    average: bool = True
    ema_decay: float = 0.99
    # the share of each step's rehearsal texts chosen among ``hard_pool`` times as many for
    # holding a new-type entity by the current weights (``Learner._rehearsal_texts``)
    hard: float = 0.5
    hard_pool: int = 4
    # the share of the ``replay`` documents drawn among the earlier ones that hold a new-type
    # span (class-balanced replay: once most documents accepted hold none, as when model order
    # has found the rare type's documents, the new type is still replayed). Measured (``nergui
    # bench active --strategies model --docs 500``, fashion data): model order's F at
    # 250/300/350/400/450 documents 0.623/0.625/0.631/0.630/0.631 without, 0.603/0.612/0.625/
    # 0.641/0.634 with 0.5, and 0.609 -> 0.629 at 500 (recall at 400: 0.500 -> 0.534, precision
    # 0.850 -> 0.804)
    replay_new: float = 0.5
    # the rehearsal texts of each step are the slider's ratio times this times the step's
    # documents. 1 in the app. More protects the original's entities early at a cost in F,
    # measured (``nergui bench active --strategies model,random --seeds 2 --docs 100
    # --no-full --no-teach --rehearsal-scale S``; see the README): only 8 holds retention
    # 0.97 from 25 documents, at F 0.298 against 0.429 there in model order, 0.085 against
    # 0.402 in random order (seed 2)
    rehearsal_scale: float = 1.0


def default_train_settings(*, own_texts: bool = True) -> TrainSettings:
    """The trainer's settings as the learner uses them: the rehearsal text marked "ents" when
    it includes the project's own to-do documents (text of the user's domain, which holds the
    new types), all "o" when it is only a file's texts (another domain: no new-type entity)."""
    return TrainSettings(rehearsal_marking="ents" if own_texts else "o")


def _taught(record: Record, old_labels) -> set[str]:
    """The types a document teaches: its spans', and a new type's that it only rejects (binary
    decisions); a rejected prediction of the original's types teaches none."""
    return {s.label for s in record.spans} | {s.label for s in record.rejections if s.label not in set(old_labels)}


def doc_key(record: Record) -> str:
    """A document's key: its input hash, else a hash of its text."""
    return record.input_hash or hashlib.sha1(record.text.encode("utf8")).hexdigest()[:16]


@dataclass
class LearnResult:
    """What one ``learn`` did: the snapshot written (None if not asked), the steps made and
    the examples in them, the summed loss and the seconds (updates and snapshot)."""

    key: str
    snapshot: Path | None
    steps: int
    examples: int
    loss: float
    seconds: float


class Learner:
    """A warm pipeline learning the new types one accepted document at a time.

    Args:
        base: the original pipeline (not modified).
        records: the documents accepted so far (replayed with each new one).
        texts: rehearsal texts (unannotated).
        settings: the trainer's settings (strategy, marking, dropout, learning rate, the
            rehearsal ratio to start with); default ``default_train_settings()``.
        learn: ``LearnSettings``.
        labels: the types to learn (default: those of ``records``; a type first met in
            ``learn`` is added then).
        control: the rehearsal ratio, changed from another thread.
        snapshot_dir: where ``learn`` writes preview snapshots (None: it writes none).
        start: a saved version trained from ``base`` (the project's current model): the
            learner's new component starts from its ``ner_new`` weights, when it has one,
            instead of a copy of the original NER (``started_from_version`` says which).
        teacher, teacher_cache: a frozen copy of ``base`` that marks the rehearsal texts, and
            its entities per text, shared with other learners or trainers (as ``Trainer``'s:
            ``nergui bench active`` builds a learner per strategy on the same texts).
    """

    def __init__(self, base: Language, records: Sequence[Record] = (), texts: Sequence[str] = (), *,
                 settings: TrainSettings | None = None, learn: LearnSettings | None = None,
                 labels: Sequence[str] | None = None, control: Control | None = None,
                 snapshot_dir: str | Path | None = None, start: Language | None = None,
                 evaluation: EvaluationSample | None = None, evaluation_texts: Iterable[str] = (),
                 teacher: Language | None = None, teacher_cache: dict | None = None):
        started = time.perf_counter()
        # the project's evaluation sample is never learnt from, nor rehearsed (``learn`` skips it)
        self.evaluation, self.evaluation_texts = evaluation, frozenset(evaluation_texts)
        if evaluation is not None:
            records = [r for r in records if not self.in_evaluation(r)]
            texts = [t for t in texts if t not in self.evaluation_texts]
        self.settings = settings or default_train_settings()
        if self.settings.strategy != "new-component":  # the original NER stays frozen: always a new component
            self.settings = dataclasses.replace(self.settings, strategy="new-component")
        self.settings.validate()
        self.learn_settings = learn or LearnSettings()
        self.control = control or Control(self.settings.rehearsal)
        self.snapshot_dir = Path(snapshot_dir) if snapshot_dir is not None else None
        self.snapshots: list[Path] = []
        self.accepted: dict[str, Record] = {}  # by text: a document accepted again replaces itself
        for r in records:  # accepted documents, and those of binary decisions only (the review mode)
            if (r.state == "accepted" or r.binary) and len(r.text) <= base.max_length:
                self.accepted[r.text] = r
        found = sorted(set().union(*(_taught(r, ner_labels(base)) for r in self.accepted.values())))
        texts = [t for t in dict.fromkeys(texts) if len(t) <= base.max_length and t not in self.accepted]
        data = TrainData(train=list(self.accepted.values()), labels=list(labels) if labels else found,
                         old_labels=ner_labels(base), rehearsal=texts)
        self.trainer = Trainer(base, data, settings=self.settings, control=self.control, teacher=teacher,
                               teacher_cache=teacher_cache)
        _seed(self.learn_settings.seed)
        self.rng = random.Random(self.learn_settings.seed)
        self.nlp: Language | None = None
        self._ema: _Ema | None = None
        self.trainable: list[str] = []
        self.for_new = bool(ner_components(base))
        self.frozen: list[str] = []
        self.started_from_version = False
        # a base without a recognizer builds one initialised on accepted documents: with none
        # yet, the pipeline is built when the first document arrives
        if self.for_new or self.accepted:
            self._build()
            self.started_from_version = start is not None and self._start_from(start)
        self._carry = 0.0
        self._order: list[int] = []
        self._examples: dict[str, tuple[tuple, object]] = {}
        self.hard_found = 0  # rehearsal texts taken for a new-type entity the weights found in them
        self.learnt = 0
        self.skipped_evaluation = 0  # documents of the evaluation sample sent to ``learn`` and not learnt
        self.seconds_built = time.perf_counter() - started

    def _build(self) -> None:
        self.nlp, self.trainable = self.trainer._build()
        self.for_new = NEW_NAME in self.trainable
        self.frozen = [name for name in self.nlp.pipe_names if name not in self.trainable]
        self._new_optimizer()

    def _new_optimizer(self) -> None:
        """A fresh optimizer (and moving average) for the trained components' parameters."""
        self.optimizer = self.nlp.create_optimizer()
        if self.settings.learn_rate is not None:
            self.optimizer.learn_rate = self.settings.learn_rate
        self._examples = {}  # made for the pipeline (and labels) of before
        ls = self.learn_settings
        self._ema = _Ema([self.nlp.get_pipe(n).model for n in self.trainable], ls.ema_decay) if ls.average else None

    @classmethod
    def from_project(cls, project_path: str | Path, *, raw_file: str | None = None, project_raw: bool = True,
                     from_current: bool = True, **kwargs) -> "Learner":
        """A learner on a project: its base pipeline, accepted documents and unannotated texts
        (and ``raw_file``'s; only those with ``project_raw=False``), as a training run reads
        them; with ``from_current``, starting from the current saved version's new component."""
        from ..errors import Msg, NerguiError, PipelineError
        from .pipeline import ModelStore, load_pipeline
        from .decisions import binary_records
        from .store import Filter, Project
        from .workflow import read_texts

        project = Project.open(project_path)
        try:
            spec = project.base_pipeline
            if not spec:
                raise PipelineError(Msg.BASE_MISSING.format(path=project.path))
            binary = binary_records(project)
            records = list(project.records(Filter(state="accepted"))) + binary
            decided = {r.text for r in binary}  # the user's answers are never rehearsal text
            todo = [r for r in project.records(Filter(state="todo")) if r.text not in decided] \
                if project_raw or not raw_file else []
            texts = [r.text for r in todo]
            current = ModelStore(project.models_dir).current_path() if from_current else None
            sample = EvaluationSample.from_project(project)
            if sample is not None:
                kwargs.update(evaluation=sample, evaluation_texts=[r.text for r in records + todo if sample.holds(r)])
        finally:
            project.close()
        if raw_file:
            texts += read_texts(raw_file)
        start = None
        if current is not None:
            try:
                start = load_pipeline(current)
            except NerguiError:
                start = None  # an unreadable version: start from the original
        return cls(load_pipeline(spec), records, texts, start=start, **kwargs)

    def _start_from(self, version: Language) -> bool:
        """Take ``version``'s new component (or, on a base without a recognizer, its own
        recognizer) as the one to train; False (nothing changed) if it has none or it does
        not fit."""
        name = NEW_NAME if self.for_new else (self.trainable[0] if self.trainable else "")
        if name not in version.pipe_names:
            return False
        saved = version.get_pipe(name)
        own = self.nlp.get_pipe(name)
        before = own.to_bytes(exclude=["vocab"])
        for label in saved.labels:
            self.nlp.vocab.strings.add(label)
        try:
            own.from_bytes(saved.to_bytes(exclude=["vocab"]), exclude=["vocab"])
        except Exception:
            own.from_bytes(before, exclude=["vocab"])
            return False
        # the actions spaCy has not seen trained are scored lowest in prediction; that set is not
        # in the bytes: the version's, or this copy would never predict the types it was built with
        own.model.attrs["unseen_classes"] = set(saved.model.attrs.get("unseen_classes", ()))
        old = set(self.trainer.old_labels)
        extra = [label for label in saved.labels if label not in old and label not in self.labels]
        missing = [label for label in self.labels if label not in saved.labels]
        self.trainer.data.labels = self.trainer.data.labels + extra
        for label in missing:
            own.add_label(label)
        for name in ner_components(self.nlp):
            if name not in self.trainable:
                _mute_labels(self.nlp.get_pipe(name), self.labels)
        for name in self.trainable:  # a version saved without the key brought its own cfg
            give_incorrect_key(self.nlp, name)
        self._new_optimizer()
        return True

    # ---- what it knows ----------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        return self.trainer.labels

    @property
    def n_rehearsal(self) -> int:
        return len(self.trainer.data.rehearsal)

    def original_bytes(self) -> dict[str, bytes]:
        """The frozen recognizers' bytes in the working pipeline, without the vocab they share
        (every new text adds its words to it): weights, moves and settings, which ``learn``
        never changes."""
        if self.nlp is None:
            return {}
        return {name: self.nlp.get_pipe(name).to_bytes(exclude=["vocab"]) for name in ner_components(self.nlp)
                if name not in self.trainable}

    # ---- learning ---------------------------------------------------------------------------
    def _replay_sample(self, earlier: list[Record]) -> list[Record]:
        """``replay`` of the ``earlier`` documents at random, ``replay_new`` of them among those
        holding a new-type span (as many as there are)."""
        ls = self.learn_settings
        k = min(ls.replay, len(earlier))
        if not ls.replay_new or not k:
            return self.rng.sample(earlier, k)
        new = set(self.labels) - set(self.trainer.old_labels) or set(self.labels)
        holding = [i for i, r in enumerate(earlier) if any(sp.label in new for sp in r.spans)]
        chosen = self.rng.sample(holding, min(len(holding), round(ls.replay_new * k)))
        taken = set(chosen)
        chosen += self.rng.sample([i for i in range(len(earlier)) if i not in taken], k - len(chosen))
        return [earlier[i] for i in chosen]

    def learn(self, record: Record, *, snapshot: bool = True) -> LearnResult:
        """Learn one accepted (or corrected) document: ``steps`` updates of the new component
        on it, ``replay`` earlier accepted documents and rehearsal texts at the current ratio;
        then, with ``snapshot`` and a ``snapshot_dir``, write a preview snapshot."""
        started = time.perf_counter()
        if self.in_evaluation(record):  # the evaluation sample: never learnt from
            self.skipped_evaluation += 1
            return LearnResult(doc_key(record), None, 0, 0, 0.0, time.perf_counter() - started)
        s, ls = self.settings, self.learn_settings
        if self.nlp is None:  # the first document of a project whose base has no recognizer
            self.trainer.data.train = [record]
            self.trainer.data.labels = sorted(_taught(record, self.trainer.old_labels) | set(self.labels))
            self._build()
        self._add_labels(sorted(_taught(record, self.trainer.old_labels) - set(self.labels)))
        earlier = [r for text, r in self.accepted.items() if text != record.text]
        this = self._example(record)
        loss, examples = 0.0, 0
        for _ in range(ls.steps):
            replay = self._replay_sample(earlier)
            batch = [this] + [self._example(r) for r in replay]
            batch += [self.trainer._rehearsal_example(self.nlp, t, for_new=self.for_new)
                      for t in self._rehearsal_texts(len(batch))]
            losses: dict[str, float] = {}
            self.nlp.update(batch, sgd=self.optimizer, drop=s.dropout, losses=losses, exclude=self.frozen)
            if self._ema is not None:
                self._ema.update()
            loss += sum(losses.values())
            examples += len(batch)
        self.accepted.pop(record.text, None)
        self.accepted[record.text] = record
        self.trainer.data.train = list(self.accepted.values())
        self.trainer.data_changed()  # the types the new ones are found as, the words said to be them
        self.learnt += 1
        path = self.write_snapshot() if snapshot else None
        return LearnResult(doc_key(record), path, ls.steps, examples, float(loss), time.perf_counter() - started)

    def in_evaluation(self, record: Record) -> bool:
        """Whether ``record`` is in the project's evaluation sample (by its input hash, or its text)."""
        return self.evaluation is not None and (self.evaluation.holds(record) or record.text in self.evaluation_texts)

    def _example(self, record: Record):
        """The record as the trainer marks it, made once per text, spans and rejections (replayed often)."""
        key = (tuple((sp.start, sp.end, sp.label) for sp in record.spans),
               tuple((sp.start, sp.end, sp.label) for sp in record.rejections), record.binary)
        made = self._examples.get(record.text)
        if made is None or made[0] != key:
            made = (key, self.trainer._example(self.nlp, record, for_new=self.for_new))
            self._examples[record.text] = made
        return made[1]

    def _rehearsal_texts(self, n_docs: int) -> list[str]:
        """The ratio (times ``rehearsal_scale``) times ``n_docs`` rehearsal texts, the fractions
        carried over, in a shuffled order used up before it repeats (as
        ``training.mixed_batches`` draws them).

        With ``LearnSettings.hard``, that share of them is chosen among ``hard_pool`` times
        as many candidates: those in which the current weights find an entity of the new
        types (rehearsal text holds none: each is a mistake the original would not make,
        and on such text the new component's entity takes the original's place); the
        candidates not taken come next."""
        texts = self.trainer.data.rehearsal
        if not texts:
            return []
        ls = self.learn_settings
        self._carry += self.control.rehearsal * ls.rehearsal_scale * n_docs
        n = int(self._carry)
        self._carry -= n
        hard = int(round(ls.hard * n)) if self.for_new and ls.hard > 0 else 0
        drawn = self._draw(n + hard * (max(1, ls.hard_pool) - 1), len(texts))
        if drawn and texts[drawn[-1]] not in self.trainer.teacher_cache:
            # the original's entities on these and the next texts, in one batch (one text at a
            # time costs twice the time)
            self.trainer._teacher_ents([texts[i] for i in drawn] + [texts[i] for i in self._order[-PREFETCH:]])
        if hard and len(drawn) > n:
            found = self._new_type_found([texts[i] for i in drawn])
            first = [i for i, f in zip(drawn, found) if f][:hard]
            rest = [i for i in drawn if i not in set(first)]
            drawn, unused = first + rest[: n - len(first)], rest[n - len(first):]
            self._order.extend(reversed(unused))  # drawn next
            self.hard_found += len(first)
        return [texts[i] for i in drawn]

    def _draw(self, n: int, size: int) -> list[int]:
        """The next ``n`` rehearsal texts' indices in the shuffled order, none accepted since."""
        texts = self.trainer.data.rehearsal
        out: list[int] = []
        tries = 0
        while len(out) < n and tries < n + size:
            if not self._order:
                self._order = list(range(size))
                self.rng.shuffle(self._order)
            i = self._order.pop()
            tries += 1
            if texts[i] not in self.accepted:  # accepted since the learner was built: learnt as annotated
                out.append(i)
        return out

    def _new_type_found(self, texts: list[str]) -> list[bool]:
        """Whether the trained component alone (current weights) marks a new-type entity in each text."""
        new = set(self.labels) - set(self.trainer.old_labels)
        with self.nlp.select_pipes(enable=self.trainable):
            return [any(e.label_ in new for e in doc.ents) for doc in self.nlp.pipe(texts, batch_size=64)]

    def _add_labels(self, labels: list[str]) -> None:
        """A type first met now: the trained component learns it, the frozen ones never predict it."""
        if not labels:
            return
        self.trainer.data.labels = self.trainer.data.labels + labels
        for name in self.trainable:
            for label in labels:
                self.nlp.get_pipe(name).add_label(label)
        for name in ner_components(self.nlp):
            if name not in self.trainable:
                _mute_labels(self.nlp.get_pipe(name), labels)
        self._new_optimizer()  # the resized output layer has new parameters

    def write_snapshot(self) -> Path | None:
        """Write the weights so far for the previewer; keep the last few snapshots."""
        if self.snapshot_dir is None or self.nlp is None:
            return None
        from .snapshot import write_ner_snapshot

        path = self.snapshot_dir / f"l{self.learnt:05d}"
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        if path.exists():
            shutil.rmtree(path, ignore_errors=True)
        with self.predicting() as nlp:
            write_ner_snapshot(nlp, path)
        self.snapshots.append(path)
        for old in self.snapshots[:-KEEP_SNAPSHOTS]:
            shutil.rmtree(old, ignore_errors=True)
        self.snapshots = self.snapshots[-KEEP_SNAPSHOTS:]
        return path

    @contextmanager
    def predicting(self) -> Iterator[Language | None]:
        """Inside, ``self.nlp`` holds the weights the preview shows (the moving average with
        ``LearnSettings.average``, else the last step's). Use it from the learner's thread,
        between ``learn`` calls."""
        if self.nlp is None or self._ema is None or not self._ema.steps:
            yield self.nlp
            return
        with self.nlp.use_params(self._ema.params):
            yield self.nlp

    def pipeline(self) -> Language:
        """An independent copy of the working pipeline with the weights the preview shows
        (for scoring; the learner keeps its own)."""
        with self.predicting() as nlp:
            return clone(nlp)

    def describe(self) -> dict:
        return {"documents": len(self.accepted), "rehearsal_texts": self.n_rehearsal, "labels": list(self.labels),
                "strategy": "new-component" if self.for_new else "own recognizer",
                "learn": dataclasses.asdict(self.learn_settings), "rehearsal": self.control.rehearsal,
                "started_from_version": self.started_from_version}
