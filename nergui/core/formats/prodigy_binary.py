"""Merging the lines of one text in a Prodigy file that holds binary answers (``ner.teach``).

See ``prodigy``'s docstring for the rules. ``merge_group`` gets every line of one text, in
file order, and yields one Record or the Problems that stop it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...errors import Msg
from ..records import Problem, Record, Span
from ._common import check_text, describe, problem, validate_spans
from .prodigy import ANSWER_TO_STATE, _raw_spans, is_binary, record_from_object


def _answer(shown: str, number: int, value: Any, field: str) -> tuple[str | None, Problem | None]:
    if value is None or value in ANSWER_TO_STATE:
        return value, None
    return None, problem(shown, number, Msg.BAD_FIELD, field=field, found=describe(value),
                         expected='"accept", "reject" or "ignore"')


def _decisions(shown: str, number: int, obj: dict) -> tuple[list[tuple[str, Span]], list[Problem]]:
    """``(answer, span)`` for every span of a binary line."""
    line_answer, bad = _answer(shown, number, obj.get("answer"), "answer")
    if bad is not None:
        return [], [bad]
    raw, problems = _raw_spans(shown, number, obj.get("spans"))
    if problems:
        return [], problems
    out: list[tuple[str, Span]] = []
    for item in raw:
        answer, bad = _answer(shown, number, item.get("answer", line_answer), f"spans[{item['index'] - 1}].answer")
        if bad is not None:
            problems.append(bad)
            continue
        spans, found = validate_spans(shown, number, obj["text"], [item])
        problems.extend(found)
        if answer is not None and spans:
            out.append((answer, spans[0]))
    return out, problems


def merge_group(shown: str, lines: list[tuple[int, dict]]) -> Iterator[Record | Problem]:
    """One document from every line of one text (at least one of them binary)."""
    first_number, first = lines[0]
    bad = check_text(shown, first_number, first.get("text"))
    if bad is not None:
        yield bad
        return
    base: Record | None = None  # the first manual line: the document's state and gold spans
    decided: dict[tuple[int, int, str], tuple[str, int]] = {}  # span -> (answer, line), later wins
    who: dict[tuple[int, int, str], str] = {}  # span -> the deciding line's ``_annotator_id``
    problems: list[Problem] = []
    for number, obj in lines:
        if not is_binary(obj):
            result = record_from_object(shown, number, obj)
            if isinstance(result, list):
                problems.extend(result)
            elif base is None:
                base = result
            continue
        decisions, found = _decisions(shown, number, obj)
        problems.extend(found)
        annotator = obj.get("_annotator_id")
        for answer, span in decisions:
            key = (span.start, span.end, span.label)
            decided[key] = (answer, number)
            if isinstance(annotator, str) and annotator:
                who[key] = annotator
            else:
                who.pop(key, None)
    if problems:
        yield from problems
        return
    spans = list(base.spans) if base is not None else []
    owner = {(s.start, s.end, s.label): first_number if base is None else base.line for s in spans}
    for (start, end, label), (answer, number) in decided.items():
        if answer == "accept" and (start, end, label) not in owner:
            spans.append(Span(start, end, label))
            owner[(start, end, label)] = number
    rejections = [Span(*key) for key, (answer, _) in decided.items() if answer == "reject" and key not in owner]
    spans.sort(key=lambda s: (s.start, s.end))
    for a, b in zip(spans, spans[1:]):
        if b.start < a.end:  # reported on the later of the two lines
            first, later = sorted((a, b), key=lambda s: owner[(s.start, s.end, s.label)])
            yield problem(shown, owner[(later.start, later.end, later.label)], Msg.PRODIGY_CONFLICT,
                          start=later.start, end=later.end, label=later.label,
                          other=owner[(first.start, first.end, first.label)],
                          o_start=first.start, o_end=first.end, o_label=first.label)
            return
    meta = dict(first.get("meta") or {}) if isinstance(first.get("meta"), dict) else {}
    input_hash = first.get("_input_hash")
    yield Record(
        text=first["text"],
        spans=spans,
        state=base.state if base is not None else "todo",
        meta=base.meta if base is not None else meta,
        input_hash=None if input_hash is None else str(input_hash),
        line=first_number,
        rejections=sorted(rejections, key=lambda s: (s.start, s.end)),
        binary=base is None,  # no manual line: binary answers only, every other token unknown
        annotators={key: name for key, name in who.items() if decided[key][0] != "ignore"},
    )
