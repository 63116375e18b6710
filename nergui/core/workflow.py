"""The user-level operations shared by the CLI and the GUI: import, export, train, evaluate.

Each function takes plain arguments, raises ``NerguiError`` subclasses with complete
messages, and leaves the project unchanged on failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import srsly

from ..errors import InputError, Msg, NerguiError, PipelineError, TrainingError, detail as error_detail
from . import crossval, evaluation_sample, formats
from .evaluation_sample import EvaluationSample
from .events import CrossValProgress
from .pipeline import ModelStore, ModelVersion, clone, load_pipeline, ner_labels
from .holdout import retention_split
from .records import ImportReport, Problem, Record, Span
from .backends import is_url
from .store import Filter, Project
from .train_data import Scorer, TrainData, split_data
from .training import Control, Progress, Trainer, TrainSettings

DEFAULT_BASE = "blank:en"


def open_or_create(path: str | os.PathLike) -> Project:
    """The project at a folder or a database URL, made if there is none."""
    if is_url(path):
        return Project.create(path)
    path = Path(path)
    return Project.open(path) if (path / "nergui.sqlite").exists() else Project.create(path)


def import_file(project: Project, file: str | os.PathLike, *, fmt: str | None = None, partial: bool = False,
                base: str | None = None, columns: tuple[int, int] | None = None,
                text_key: str | None = None, encoding: str | None = None) -> ImportReport:
    """Import a file into the project in one transaction.

    The format is told from the content unless ``fmt`` is given; ``columns`` (0-based token
    and tag column) overrides the columns found in a column file; ``text_key`` names the field
    of a Label Studio task's "data" (or the CSV column) that holds the text; ``encoding`` is
    how a text file is decoded (default UTF-8). The report says how the
    file was read (``detected``) and what the reader assumed (``notes``).
    Spans are checked against the project pipeline's tokenizer: aligned spans get their
    token offsets; misaligned ones are kept and reported with a proposed fix.
    """
    base_nlp = load_pipeline(base) if base else None  # fail early on a bad name, before anything is written
    detection = formats.detect(Path(file), encoding=encoding) if fmt is None else formats.described(fmt)
    options = formats.reader_options(file, detection, columns=columns, text_key=text_key, encoding=encoding)
    wording = formats.encoding_name(encoding)
    notes: list[str] = [f"decoded as {wording}"] if wording != formats.encoding_name(None) else []
    items = formats.read(Path(file), detection.fmt, notes=notes, **options)
    tokenizer = _Tokenizer(project, base_nlp.tokenizer if base_nlp is not None else None)
    warnings: list[Problem] = []

    def checked() -> Iterator[Record | Problem]:
        for item in items:
            if isinstance(item, Record) and item.spans:
                item.spans, found = tokenizer.align(item, str(file))
                warnings.extend(found)
            yield item

    report = project.import_records(checked(), path=str(file), partial=partial)
    report.detected = detection.detected
    report.notes = notes
    report.warnings = warnings if report.committed else []
    if base and report.committed:  # with the documents only: a refused import leaves the project as it was
        project.set_setting("base_pipeline", base)
    return report


class _Tokenizer:
    """The project's tokenizer, loaded on first use (only documents with spans need it)."""

    def __init__(self, project: Project, tokenizer=None):
        self.project = project
        self._tok = tokenizer

    def align(self, record: Record, path: str) -> tuple[list[Span], list[Problem]]:
        from .text import TokenIndex, find_misaligned

        if self._tok is None:
            spec = self.project.base_pipeline or DEFAULT_BASE
            self._tok = load_pipeline(spec).tokenizer
        index = TokenIndex.from_text(record.text, self._tok)
        out = []
        for span in record.spans:
            tokens = index.token_span(span.start, span.end)
            if tokens is not None:
                span = Span(span.start, span.end, span.label, span.source, tokens[0], tokens[1])
            out.append(span)
        problems = [Problem(path, record.line, m.message) for m in find_misaligned(record.text, record.spans, index)]
        return out, problems


