"""spaCy v2 TRAIN_DATA: a JSON list of ``[text, {"entities": [[start, end, label], ...]}]``.

Record.line is the 1-based item number. Records are "accepted". There is no writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import Msg
from ..records import Problem, Record
from ._common import (
    JsonError,
    check_text,
    describe,
    parse_json,
    problem,
    read_text,
    triples,
    validate_spans,
)


def load_list(path: Path, shown: str, what: str, fmt: str, *,
              single: str | None = None) -> tuple[list | None, Problem | None]:
    """The top-level JSON list of a whole-file JSON format, or the Problem that prevents it.

    With ``single``, a top-level object holding that key is read as a list of one item.
    """
    try:
        data = parse_json(read_text(path, shown))
    except JsonError as err:
        return None, problem(shown, err.lineno, Msg.BAD_JSON, detail=err.detail)
    if single is not None and isinstance(data, dict) and single in data:
        data = [data]
    if not isinstance(data, list):
        return None, problem(shown, None, Msg.NOT_A_LIST, what=what, found=describe(data), fmt=fmt)
    return data, None


def record_from_item(shown: str, number: int, item: Any) -> Record | list[Problem]:
    if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[1], dict)):
        return [problem(shown, number, Msg.TRAIN_JSON_ITEM, found=describe(item))]
    text, annotations = item
    bad_text = check_text(shown, number, text)
    if bad_text:
        return [bad_text]
    raw, problems = triples(shown, number, annotations.get("entities"), "entities")
    spans, span_problems = validate_spans(shown, number, text, raw)
    problems.extend(span_problems)
    if problems:
        return problems
    meta = annotations.get("meta")
    return Record(
        text=text,
        spans=spans,
        state="accepted",
        meta=dict(meta) if isinstance(meta, dict) else {},
        line=number,
    )


def read(path: Path, shown: str | None = None, **options: Any) -> Iterator[Record | Problem]:
    shown = str(path) if shown is None else shown
    data, bad = load_list(Path(path), shown, "[text, {\"entities\": ...}] pairs", "spaCy TRAIN_DATA JSON")
    if bad is not None:
        yield bad
        return
    for number, item in enumerate(data, start=1):
        result = record_from_item(shown, number, item)
        if isinstance(result, Record):
            yield result
        else:
            yield from result
