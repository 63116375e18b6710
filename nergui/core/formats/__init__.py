"""Reading and writing annotated documents in the formats other NER tools use.

    for item in read(path):              # format detected from the name and a peek inside
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
from ..records import Problem, Record
from . import conll, docbin, doccano, label_studio, prodigy, text, train_json
from ._common import BOM, JsonError, check_dir, check_exists, check_file, fail, iter_lines, parse_json, read_text
from .docbin import write_training_bundle

READ_FORMATS = ("prodigy", "docbin", "train_json", "conll", "doccano", "label_studio", "text", "text_files")
WRITE_FORMATS = ("prodigy", "docbin", "conll", "doccano")

_READERS: dict[str, Callable[..., Iterator[Record | Problem]]] = {
    "prodigy": prodigy.read,
    "docbin": docbin.read,
    "train_json": train_json.read,
    "conll": conll.read,
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
_BY_SUFFIX = {".spacy": "docbin", ".conll": "conll", ".iob": "conll", ".tsv": "conll", ".bio": "conll",
              ".txt": "text"}
_DOCCANO_KEYS = ("label", "labels", "entities")

__all__ = ["READ_FORMATS", "WRITE_FORMATS", "detect_format", "read", "write", "write_training_bundle"]


def _unknown(shown: str) -> InputError:
    return fail(shown, None, Msg.UNKNOWN_FORMAT, formats=", ".join(READ_FORMATS))


def _detect_jsonl(path: Path, shown: str) -> str:
    check_file(path, shown, "prodigy")
    for _, line in iter_lines(path, shown):
        if not line.strip():
            continue
        try:
            first = parse_json(line)
        except JsonError:
            return "prodigy"  # the reader reports the broken line
        if (isinstance(first, dict) and "spans" not in first
                and any(isinstance(first.get(k), list) for k in _DOCCANO_KEYS)):
            return "doccano"
        return "prodigy"
    return "prodigy"


def _detect_json(path: Path, shown: str) -> str:
    check_file(path, shown, "label_studio")
    content = read_text(path, shown)
    try:
        data = parse_json(content)
    except JsonError:
        # Broken JSON: guess from the opening so the reader can report where it breaks.
        opening = content.lstrip(BOM.decode("utf-8") + " \t\r\n")
        if opening.startswith("["):
            second = opening[1:].lstrip(" \t\r\n")[:1]
            if second == "{":
                return "label_studio"
            if second == "[":
                return "train_json"
        raise _unknown(shown) from None
    if isinstance(data, list):
        if not data:
            raise fail(shown, None, Msg.EMPTY_FILE)
        first = data[0]
        if isinstance(first, dict) and ("annotations" in first or "data" in first):
            return "label_studio"
        if isinstance(first, list) and len(first) == 2 and isinstance(first[1], dict):
            return "train_json"
    raise _unknown(shown)


def detect_format(path: Path | str) -> str:
    """The read format of ``path``, from its suffix and (for .json/.jsonl) a peek inside.

    A folder is "text_files". Raises InputError (NO_FILE, UNKNOWN_FORMAT, BINARY, EMPTY_FILE, ...).
    """
    path_obj, shown = Path(path), str(path)
    check_exists(path_obj, shown)
    if path_obj.is_dir():
        return "text_files"
    suffix = path_obj.suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix == ".jsonl":
        return _detect_jsonl(path_obj, shown)
    if suffix == ".json":
        return _detect_json(path_obj, shown)
    raise _unknown(shown)


def read(path: Path | str, fmt: str | None = None, **options: Any) -> Iterator[Record | Problem]:
    """Check ``path`` and return an iterator of a Record per good document and a Problem per bad one.

    ``fmt`` is one of READ_FORMATS (default: ``detect_format(path)``). Options go to the
    format's reader: ``per_sentence`` (conll), ``text_key`` (label_studio), ``vocab``/``nlp`` (docbin).
    Raises InputError at once for a missing, empty, binary or wrong kind of path.
    """
    path_obj, shown = Path(path), str(path)
    if fmt is not None and fmt not in READ_FORMATS:
        raise InputError(Msg.UNKNOWN_READ_FORMAT.format(fmt=fmt, formats=", ".join(READ_FORMATS)))
    check_exists(path_obj, shown)
    if fmt is None:
        fmt = detect_format(path_obj)
    if fmt == "text_files":
        check_dir(path_obj, shown)
    else:
        check_file(path_obj, shown, fmt)
    return _READERS[fmt](path_obj, shown, **options)


def write(path: Path | str, records: Iterable[Record], fmt: str, *, labels: list[str], **options: Any) -> int:
    """Write ``records`` to ``path`` in ``fmt`` (one of WRITE_FORMATS); return how many were written.

    Only spans whose label is in ``labels`` are written. The file is written to a temporary
    sibling and moved into place, so a failed export leaves any existing file untouched.
    Options: ``nlp`` (tokenizer for docbin and conll; default ``spacy.blank("en")``).
    """
    if fmt not in WRITE_FORMATS:
        raise NerguiError(Msg.UNKNOWN_EXPORT.format(fmt=fmt, formats=", ".join(WRITE_FORMATS)))
    return _WRITERS[fmt](Path(path), records, labels=labels, **options)
