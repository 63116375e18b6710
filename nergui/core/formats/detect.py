"""Telling a file's format from its content, the way a user would: by looking inside.

    found = detect("train.txt")
    found.fmt        # "conll"
    found.detected   # "CoNLL-style token and tag columns"
    found.options    # {"columns": Columns(token=0, tag=1, ...)}: passed on to the reader

The name only breaks ties: a ``.spacy`` file is a DocBin, a folder is ``.txt`` files, a
``.csv`` or ``.tsv`` whose header names no text column is still CSV (its text column to be
chosen), and a text file that is neither JSON, tagged columns nor CSV with a text column is
plain text when it is named ``.txt`` (or has no suffix). Everything else is decided by the first lines or the JSON's shape, so
doccano's CoNLL ``.txt``, flair's ``.train``, CoNLL-2002's ``.testa`` and a Label Studio
export named ``.json`` are all recognised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError, Msg
from ..format_names import READ_FORMATS as DESCRIPTIONS
from ._common import BOM, JsonError, check_exists, check_file, decoding, fail, iter_lines, parse_json, read_text
from .conll import first_lines, sniff_columns
from .csv_text import sniff as sniff_table
from .label_studio import ANNOTATION_KEYS, is_json_min
from .prodigy import is_binary
from .spacy_v2 import looks_like_iob_line
from .tags import parse_tag

_TEXT_SUFFIXES = {".txt", ".text", ""}
_COLUMN_SUFFIXES = {".conll", ".conllu", ".iob", ".iob2", ".bio", ".bioes", ".tsv", ".train", ".dev", ".test",
                    ".testa", ".testb", ".annotated"}
_GUESS_BY_SUFFIX = {".jsonl": "prodigy", ".json": "label_studio", ".spacy": "docbin", ".csv": "csv"}
_DOCCANO_KEYS = ("label", "labels", "entities", "annotations")
_LS_KEYS = ("data", *ANNOTATION_KEYS, "predictions")


@dataclass(frozen=True)
class Detection:
    """A format, how it was recognised (in words), and the reader options that go with it."""

    fmt: str
    detected: str
    options: dict[str, Any] = field(default_factory=dict)


def _unknown(shown: str, what: str) -> Exception:
    return fail(shown, None, Msg.UNKNOWN_FORMAT, detected=what, formats=", ".join(DESCRIPTIONS))


def _jsonl_format(obj: Any) -> Detection:
    if isinstance(obj, dict) and "spans" not in obj and any(isinstance(obj.get(k), list) for k in _DOCCANO_KEYS):
        key = next(k for k in _DOCCANO_KEYS if isinstance(obj.get(k), list))
        return Detection("doccano", f'{DESCRIPTIONS["doccano"]} ("{key}" lists)')
    if isinstance(obj, dict) and is_binary(obj):
        return Detection("prodigy", DESCRIPTIONS["prodigy"] + " with binary answers (ner.teach)")
    return Detection("prodigy", DESCRIPTIONS["prodigy"])


def _first_object(path: Path, shown: str) -> tuple[bool, Any]:
    """``(parsed, value)`` of the first non-blank line."""
    for _, line in iter_lines(path, shown):
        if line.strip():
            try:
                return True, parse_json(line)
            except JsonError:
                return False, None
    return False, None


def _json_shape(shown: str, data: Any) -> Detection:
    if isinstance(data, dict):
        if "data" in data:
            return Detection("label_studio", DESCRIPTIONS["label_studio"] + " (one task)")
        if "text" in data:
            return _jsonl_format(data)
        raise _unknown(shown, "a JSON object that is neither a Label Studio task nor a document with \"text\"")
    if not isinstance(data, list):
        raise _unknown(shown, "JSON that is not a list of documents")
    if not data:
        raise fail(shown, None, Msg.EMPTY_FILE)
    first = data[0]
    if isinstance(first, dict) and "paragraphs" in first:
        return Detection("spacy_json", DESCRIPTIONS["spacy_json"])
    if isinstance(first, list) and len(first) == 2 and isinstance(first[1], dict):
        return Detection("train_json", DESCRIPTIONS["train_json"])
    if isinstance(first, dict) and any(k in first for k in _LS_KEYS):
        return Detection("label_studio", f"{DESCRIPTIONS['label_studio']} ({len(data)} tasks)")
    if is_json_min(first):
        return Detection("label_studio", f"Label Studio JSON-MIN export ({len(data)} items)")
    raise _unknown(shown, "a JSON list whose first item is neither a Label Studio task, a spaCy document "
                          "nor a [text, annotations] pair")


def _detect_json(path: Path, shown: str, suffix: str, *, guess_broken: bool = True) -> Detection:
    if suffix == ".jsonl":
        parsed, value = _first_object(path, shown)
        return _jsonl_format(value) if parsed else Detection("prodigy", DESCRIPTIONS["prodigy"])
    content = read_text(path, shown)
    try:
        return _json_shape(shown, parse_json(content))
    except JsonError:
        pass
    parsed, value = _first_object(path, shown)
    if parsed and isinstance(value, dict):  # one object per line, under another name
        return _jsonl_format(value)
    if not guess_broken:
        raise _unknown(shown, "broken JSON")
    # Broken JSON: guess from the opening so the reader can report where it breaks.
    opening = content.lstrip(BOM.decode("utf-8") + " \t\r\n")
    second = opening[1:].lstrip(" \t\r\n")[:1] if opening.startswith("[") else ""
    if second == "{":
        return Detection("label_studio", DESCRIPTIONS["label_studio"] + " (broken JSON)")
    if second == "[":
        return Detection("train_json", DESCRIPTIONS["train_json"] + " (broken JSON)")
    if opening.startswith("{"):
        return Detection("prodigy", DESCRIPTIONS["prodigy"] + " (broken JSON)")
    raise _unknown(shown, "broken JSON")


def _detect_text(path: Path, shown: str, suffix: str) -> Detection:
    lines = first_lines(path, shown)
    body = [line for line in lines if line.strip()]
    iob = [line for line in body if looks_like_iob_line(line)]
    if body and len(iob) >= 0.9 * len(body) and any(
            parse_tag(t.split("|")[-1]) not in (None, ("O", "")) for line in iob for t in line.split()):
        return Detection("spacy_iob", DESCRIPTIONS["spacy_iob"])
    columns = sniff_columns(lines)
    if columns is not None:
        return Detection("conll", DESCRIPTIONS["conll"], {"columns": columns})
    table = sniff_table(lines, suffix)
    if table is not None:
        return Detection("csv", table.describe(), {"delimiter": table.delimiter})
    if suffix in _COLUMN_SUFFIXES:
        return Detection("conll", DESCRIPTIONS["conll"] + " (from the name; no tag column found in the first lines)")
    if suffix in _TEXT_SUFFIXES:
        return Detection("text", DESCRIPTIONS["text"])
    raise _unknown(shown, "the first lines are neither JSON nor token-and-tag columns (a token, then a tag such "
                          "as B-ORG or O)")


def detect(path: Path | str, *, encoding: str | None = None) -> Detection:
    """How to read ``path`` (a text file in ``encoding``, default UTF-8): its format, in words,
    and the reader's options.

    Raises InputError (NO_FILE, EMPTY_FILE, BINARY, NOT_UTF8, UNKNOWN_FORMAT naming what was seen).
    """
    with decoding(encoding):
        return _detect(path)


def _detect(path: Path | str) -> Detection:
    path_obj, shown = Path(path), str(path)
    check_exists(path_obj, shown)
    if path_obj.is_dir():
        return Detection("text_files", DESCRIPTIONS["text_files"])
    suffix = path_obj.suffix.lower()
    if suffix == ".spacy":
        return Detection("docbin", DESCRIPTIONS["docbin"])
    check_file(path_obj, shown, _GUESS_BY_SUFFIX.get(suffix, "conll" if suffix in _COLUMN_SUFFIXES else "text"))
    head = ""
    for _, line in iter_lines(path_obj, shown):
        if line.strip():
            head = line.lstrip("\ufeff \t")
            break
    if suffix in (".json", ".jsonl"):
        return _detect_json(path_obj, shown, suffix)
    if head[:1] in ("[", "{"):
        try:
            return _detect_json(path_obj, shown, suffix, guess_broken=False)
        except InputError:
            pass  # text that starts with a bracket
    return _detect_text(path_obj, shown, suffix)


def described(fmt: str) -> Detection:
    """A Detection for a format the user chose."""
    return Detection(fmt, DESCRIPTIONS.get(fmt, fmt) + " (chosen)")
