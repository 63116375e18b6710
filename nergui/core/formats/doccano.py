"""doccano JSONL: ``{"text": ..., "label": [[start, end, label], ...]}`` per line.

Also accepted: "labels" instead of "label", doccano 1.7+ "entities" and doccano 0.x/1.0
"annotations" (both ``[{"start_offset", "end_offset", "label"}, ...]``). Every other top-level field
(such as "id") goes into the record's meta; a "meta" object is merged in. doccano 1.3-1.6
wrote the text under "data"; that is read when there is no "text".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import Msg
from ..records import Problem, Record
from ._common import check_text, dumps, keep_labels, problem, triples, validate_spans, write_lines
from .prodigy import iter_objects

LABEL_KEYS = ("label", "labels", "entities", "annotations")


def record_from_object(shown: str, number: int, obj: dict) -> Record | list[Problem]:
    text_key = "text" if "text" in obj or not isinstance(obj.get("data"), str) else "data"  # doccano 1.3-1.6: "data"
    if text_key not in obj:
        return [problem(shown, number, Msg.NO_TEXT)]
    text = obj[text_key]
    bad_text = check_text(shown, number, text)
    if bad_text:
        return [bad_text]
    key = next((k for k in LABEL_KEYS if k in obj), "label")
    raw, problems = triples(shown, number, obj.get(key), key)
    spans, span_problems = validate_spans(shown, number, text, raw)
    problems.extend(span_problems)
    if problems:
        return problems
    meta: dict[str, Any] = {}
    if isinstance(obj.get("meta"), dict):
        meta.update(obj["meta"])
    meta.update({k: v for k, v in obj.items() if k not in (text_key, "meta", *LABEL_KEYS)})
    return Record(
        text=text,
        spans=spans,
        state="accepted" if raw else "todo",
        meta=meta,
        line=number,
    )


def read(path: Path, shown: str | None = None, **options: Any) -> Iterator[Record | Problem]:
    """Yield a Record per good line ("accepted" if it has labels, else "todo") and a Problem per bad one."""
    shown = str(path) if shown is None else shown
    for number, obj, bad in iter_objects(Path(path), shown):
        if bad is not None:
            yield bad
            continue
        result = record_from_object(shown, number, obj)
        if isinstance(result, Record):
            yield result
        else:
            yield from result


def write(path: Path, records: Iterable[Record], *, labels: Iterable[str], **options: Any) -> int:
    """Write ``{"text", "label": [[start, end, label], ...]}`` per record."""
    labels = list(labels)
    return write_lines(
        Path(path),
        (
            dumps({"text": r.text, "label": [[s.start, s.end, s.label] for s in keep_labels(r.spans, labels)]})
            for r in records
        ),
    )
