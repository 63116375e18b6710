"""Label Studio JSON export: a list of tasks

    {"id": 1, "data": {"text": ...},
     "annotations": [{"was_cancelled": false,
                      "result": [{"type": "labels",
                                  "value": {"start": 0, "end": 5, "text": "Apple", "labels": ["ORG"]}}]}]}

The first annotation that was not cancelled is used; a task with one is "accepted", a task
without "todo". Label Studio before 1.0 called annotations "completions"; both are read.
Every "predictions" result (a model's pre-annotation) becomes a suggestion: shown in the
app beside the project model's predictions, never gold. A file holding one task object
(not in a list) is one task. The "JSON-MIN" export (``{"text": ..., "label": [{"start",
"end", "text", "labels"}]}`` per item, no "data") is read too. Record.line is the 1-based
task number. Offsets that only match the annotated "text" when read as UTF-16 code units
(as a browser counts) are converted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import Msg
from ..records import Problem, Record
from ._common import check_text, describe, problem, validate_spans
from .train_json import load_list


def _shape(shown: str, number: int, detail: str) -> Problem:
    return problem(shown, number, Msg.LABEL_STUDIO_SHAPE, detail=detail)


def _find_text(
    shown: str, number: int, data: dict, text_key: str | None
) -> tuple[str | None, Any, Problem | None]:
    """``(key, text, problem)`` for the field of "data" that holds the text."""
    fields = ", ".join(data) or "none"
    if text_key is not None:
        if text_key not in data:
            return None, None, _shape(shown, number, f'"data" has no field {text_key!r} (fields: {fields})')
        return text_key, data[text_key], None
    if "text" in data:
        return "text", data["text"], None
    strings = [k for k, v in data.items() if isinstance(v, str)]
    if len(strings) == 1:
        return strings[0], data[strings[0]], None
    return None, None, _shape(
        shown, number,
        f'cannot tell which field of "data" holds the text (fields: {fields}); '
        "name it (Text field in the import dialog, --text-key on the command line)",
    )


def _utf16_to_codepoints(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Convert UTF-16 code-unit offsets into code-point offsets, or None if they split a pair."""
    mapping: dict[int, int] = {}
    units = 0
    for index, char in enumerate(text):
        mapping[units] = index
        units += 2 if ord(char) > 0xFFFF else 1
    mapping[units] = len(text)
    if start in mapping and end in mapping:
        return mapping[start], mapping[end]
    return None


def _raw_spans(shown: str, number: int, text: str, result: Any) -> tuple[list[dict], list[Problem]]:
    if not isinstance(result, list):
        return [], [_shape(shown, number, f'"result" is {describe(result)}, expected a list')]
    raw: list[dict] = []
    problems: list[Problem] = []
    index = 0
    for item in result:
        if not isinstance(item, dict):
            return [], [_shape(shown, number, f'a result is {describe(item)}, expected an object')]
        value = item.get("value")
        kind = item.get("type")
        if kind not in (None, "labels") or not isinstance(value, dict) or "labels" not in value:
            continue  # choices, relations, text areas ...: not entity spans
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels:
            index += 1
            problems.append(problem(shown, number, Msg.BAD_SPAN, index=index,
                                    detail=f'"labels" is {describe(labels)}, expected a list of one label'))
            continue
        start, end, expected = value.get("start"), value.get("end"), value.get("text")
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
        for label in labels:
            index += 1
            span = {"start": start, "end": end, "label": label, "index": index}
            if "start" not in value:
                del span["start"]
            if "end" not in value:
                del span["end"]
            if ints and isinstance(expected, str) and text[start:end] != expected:
                fixed = _utf16_to_codepoints(text, start, end)
                if fixed and text[fixed[0]:fixed[1]] == expected:
                    span["start"], span["end"] = fixed
                elif 0 <= start < end <= len(text):
                    problems.append(problem(shown, number, Msg.SPAN_TEXT_MISMATCH, index=index, start=start,
                                            end=end, label=label, found=text[start:end], expected=expected))
                    continue
            raw.append(span)
    return raw, problems


ANNOTATION_KEYS = ("annotations", "completions")


