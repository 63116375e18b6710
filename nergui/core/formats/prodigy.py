"""Prodigy JSONL: one JSON object per line with "text" and optional "spans", "meta",
"_input_hash", "_view_id" and "answer".

Two kinds of line, read as Prodigy means them:

* **Manual** (``ner.manual``, ``ner.correct``: ``"_view_id": "ner_manual"``, or no view id and
  no scores): the line is the whole document; its "answer" is the document's state and its
  spans are the entities.
* **Binary** (``ner.teach``: ``"_view_id": "ner"``; without a view id, spans that carry a
  model's "score" or "rank", or an "answer" of their own as Prodigy's merge of binary
  answers writes them): each span is one yes/no decision, taking the span's own "answer"
  or else the line's. The same text comes on many lines (one ``_input_hash``); they become
  one document: accepted spans are its spans, rejected ones its rejections (hidden from the
  suggestions), ignored ones nothing. A later answer on the same span replaces an earlier
  one. Such a document is "todo" (binary answers do not mark every entity) unless a manual
  line of the same text gives its state. Two accepted spans that overlap are a contradiction
  and refused, naming both lines.

A text repeated on manual lines only is yielded each time (the store keeps the first and
counts the others as duplicates).

Written back, a document of binary decisions only (``Record.binary``: the review mode's, or
read from such lines) is one binary line per decision with its ``answer``, as ``ner.teach``
writes them (``binary_objects``), never a manual line that would claim every entity. A
decision's annotator is the line's ``_annotator_id``, written and read back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import Msg
from ..records import Problem, Record
from ._common import (
    JsonError,
    check_text,
    describe,
    dumps,
    iter_lines,
    keep_labels,
    parse_json,
    problem,
    validate_spans,
    write_lines,
)

ANSWER_TO_STATE = {"accept": "accepted", "reject": "rejected", "ignore": "skipped"}
STATE_TO_ANSWER = {v: k for k, v in ANSWER_TO_STATE.items()}
_INT = re.compile(r"-?[0-9]+")


def parse_object(shown: str, number: int, text_line: str) -> tuple[dict | None, Problem | None]:
    """Parse one JSONL line into a dict, or return the Problem (bad JSON, not an object)."""
    try:
        obj = parse_json(text_line)
    except JsonError as err:
        return None, problem(shown, number, Msg.BAD_JSON, detail=err.detail)
    if not isinstance(obj, dict):
        return None, problem(shown, number, Msg.NOT_OBJECT, found=describe(obj))
    return obj, None


def iter_objects(path: Path, shown: str) -> Iterator[tuple[int, dict | None, Problem | None]]:
    """``(line, object, problem)`` for every non-blank line of a JSONL file."""
    for number, text_line in iter_lines(path, shown):
        if not text_line.strip():
            continue
        obj, bad = parse_object(shown, number, text_line)
        yield number, obj, bad


def _raw_spans(shown: str, number: int, value: Any) -> tuple[list[dict], list[Problem]]:
    if value is None:
        return [], []
    if not isinstance(value, list):
        return [], [problem(shown, number, Msg.BAD_FIELD, field="spans", found=describe(value),
                            expected="a list of {\"start\", \"end\", \"label\"} objects")]
    raw, problems = [], []
    for index, item in enumerate(value, start=1):
        if isinstance(item, dict):
            raw.append({**item, "index": index})
        else:
            problems.append(problem(shown, number, Msg.BAD_SPAN, index=index,
                                    detail=f"found {describe(item)}, expected an object"))
    return raw, problems


def record_from_object(shown: str, number: int, obj: dict) -> Record | list[Problem]:
    """One Prodigy task to a Record, or the list of its Problems."""
    if "text" not in obj:
        return [problem(shown, number, Msg.NO_TEXT)]
    text = obj["text"]
    bad_text = check_text(shown, number, text)
    if bad_text:
        return [bad_text]
    problems: list[Problem] = []
    answer = obj.get("answer")
    if "answer" in obj and answer not in ANSWER_TO_STATE:
        problems.append(problem(shown, number, Msg.BAD_FIELD, field="answer", found=describe(answer),
                                expected='"accept", "reject" or "ignore"'))
    meta = obj.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.append(problem(shown, number, Msg.BAD_FIELD, field="meta", found=describe(meta),
                                expected="an object"))
    raw, span_problems = _raw_spans(shown, number, obj.get("spans"))
    problems.extend(span_problems)
    spans, span_problems = validate_spans(shown, number, text, raw)
    problems.extend(span_problems)
    if problems:
        return problems
    input_hash = obj.get("_input_hash")
    return Record(
        text=text,
        spans=spans,
        state=ANSWER_TO_STATE[answer] if "answer" in obj else "todo",
        meta=dict(meta),
        input_hash=None if input_hash is None else str(input_hash),
        line=number,
    )


def is_binary(obj: dict) -> bool:
    """Whether a line holds binary (accept/reject one span) answers rather than a whole document."""
    view = obj.get("_view_id")
    if isinstance(view, str):
        return view == "ner"
    spans = obj.get("spans")
    return isinstance(spans, list) and any(
        isinstance(s, dict) and any(k in s for k in ("answer", "score", "rank")) for s in spans)


def read(path: Path, shown: str | None = None, *, notes: list[str] | None = None,
         **options: Any) -> Iterator[Record | Problem]:
    """Yield a Record per document and a Problem per bad line; blank lines are skipped.

    Lines of binary answers on one text are merged into one document (see the module's
    docstring), so the whole file is read before the first document is yielded.
    """
    from .prodigy_binary import merge_group

    shown = str(path) if shown is None else shown
    lines: list[tuple[int, Any, dict | Problem]] = []  # (line, key, object or its problem)
    groups: dict[Any, list[tuple[int, dict]]] = {}
    binary: set[Any] = set()
    for number, obj, bad in iter_objects(Path(path), shown):
        if bad is not None:
            lines.append((number, None, bad))
            continue
        text = obj.get("text")
        key = (str(obj.get("_input_hash")), text) if isinstance(text, str) else None
        lines.append((number, key, obj))
        if key is not None:
            groups.setdefault(key, []).append((number, obj))
            if is_binary(obj):
                binary.add(key)
    merged = answers = 0
    for number, key, obj in lines:
        if isinstance(obj, Problem):
            yield obj
        elif key in binary:
            group = groups.pop(key, None)
            if group is not None:  # the text's first line: the whole group, merged
                merged += 1
                answers += len(group)
                yield from merge_group(shown, group)
        else:
            result = record_from_object(shown, number, obj)
            if isinstance(result, Record):
                yield result
            else:
                yield from result
    if notes is not None and merged:
        notes.append(f"{answers} lines of binary answers (ner.teach) merged into {merged} documents: accepted spans "
                     "kept as spans, rejected ones as rejections; these documents are left to do, since binary "
                     "answers do not mark every entity")


def _hash_value(input_hash: str | None) -> int | None:
    if input_hash is None or not _INT.fullmatch(input_hash):
        return None
    return int(input_hash)


def to_object(record: Record, labels: Iterable[str]) -> dict[str, Any]:
    spans = []
    for span in keep_labels(record.spans, labels):
        item: dict[str, Any] = {"start": span.start, "end": span.end}
        if span.token_start is not None and span.token_end is not None:
            item["token_start"] = span.token_start
            item["token_end"] = span.token_end
        item["label"] = span.label
        spans.append(item)
    obj: dict[str, Any] = {"text": record.text, "spans": spans, "meta": dict(record.meta or {})}
    input_hash = _hash_value(record.input_hash)
    if input_hash is not None:
        obj["_input_hash"] = input_hash
    answer = STATE_TO_ANSWER.get(record.state)
    if answer is not None:
        obj["answer"] = answer
    return obj


def binary_objects(record: Record, labels: Iterable[str]) -> list[dict[str, Any]]:
    """A document holding binary decisions only (``record.binary``) as ``ner.teach`` writes it:
    one line per decision, ``"_view_id": "ner"``, its one span and its ``answer`` (accepted
    spans "accept", rejections "reject"), in text order. ``read`` merges them back."""
    labels = set(labels)
    decided = [(s, "accept") for s in record.spans if s.label in labels]
    decided += [(s, "reject") for s in record.rejections if s.label in labels]
    out = []
    for span, answer in sorted(decided, key=lambda item: (item[0].start, item[0].end, item[1])):
        item: dict[str, Any] = {"start": span.start, "end": span.end, "text": record.text[span.start:span.end]}
        if span.token_start is not None and span.token_end is not None:
            item["token_start"], item["token_end"] = span.token_start, span.token_end
        item["label"] = span.label
        obj: dict[str, Any] = {"text": record.text, "spans": [item], "meta": dict(record.meta or {})}
        input_hash = _hash_value(record.input_hash)
        if input_hash is not None:
            obj["_input_hash"] = input_hash
        obj["_view_id"] = "ner"
        obj["answer"] = answer
        who = record.annotators.get((span.start, span.end, span.label))
        if who:  # as Prodigy names who answered (a team's project, or a file that said)
            obj["_annotator_id"] = who
        out.append(obj)
    return out


def write(path: Path, records: Iterable[Record], *, labels: Iterable[str], **options: Any) -> int:
    """Write one Prodigy task per record (one per decision for a record of binary decisions
    only: ``binary_objects``); spans with labels outside ``labels`` are left out. Returns the
    number of documents written."""
    labels = list(labels)
    documents = 0

    def lines():
        nonlocal documents
        for r in records:
            documents += 1
            if r.binary:
                yield from (dumps(obj) for obj in binary_objects(r, labels))
            else:
                yield dumps(to_object(r, labels))

    write_lines(Path(path), lines())
    return documents
