"""spaCy DocBin (.spacy) files, and the training bundle for ``python -m spacy train``.

Reading never unpickles: a DocBin is zlib-compressed msgpack. Records read from a DocBin
are "accepted", with ``doc.ents`` as spans and ``line`` the 1-based position of the doc.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
import srsly
from spacy.tokens import Doc, DocBin

from ...errors import Msg, NerguiError, TrainingError
from ..pipeline import gc_kept_on
from ..records import Problem, Record, Span
from ._common import atomic_write, fail, keep_labels, validate_spans, write_lines

log = logging.getLogger(__name__)

META_KEY = "nergui_meta"  # doc.user_data keys written by write() and read back by read()
HASH_KEY = "nergui_input_hash"


@lru_cache(maxsize=4)
def default_nlp(lang: str = "en") -> Any:
    """A blank pipeline used only for its tokenizer."""
    return spacy.blank(lang)


def aligned_ents(doc: Doc, spans: Iterable[Span]) -> list[Any]:
    """spaCy spans for ``spans``, widened to token boundaries (``alignment_mode="expand"``).

    A span that covers no token, or that overlaps an earlier one once widened, is left
    out and logged: a DocBin cannot hold overlapping entities.
    """
    ents: list[Any] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        ent = doc.char_span(span.start, span.end, label=span.label, alignment_mode="expand")
        if ent is None or len(ent) == 0:
            log.warning("span [%d, %d) %s covers no token; left out", span.start, span.end, span.label)
            continue
        if ents and ent.start < ents[-1].end:
            log.warning(
                "span [%d, %d) %s overlaps [%d, %d) %s once widened to whole tokens; left out",
                span.start, span.end, span.label, ents[-1].start_char, ents[-1].end_char, ents[-1].label_,
            )
            continue
        ents.append(ent)
    return ents


def _detail(err: BaseException) -> str:
    if isinstance(err, KeyError):
        return f"no {err} field"
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if len(text) > 120 and ". " in text:  # spaCy's E1014 goes on about v2 JSON: keep its first sentence
        text = text[: text.index(". ") + 1]
    return (text[:200] or type(err).__name__)


def read(
    path: Path, shown: str | None = None, *, vocab: Any = None, nlp: Any = None, **options: Any
) -> Iterator[Record | Problem]:
    """Yield a Record per doc. A file that is not a DocBin raises InputError(Msg.DOCBIN_CORRUPT).

    ``vocab`` (or ``nlp.vocab``) is used to rebuild the docs; default: ``spacy.blank("xx")``'s.
    """
    shown = str(path) if shown is None else shown
    if vocab is None:
        vocab = nlp.vocab if nlp is not None else spacy.blank("xx").vocab
    try:
        with gc_kept_on():
            doc_bin = DocBin().from_disk(Path(path))
    except Exception as err:  # noqa: BLE001 - anything from zlib, msgpack or numpy
        raise fail(shown, None, Msg.DOCBIN_CORRUPT, detail=_detail(err)) from None
    docs = doc_bin.get_docs(vocab)
    number = 0
    while True:
        try:
            with gc_kept_on():
                doc = next(docs)
            raw = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents]
            text = doc.text
            user_data = dict(doc.user_data)
        except StopIteration:
            return
        except Exception as err:  # noqa: BLE001
            raise fail(shown, None, Msg.DOCBIN_CORRUPT, detail=_detail(err)) from None
        number += 1
        spans, problems = validate_spans(shown, number, text, raw)
        if problems:
            yield from problems
            continue
        meta: dict[str, Any] = {}
        if isinstance(user_data.get(META_KEY), str):
            try:
                loaded = srsly.json_loads(user_data[META_KEY])
                meta = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                meta = {}
        input_hash = user_data.get(HASH_KEY)
        yield Record(
            text=text,
            spans=spans,
            state="accepted",
            meta=meta,
            input_hash=input_hash if isinstance(input_hash, str) else None,
            line=number,
        )


def make_docs(records: Iterable[Record], labels: Iterable[str], nlp: Any, *, user_data: bool) -> Iterator[Doc]:
    wanted = list(labels)
    for record in records:
        doc = nlp.tokenizer(record.text)  # not make_doc: no nlp.max_length limit, nothing is predicted
        doc.set_ents(aligned_ents(doc, keep_labels(record.spans, wanted)), default="outside")
        if user_data:
            doc.user_data[META_KEY] = srsly.json_dumps(record.meta or {})
            if record.input_hash is not None:
                doc.user_data[HASH_KEY] = record.input_hash
        yield doc


def _save(path: Path, docs: Iterable[Doc], *, user_data: bool) -> int:
    doc_bin = DocBin(store_user_data=user_data)
    for doc in docs:
        doc_bin.add(doc)

    def produce(tmp: Path) -> int:
        doc_bin.to_disk(tmp)
        return len(doc_bin)

    return atomic_write(path, produce)


def write(
    path: Path, records: Iterable[Record], *, labels: Iterable[str], nlp: Any = None, **options: Any
) -> int:
    """Write a DocBin: texts tokenised by ``nlp`` (default ``spacy.blank("en")``), spans widened to
    token boundaries as ``doc.ents``; other tokens are "outside" (O). Spans whose label is not
    in ``labels`` are left out. Meta and input hash are kept in ``doc.user_data``."""
    nlp = nlp or default_nlp()
    return _save(Path(path), make_docs(records, labels, nlp, user_data=True), user_data=True)


README = """\
Training data exported by nergui
================================