def is_json_min(task: Any) -> bool:
    """A JSON-MIN item: no "data", a list of {"start", "end", "labels"} objects under some key."""
    return isinstance(task, dict) and "data" not in task and any(_label_list(v) for v in task.values())


def _label_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "labels" in v for v in value)


def _record_from_min(shown: str, number: int, task: dict, text_key: str | None) -> Record | list[Problem]:
    keys = [k for k, v in task.items() if _label_list(v)]
    data = {k: v for k, v in task.items() if k not in keys}
    key, text, bad = _find_text(shown, number, data, text_key)
    if bad is None:
        bad = check_text(shown, number, text)
    if bad is not None:
        return [bad]
    raw, problems = _raw_spans(shown, number, text, [{"type": "labels", "value": v} for k in keys for v in task[k]])
    spans, span_problems = validate_spans(shown, number, text, raw)
    problems.extend(span_problems)
    if problems:
        return problems
    meta = {k: v for k, v in data.items() if k != key}
    return Record(text=text, spans=spans, state="accepted", meta=meta, line=number)


def _suggestions(shown: str, number: int, text: str, predictions: Any) -> tuple[list, list[Problem]]:
    """Every prediction's labelled spans, as model suggestions (they may overlap)."""
    if predictions is None:
        return [], []
    if not isinstance(predictions, list):
        return [], [_shape(shown, number, f'"predictions" is {describe(predictions)}, expected a list')]
    raw: list[dict] = []
    problems: list[Problem] = []
    for prediction in predictions:
        if isinstance(prediction, dict):
            found, bad = _raw_spans(shown, number, text, prediction.get("result", []))
            raw.extend(found)
            problems.extend(bad)
    spans, bad = validate_spans(shown, number, text, raw, source="model", overlap_ok=True)
    return sorted(set(spans), key=lambda s: (s.start, s.end, s.label)), problems + bad


def record_from_task(shown: str, number: int, task: Any, text_key: str | None) -> Record | list[Problem]:
    if not isinstance(task, dict):
        return [_shape(shown, number, f"found {describe(task)}, expected a task object")]
    if is_json_min(task):
        return _record_from_min(shown, number, task, text_key)
    data = task.get("data")
    if not isinstance(data, dict):
        return [_shape(shown, number, 'the task has no "data" object')]
    key, text, bad = _find_text(shown, number, data, text_key)
    if bad is not None:
        return [bad]
    bad = check_text(shown, number, text)
    if bad is not None:
        return [bad]
    field = next((k for k in ANNOTATION_KEYS if k in task), "annotations")
    annotations = task.get(field, [])
    if annotations is None:
        annotations = []
    if not isinstance(annotations, list):
        return [_shape(shown, number, f'"{field}" is {describe(annotations)}, expected a list')]
    chosen = next(
        (a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled", False)), None
    )
    raw: list[dict] = []
    problems: list[Problem] = []
    if chosen is not None:
        raw, problems = _raw_spans(shown, number, text, chosen.get("result", []))
    spans, span_problems = validate_spans(shown, number, text, raw)
    problems.extend(span_problems)
    suggestions, span_problems = _suggestions(shown, number, text, task.get("predictions"))
    problems.extend(span_problems)
    if problems:
        return problems
    meta: dict[str, Any] = {k: v for k, v in data.items() if k != key}
    if isinstance(task.get("meta"), dict):
        meta.update(task["meta"])
    if "id" in task:
        meta["id"] = task["id"]
    return Record(
        text=text,
        spans=spans,
        state="accepted" if chosen is not None else "todo",
        meta=meta,
        line=number,
        suggestions=suggestions,
    )


def read(
    path: Path, shown: str | None = None, *, text_key: str | None = None, **options: Any
) -> Iterator[Record | Problem]:
    """Yield a Record per usable task and a Problem per bad one.

    ``text_key`` names the field of "data" that holds the text; by default "text", or the
    only string field if there is no "text".
    """
    shown = str(path) if shown is None else shown
    tasks, bad = load_list(Path(path), shown, "Label Studio tasks", "Label Studio JSON", single="data")
    if bad is not None:
        yield bad
        return
    for number, task in enumerate(tasks, start=1):
        result = record_from_task(shown, number, task, text_key)
        if isinstance(result, Record):
            yield result
        else:
            yield from result