def export_project(project: Project, dest: str | os.PathLike, *, fmt: str, state: str | None = "accepted",
                   flt: Filter | None = None, notes: list[str] | None = None) -> int:
    """Export documents (default: accepted ones; ``flt``: those it selects, e.g. the document
    list's filter) or, with ``fmt="pipeline"``, the current model.

    Documents holding binary decisions only (the review mode, ``nergui.core.decisions``) are
    never written as annotated documents: to Prodigy JSONL they go as one line per decision
    with its ``answer`` (with the accepted documents too); the other formats cannot say which
    tokens are unknown, so they are left out (``notes`` gets how many)."""
    dest = Path(dest)
    if fmt == "pipeline":
        current = ModelStore(project.models_dir).current_path()
        if current is None:
            raise PipelineError(Msg.NO_CURRENT_MODEL.format(path=project.path))
        # replace an earlier export (or an empty folder), never anything else the user keeps there
        if dest.exists() and not (dest.is_dir() and ((dest / "config.cfg").exists() or not any(dest.iterdir()))):
            raise NerguiError(Msg.EXPORT_TARGET_TAKEN.format(path=dest))
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
            try:
                shutil.copytree(current, tmp / "model")
                (tmp / "model" / "nergui.json").unlink(missing_ok=True)
                old = tmp / "old" if dest.exists() else None
                if old is not None:
                    os.replace(dest, old)
                try:
                    os.replace(tmp / "model", dest)
                except OSError:
                    if old is not None:
                        os.replace(old, dest)
                    raise
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError as err:
            raise NerguiError(Msg.WRITE_FAILED.format(path=dest, detail=err.strerror or err)) from err
        return 1
    records = _with_decisions(project, list(project.records(flt if flt is not None else Filter(state=state)
                                                           if state else None)), fmt=fmt, accepted=state == "accepted"
                              and flt is None, notes=notes)
    labels = project.label_names()
    if fmt == "docbin":
        from .formats import docbin

        nlp = load_pipeline(project.base_pipeline or DEFAULT_BASE)
        return docbin.write_training_bundle(dest, records, labels, lang=nlp.lang, nlp=nlp)["train"]
    if fmt not in formats.WRITE_FORMATS:
        raise InputError(Msg.UNKNOWN_EXPORT.format(fmt=fmt, formats=", ".join((*formats.WRITE_FORMATS, "pipeline"))))
    return formats.write(dest, records, fmt, labels=labels)


def _with_decisions(project: Project, records: list[Record], *, fmt: str, accepted: bool,
                    notes: list[str] | None) -> list[Record]:
    """The records to export with documents of binary decisions only handled (see ``export_project``)."""
    from .decisions import binary_records

    binary = {r.line: r for r in binary_records(project)}
    if not binary:
        return records
    if fmt != "prodigy":
        kept = [r for r in records if r.line not in binary]
        if len(kept) < len(records) and notes is not None:
            notes.append(Msg.TEACH_EXPORT_SKIPPED.format(n=len(records) - len(kept), fmt=fmt))
        return kept
    out = [binary.pop(r.line, r) for r in records]
    return out + list(binary.values()) if accepted else out


def read_records(path: str | os.PathLike, *, fmt: str | None = None) -> list[Record]:
    """Every record of an annotated file (an eval file); any problem is an InputError."""
    path = Path(path)
    records, problems = [], []
    for item in formats.read(path, fmt or formats.detect_format(path)):
        (problems if isinstance(item, Problem) else records).append(item)
    if problems:
        raise InputError(Msg.PROBLEMS_FOUND.format(path=path, count=len(problems), first=problems[0]), problems)
    return [r for r in records if r.state != "rejected"]


def read_texts(path: str | os.PathLike, *, limit: int | None = None) -> list[str]:
    """Raw texts from any importable file (spans are ignored)."""
    path = Path(path)
    texts = []
    for item in formats.read(path, formats.detect_format(path)):
        if isinstance(item, Record):
            texts.append(item.text)
            if limit and len(texts) >= limit:
                break
    return texts