train.spacy   {n_train} documents for training
dev.spacy     {n_dev} documents for evaluation
config.cfg    made by spaCy's own `init config` (lang={lang}, pipeline=ner, optimize=efficiency)
labels        {labels}

config.cfg refers to the data as the RELATIVE paths train.spacy and dev.spacy,
so run spaCy from this folder:

    cd {folder_name}
    python -m spacy train config.cfg --output ./output

From any other folder, pass the paths explicitly:

    python -m spacy train {folder_name}/config.cfg --paths.train {folder_name}/train.spacy \\
        --paths.dev {folder_name}/dev.spacy --output {folder_name}/output

The trained pipeline is written to output/model-best and output/model-last.
Entities that were not annotated are treated as "not an entity" (O).
"""


def split(records: list[Record], eval_fraction: float, seed: int) -> tuple[list[Record], list[Record]]:
    """Shuffle with ``seed`` and hold out ``eval_fraction`` for dev (at least one document,
    and at least one left for training). A single document is used for both."""
    if not 0 <= eval_fraction < 1:
        raise ValueError(f"eval_fraction must be in [0, 1), got {eval_fraction}")
    order = list(range(len(records)))
    random.Random(seed).shuffle(order)
    if len(records) == 1 or eval_fraction == 0:
        return list(records), list(records)
    n_dev = min(max(1, round(len(records) * eval_fraction)), len(records) - 1)
    dev = [records[i] for i in sorted(order[:n_dev])]
    train = [records[i] for i in sorted(order[n_dev:])]
    return train, dev


def write_training_bundle(
    folder: Path,
    records: Iterable[Record],
    labels: Iterable[str],
    *,
    lang: str = "en",
    eval_fraction: float = 0.2,
    seed: int = 0,
    nlp: Any = None,
) -> dict[str, Any]:
    """Write ``folder``/train.spacy, dev.spacy, config.cfg and README.txt.

    config.cfg comes from ``spacy.cli.init_config.init_config(lang=lang, pipeline=["ner"],
    optimize="efficiency")`` with ``paths.train = "train.spacy"`` and ``paths.dev = "dev.spacy"``
    (relative: run ``python -m spacy train config.cfg`` from ``folder``, or pass ``--paths.*``).
    Every record given is used (pass only accepted ones). With ``eval_fraction == 0`` or a
    single record the dev set repeats the training set.

    Returns ``{"train": n_train, "dev": n_dev, "folder", "train_path", "dev_path", "config",
    "readme": Path, "labels": list}`` (the two counts are numbers of documents).
    Raises TrainingError(Msg.NO_ANNOTATIONS) if there are no records.
    """
    from spacy.cli.init_config import init_config

    folder = Path(folder)
    records = list(records)
    labels = list(labels)
    if not records:
        raise TrainingError(Msg.NO_ANNOTATIONS.format(path=folder))
    train, dev = split(records, eval_fraction, seed)
    nlp = nlp or default_nlp(lang)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise NerguiError(Msg.WRITE_FAILED.format(path=folder, detail=err.strerror or err)) from err
    paths = {name: folder / f"{name}.spacy" for name in ("train", "dev")}
    n_train = _save(paths["train"], make_docs(train, labels, nlp, user_data=False), user_data=False)
    n_dev = _save(paths["dev"], make_docs(dev, labels, nlp, user_data=False), user_data=False)
    config = init_config(lang=lang, pipeline=["ner"], optimize="efficiency", silent=True)
    config["paths"]["train"] = "train.spacy"
    config["paths"]["dev"] = "dev.spacy"
    config_path = folder / "config.cfg"
    text = config.to_str()
    write_lines(config_path, text.splitlines())
    readme = folder / "README.txt"
    write_lines(readme, README.format(
        n_train=n_train, n_dev=n_dev, lang=lang, labels=", ".join(labels) or "(none)",
        folder_name=folder.name,
    ).splitlines())
    return {
        "train": n_train,
        "dev": n_dev,
        "folder": folder,
        "train_path": paths["train"],
        "dev_path": paths["dev"],
        "config": config_path,
        "readme": readme,
        "labels": labels,
    }
