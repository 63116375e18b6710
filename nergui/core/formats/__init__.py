"""Reading and writing annotated documents in the formats other NER tools use.

    for item in read(path):              # format detected from the content (see detect.py)
        if isinstance(item, Problem): ...  # a bad document: file, line and what to do
        else: ...                          # a Record
    write(out, records, "prodigy", labels=["ORG", "PERSON"])

``read`` checks the path before it returns (raising InputError), then yields lazily; a
whole-file problem found while reading (not UTF-8, a corrupt DocBin) is raised as
InputError from the iteration. Writers replace the target atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError, Msg, NerguiError
from .. import format_names
from ..records import Problem, Record
from . import conll, csv_text, docbin, doccano, label_studio, prodigy, spacy_v2, text, train_json
from ._common import check_dir, check_exists, check_file, decoded, decoding, encoding_name
from .detect import DESCRIPTIONS, Detection, described, detect
from .docbin import write_training_bundle

READ_FORMATS = tuple(format_names.READ_FORMATS)
WRITE_FORMATS = ("prodigy", "docbin", "conll", "doccano")

_READERS: dict[str, Callable[..., Iterator[Record | Problem]]] = {
    "prodigy": prodigy.read,
    "docbin": docbin.read,
    "train_json": train_json.read,
    "spacy_json": spacy_v2.read_json,
    "spacy_iob": spacy_v2.read_iob,
    "conll": conll.read,
    "csv": csv_text.read,
    "doccano": doccano.read,
    "label_studio": label_studio.read,
    "text": text.read,
    "text_files": text.read_files,
}
_WRITERS: dict[str, Callable[..., int]] = {
    "prodigy": prodigy.write,
    "docbin": docbin.write,
    "conll": conll.write,
    "doccano": doccano.write,
}
__all__ = ["DESCRIPTIONS", "READ_FORMATS", "WRITE_FORMATS", "Detection", "described", "detect", "detect_format",
           "encoding_name", "read", "reader_options", "write", "write_training_bundle"]


def detect_format(path: Path | str) -> str:
    """The read format of ``path`` (see ``detect``, which also says how it was recognised)."""
    return detect(path).fmt


def reader_options(path: Path | str, detection: Detection, *, columns: tuple[int, int] | None = None,
                   text_key: str | None = None, encoding: str | None = None) -> dict[str, Any]:
    """The reader's options for a detected (or chosen) format, with what the user chose:
    ``columns`` (0-based token and tag column) for a column file, ``text_key`` for Label Studio
    (the field of "data") and CSV (the text column), ``encoding`` for any text file."""
    options = dict(detection.options)
    if detection.fmt == "conll" or columns is not None:
        with decoding(encoding):
            options["columns"] = conll.columns_for(Path(path), options.get("columns"), columns)
    if encoding is not None:
        options["encoding"] = encoding
    if text_key:
        options["text_key"] = text_key
    return options


def read(path: Path | str, fmt: str | None = None, **options: Any) -> Iterator[Record | Problem]:
    """Check ``path`` and return an iterator of a Record per good document and a Problem per bad one.

    ``fmt`` is one of READ_FORMATS (default: ``detect(path)``, whose options are used too).
    Options go to the format's reader: ``per_sentence`` and ``columns`` (conll), ``text_key``
    (label_studio, csv), ``delimiter`` (csv), ``vocab``/``nlp`` (docbin), ``notes`` (a list that
    gets what the reader assumed: columns, tag scheme, merged answers); ``encoding`` (default
    UTF-8) is how every text file is decoded.
    Raises InputError at once for a missing, empty, binary or wrong kind of path.
    """
    path_obj, shown = Path(path), str(path)
    if fmt is not None and fmt not in READ_FORMATS:
        raise InputError(Msg.UNKNOWN_READ_FORMAT.format(fmt=fmt, formats=", ".join(READ_FORMATS)))
    encoding = options.pop("encoding", None)
    with decoding(encoding):
        check_exists(path_obj, shown)
        if fmt is None:
            found = detect(path_obj, encoding=encoding)
            fmt, options = found.fmt, {**found.options, **options}
        if fmt == "text_files":
            check_dir(path_obj, shown)
        else:
            check_file(path_obj, shown, fmt)
        items = _READERS[fmt](path_obj, shown, **options)
    return decoded(iter(items), encoding)


def write(path: Path | str, records: Iterable[Record], fmt: str, *, labels: list[str], **options: Any) -> int:
    """Write ``records`` to ``path`` in ``fmt`` (one of WRITE_FORMATS); return how many were written.

    Only spans whose label is in ``labels`` are written. The file is written to a temporary
    sibling and moved into place, so a failed export leaves any existing file untouched.
    Options: ``nlp`` (tokenizer for docbin and conll; default ``spacy.blank("en")``).
    """
    if fmt not in WRITE_FORMATS:
        raise NerguiError(Msg.UNKNOWN_EXPORT.format(fmt=fmt, formats=", ".join(WRITE_FORMATS)))
    return _WRITERS[fmt](Path(path), records, labels=labels, **options)