@dataclass
class TrainJob:
    """A prepared training run: iterate ``run()``, then ``finish()`` to save (or not)."""

    project_path: Path
    trainer: Trainer
    base_spec: str
    settings: TrainSettings
    run_id: int | None = None
    started: float = field(default_factory=time.time)
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> TrainData:
        return self.trainer.data

    def run(self) -> Iterator[Progress]:
        yield from self.trainer.run()

    def evaluate(self) -> dict[str, Any]:
        """Final scores of the trained model: the run's scorer (per-label F on its dev records,
        retention on its held-out texts, with the counts scored) and the original's per-label
        F on the same records (``before``)."""
        tr = self.trainer
        out: dict[str, Any] = {"labels": tr.labels, "strategy": self.settings.strategy, **tr.scorer(tr.nlp)}
        if tr.data.dev:
            out["before"] = tr.scorer.before()
            out["dev_source"] = tr.data.dev_source
        out.update(evaluation_sample.figures(tr.data, tr.nlp, tr.teacher, out))  # the sample never trained on
        out["seconds"] = time.time() - self.started
        self.result = out
        return out

    def cross_validate(self) -> Iterator[CrossValProgress]:
        """Cross-validate the new types when the run has nothing held out to score them on
        (``nergui.core.crossval``), yielding its progress; its figures (``cv_per_type``, ...)
        join ``result``. Call after ``evaluate``. Yields nothing when not wanted."""
        tr = self.trainer
        if not self.settings.cross_validate or not crossval.wanted(tr.data) or tr.nlp is None:
            return
        cv = crossval.CrossValidation(tr.base, tr.data, settings=self.settings, teacher=tr.teacher,
                                      control=tr.control, teacher_cache=tr.teacher_cache,
                                      trained_seconds=tr.seconds)
        yield from cv.run()
        self.result.update(cv.result)

    def finish(self, *, keep: bool = True) -> ModelVersion | None:
        """Save the trained pipeline as a new current version (``keep``) and record the run."""
        project = Project.open(self.project_path)
        try:
            version = None
            if keep and self.trainer.nlp is not None:
                nlp = self.trainer.nlp
                nlp.meta["name"] = (nlp.meta.get("name") or "model") + "_nergui"
                nlp.meta["performance"] = {k: v for k, v in self.result.items() if k in ("ents_f", "ents_p", "ents_r", "retention")}
                try:
                    version = ModelStore(project.models_dir).save(nlp, {
                        "base": self.base_spec, "settings": self.settings.to_dict(), "metrics": self.result,
                        "run": self.run_id,
                    })
                except NerguiError:
                    raise
                except Exception as err:  # disk full, read-only: the last saved model stays current
                    message = Msg.TRAIN_SAVE_FAILED.format(detail=error_detail(err))
                    if self.run_id is not None:
                        project.finish_run(self.run_id, status="failed", metrics={"error": message})
                    raise TrainingError(message) from err
            if self.run_id is not None:
                project.finish_run(self.run_id, status="kept" if version else "discarded", metrics=self.result,
                                   model_version=version.name if version else None)
            return version
        finally:
            project.close()

    def fail(self, message: str) -> None:
        if self.run_id is not None:
            record_run_end(self.project_path, self.run_id, "failed", message)


def record_run_end(project_path, run_id: int, status: str, message: str) -> None:
    """Mark a training run as ended in the project's run log (its own connection); never raises."""
    try:
        with Project.open(project_path) as project:
            project.finish_run(run_id, status=status, metrics={"error": message})
    except Exception:
        pass


def prepare_training(project: Project, *, base: str | None = None, labels: Sequence[str] | None = None,
                     settings: TrainSettings | None = None, raw_file: str | None = None,
                     eval_file: str | None = None, hold_out: bool = False, retention_limit: int = 300,
                     project_raw: bool = True, control: Control | None = None) -> TrainJob:
    """Load the base pipeline, collect annotations and rehearsal text, split them once
    (``split_data``) and build a Trainer.

    Every run starts from the base (original) pipeline and learns all accepted annotations,
    so drift never compounds across runs; the frozen teacher is a copy of that base.
    Unannotated text is the project's unannotated documents plus ``raw_file``'s texts, or only
    the file's with ``project_raw=False``. ``control``: the caller's hold on the rehearsal
    ratio and cancel, which the trainer reads before each batch. Per-label F is scored on ``eval_file``'s records,
    else (``hold_out``, or early stopping) on a fixed share of the accepted documents.
    """
    settings = settings or TrainSettings()
    settings.validate()
    spec = base or project.base_pipeline
    if not spec:
        raise PipelineError(Msg.BASE_MISSING.format(path=project.path))
    if not os.access(project.models_dir if project.models_dir.exists() else project.path, os.W_OK):
        raise TrainingError(Msg.MODELS_READ_ONLY.format(path=project.models_dir))  # before the run, not after
    nlp = load_pipeline(spec)
    if base and base != project.base_pipeline:
        project.set_setting("base_pipeline", base)
    from .decisions import binary_records

    binary = binary_records(project)  # documents of review-mode decisions only (their other tokens unknown)
    train = [r for r in project.records(Filter(state="accepted"))] + binary
    if labels:
        train = [Record(r.text, [s for s in r.spans if s.label in labels], r.state, r.meta, r.input_hash, r.line,
                        rejections=[s for s in r.rejections if s.label in labels], binary=r.binary) for r in train]
    if not any(r.spans for r in train):
        raise TrainingError(Msg.NO_ANNOTATIONS.format(path=project.path))
    held = EvaluationSample.from_project(project)  # never trained on, nor rehearsed
    decided = {r.text for r in binary}  # never rehearsal text: it holds the user's answers
    raw: list[str] = ([r.text for r in project.records(Filter(state="todo"))
                       if r.text not in decided and (held is None or not held.holds(r))]
                      if project_raw or not raw_file else [])
    if raw_file:
        raw += read_texts(raw_file)
    data = split_data(nlp, train, raw, settings=settings, labels=labels, hold_out=hold_out,
                      eval_records=read_records(eval_file) if eval_file else None, retention_limit=retention_limit,
                      evaluation=held)
    trainer = Trainer(nlp, data, settings=settings, teacher=clone(nlp), control=control)
    run_id = project.start_run({"base": spec, **settings.to_dict(), "raw_file": raw_file, "eval_file": eval_file})
    return TrainJob(project.path, trainer, spec, settings, run_id=run_id)


def evaluate_project(project: Project, eval_file: str, *, raw_file: str | None = None) -> dict[str, Any]:
    """Scores of the current model on an eval file (and retention, given raw text), by the
    same scorer as a run: retention on the texts training holds out of that file."""
    store = ModelStore(project.models_dir)
    nlp = store.load_current()
    if nlp is None:
        raise PipelineError(Msg.NO_CURRENT_MODEL.format(path=project.path))
    records = read_records(eval_file)
    labels = sorted({s.label for r in records for s in r.spans}) or project.label_names()
    base = load_pipeline(project.base_pipeline) if raw_file and project.base_pipeline else None
    texts = retention_split(read_texts(raw_file))[1] if base is not None else []
    data = TrainData(train=[], labels=labels, old_labels=ner_labels(base) if base is not None else [],
                     dev=records, dev_source="eval file", retention=texts)
    out = Scorer(data, base if base is not None else nlp)(nlp)
    out.pop("joint", None)
    if base is not None:
        out.setdefault("retention_texts", 0)
    return out


__all__ = ["import_file", "export_project", "prepare_training", "evaluate_project", "open_or_create",
           "read_records", "read_texts", "TrainJob", "NerguiError"]
