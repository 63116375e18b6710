"""Helpers shared by every format: path checks, line reading (UTF-8, or the encoding the
user chose), JSON parsing, span validation and atomic writes.

Conventions:

* ``shown`` is the path as the user gave it (``str(path)``); it goes into every message.
* A ``Problem``'s message is the ``Msg`` template without its leading ``"{path}:{line}: "``,
  because ``str(Problem)`` adds that prefix itself.
* Span numbers in messages are 1-based (the first span in the file is "span 1").
* Every reader reads text through ``iter_lines`` and ``read_text``, which decode UTF-8 unless
  the encoding was chosen with ``decoding(encoding)``: the one place an encoding goes in
  (``formats.read``, ``detect`` and ``reader_options`` take it as a parameter).
"""

from __future__ import annotations

import codecs
import json
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import srsly

from ...errors import InputError, Msg, NerguiError
from ..format_names import ENCODINGS, READ_FORMATS
from ..records import Problem, Span

BOM = b"\xef\xbb\xbf"
PEEK_BYTES = 8192

#: Names used in the "export your data as ..." advice.
FORMAT_NAMES = {**READ_FORMATS, "text": "UTF-8 text", "text_files": "UTF-8 .txt files"}

_SURROGATE = re.compile("[\ud800-\udfff]")

UTF8 = "utf-8"
_ENCODING: ContextVar[str] = ContextVar("nergui_encoding", default=UTF8)


# ----------------------------------------------------------------------------- messages


def problem(shown: str, line: int | None, template: str, **fields: Any) -> Problem:
    """Fill ``template`` and wrap it in a Problem, dropping the "path:line: " prefix."""
    message = template.format(path=shown, line=line, **fields)
    for prefix in (f"{shown}:{line}: ", f"{shown}: "):
        if message.startswith(prefix):
            message = message[len(prefix):]
            break
    return Problem(shown, line, message)


def fail(shown: str, line: int | None, template: str, **fields: Any) -> InputError:
    """An InputError whose text is the whole message and which carries the Problem."""
    return InputError(
        template.format(path=shown, line=line, **fields),
        problems=[problem(shown, line, template, **fields)],
    )


def describe(value: Any) -> str:
    """A short, human description of a JSON value, for "found ..." messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# ----------------------------------------------------------------------------- path checks


def check_exists(path: Path, shown: str) -> None:
    if not path.exists():
        raise fail(shown, None, Msg.NO_FILE)


def check_file(path: Path, shown: str, fmt: str) -> None:
    """Raise InputError unless ``path`` is a non-empty file (a text file unless ``fmt`` is docbin)."""
    check_exists(path, shown)
    if path.is_dir():
        raise fail(shown, None, Msg.IS_DIR)
    try:
        with path.open("rb") as fh:
            head = fh.read(PEEK_BYTES)
            more = bool(fh.read(1))
    except OSError as err:
        raise fail(shown, None, Msg.READ_FAILED, detail=err.strerror or err) from err
    if not head:
        raise fail(shown, None, Msg.EMPTY_FILE)
    if fmt == "docbin":
        return
    wide = _ENCODING.get().startswith(("utf-16", "utf-32"))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and _ENCODING.get() == UTF8:  # UTF-16/32 with a byte-order mark
        raise fail(shown, 1, Msg.NOT_UTF8_BUT_UTF16, byte=head[0], offset=0)
    if b"\x00" in head and not wide:
        raise fail(shown, None, Msg.BINARY, fmt=FORMAT_NAMES.get(fmt, "UTF-8 text"))
    body = head[len(BOM):] if head.startswith(BOM) else head
    if not more and not body.strip():
        raise fail(shown, None, Msg.EMPTY_FILE)


def check_dir(path: Path, shown: str) -> None:
    check_exists(path, shown)
    if not path.is_dir():
        raise fail(shown, None, Msg.NOT_DIR)


# ----------------------------------------------------------------------------- reading text


def codec(encoding: str | None) -> str:
    """Python's name for ``encoding`` ("latin1" -> "iso8859-1"; None -> UTF-8); InputError if unknown."""
    try:
        name = codecs.lookup(encoding or UTF8).name
    except LookupError:
        raise InputError(Msg.UNKNOWN_ENCODING.format(encoding=encoding, encodings=", ".join(ENCODINGS))) from None
    return UTF8 if name == "utf-8-sig" else name


def encoding_name(encoding: str | None) -> str:
    """How an encoding is called to the user ("Latin-1 (ISO-8859-1)")."""
    name = codec(encoding)
    return next((words for key, words in ENCODINGS.items() if codec(key) == name), encoding or name)


@contextmanager
def decoding(encoding: str | None) -> Iterator[str]:
    """Within this block ``iter_lines`` and ``read_text`` decode ``encoding`` (None: UTF-8)."""
    token = _ENCODING.set(codec(encoding))
    try:
        yield _ENCODING.get()
    finally:
        _ENCODING.reset(token)


def decoded(items: Iterator, encoding: str | None) -> Iterator:
    """``items`` (a lazy reader) with each step read in ``encoding``."""
    while True:
        with decoding(encoding):
            try:
                item = next(items)
            except StopIteration:
                return
        yield item


def _decode(shown: str, data: bytes, encoding: str) -> str:
    """``data`` as text in an encoding other than UTF-8, without a leading byte-order mark;
    NOT_IN_ENCODING names the line of the first byte that is not ``encoding``."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data[:err.start].decode(encoding, "replace").count("\n") + 1
        raise fail(shown, line, Msg.NOT_IN_ENCODING, encoding=encoding_name(encoding), byte=data[err.start],
                   offset=err.start) from None
    return text[1:] if text.startswith("\ufeff") else text


def _utf8_error(shown: str, data: bytes, err: UnicodeDecodeError, base: int, line: int) -> InputError:
    bad = data[err.start] if err.start < len(data) else 0
    return fail(shown, line, Msg.NOT_UTF8, byte=bad, offset=base + err.start)


def iter_lines(path: Path, shown: str) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` for every line, 1-based, without the line ending.

    Lines are split on ``\\n`` only (so U+2028 inside a JSON string stays in its line);
    a trailing ``\\r`` is dropped and a UTF-8 BOM at the start of the file is skipped.
    A line that is not UTF-8 raises InputError(Msg.NOT_UTF8) naming the line. In another
    encoding (``decoding``) the file is decoded whole, and split the same way.
    """
    encoding = _ENCODING.get()
    if encoding != UTF8:
        text = _decode(shown, path.read_bytes(), encoding)
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()
        for number, line in enumerate(lines, start=1):
            yield number, line[:-1] if line.endswith("\r") else line
        return
    offset = 0
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            start = offset
            offset += len(raw)
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM):]
                start += len(BOM)
            if raw.endswith(b"\n"):
                raw = raw[:-1]
            if raw.endswith(b"\r"):
                raw = raw[:-1]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise _utf8_error(shown, raw, err, start, number) from None
            yield number, text


def read_text(path: Path, shown: str) -> str:
    """The whole file as text (BOM stripped, line endings kept); NOT_UTF8 names the line."""
    data = path.read_bytes()
    if _ENCODING.get() != UTF8:
        return _decode(shown, data, _ENCODING.get())
    skip = len(BOM) if data.startswith(BOM) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, skip + err.start) + 1
        raise _utf8_error(shown, data[skip:], err, skip, line) from None


# ----------------------------------------------------------------------------- JSON


class JsonError(ValueError):
    """``detail`` says what is wrong and at which column; ``lineno`` is the line within the parsed text."""

    def __init__(self, detail: str, lineno: int = 1):
        super().__init__(detail)
        self.detail = detail
        self.lineno = lineno


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def parse_json(text: str) -> Any:
    """Parse JSON with srsly; fall back to the standard library for what ujson rejects
    (very large integers) and for a precise error position. Raises JsonError."""
    try:
        return srsly.json_loads(text)
    except Exception:  # noqa: BLE001 - ujson raises ValueError, OverflowError, ...
        pass
    try:
        return json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as err:
        where = "column" if err.msg.endswith(" at") else "at column"  # "Unterminated string starting at"
        raise JsonError(f"{err.msg} {where} {err.colno}", err.lineno) from None
    except RecursionError:
        raise JsonError("nested too deeply") from None
    except Exception as err:  # noqa: BLE001
        raise JsonError(str(err) or type(err).__name__) from None


def dumps(obj: Any) -> str:
    """One line of JSON (ASCII-escaped, so U+2028 and friends never split a line)."""
    try:
        return srsly.json_dumps(obj)
    except (OverflowError, TypeError, ValueError):
        return json.dumps(obj, separators=(",", ":"))


# ----------------------------------------------------------------------------- validation


def check_text(shown: str, line: int | None, text: Any, *, field: str = "text") -> Problem | None:
    """A Problem if ``text`` is not a usable string (not a string, or unpaired surrogates)."""
    if not isinstance(text, str):
        if field == "text":
            return problem(shown, line, Msg.TEXT_NOT_STRING, found=describe(text))
        return problem(shown, line, Msg.BAD_FIELD, field=field, found=describe(text), expected="a string")
    bad = _SURROGATE.search(text)
    if bad:
        return problem(shown, line, Msg.BAD_CHAR, code=ord(bad.group()), offset=bad.start())
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_spans(
    shown: str, line: int | None, text: str, raw: Iterable[dict[str, Any]], *, source: str = "user",
    overlap_ok: bool = False,
) -> tuple[list[Span], list[Problem]]:
    """Check raw spans against ``text``; return the sorted Spans and every Problem.

    Each raw span is a dict with ``start``, ``end``, ``label`` and optionally
    ``token_start``/``token_end`` and ``index`` (1-based number for messages).
    A caller must drop the document if any Problem is returned. ``overlap_ok`` lets spans
    overlap (rejections and suggestions are not a flat set of entities).
    """
    problems: list[Problem] = []
    good: list[Span] = []
    length = len(text)
    for number, item in enumerate(raw, start=1):
        index = item.get("index", number)
        start, end, label = item.get("start"), item.get("end"), item.get("label")
        missing = [k for k in ("start", "end", "label") if k not in item]
        if missing:
            problems.append(problem(shown, line, Msg.BAD_SPAN, index=index,
                                    detail="no " + " and no ".join(f'"{k}"' for k in missing)))
            continue
        bad = [f'"{k}" is {describe(v)}' for k, v in (("start", start), ("end", end)) if not _is_int(v)]
        for key in ("token_start", "token_end"):
            value = item.get(key)
            if value is not None and not _is_int(value):
                bad.append(f'"{key}" is {describe(value)}')
        if bad:
            problems.append(problem(shown, line, Msg.BAD_SPAN, index=index,
                                    detail=", ".join(bad) + ", not an integer"))
            continue
        if not isinstance(label, str) or not label or any(c.isspace() for c in label):
            problems.append(problem(shown, line, Msg.BAD_LABEL, index=index, label=label))
            continue
        where = dict(index=index, start=start, end=end, label=label)
        if end < start:
            problems.append(problem(shown, line, Msg.SPAN_REVERSED, **where))
            continue
        if end == start:
            problems.append(problem(shown, line, Msg.SPAN_EMPTY, **where))
            continue
        if start < 0 or end > length:
            problems.append(problem(shown, line, Msg.SPAN_RANGE, length=length, **where))
            continue
        covered = text[start:end]
        stripped = covered.strip()
        if not stripped:
            problems.append(problem(shown, line, Msg.SPAN_ONLY_WHITESPACE, **where))
            continue
        if stripped != covered:
            fix_start = start + (len(covered) - len(covered.lstrip()))
            fix_end = end - (len(covered) - len(covered.rstrip()))
            problems.append(problem(shown, line, Msg.SPAN_WHITESPACE, start=start, end=end, label=label,
                                    fix_start=fix_start, fix_end=fix_end))
            continue
        good.append(Span(start, end, label, source, item.get("token_start"), item.get("token_end")))
    good.sort(key=lambda s: (s.start, s.end))
    if overlap_ok:
        return good, problems
    furthest: Span | None = None
    for span in good:
        if furthest is not None and span.start < furthest.end:
            problems.append(problem(
                shown, line, Msg.SPAN_OVERLAP,
                a_start=furthest.start, a_end=furthest.end, a_label=furthest.label,
                b_start=span.start, b_end=span.end, b_label=span.label,
            ))
        if furthest is None or span.end > furthest.end:
            furthest = span
    return good, problems


def triples(
    shown: str, line: int | None, value: Any, field: str
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Turn ``[[start, end, label], ...]`` (doccano, TRAIN_DATA) into raw span dicts."""
    if value is None:
        return [], []
    if not isinstance(value, list):
        return [], [problem(shown, line, Msg.BAD_FIELD, field=field, found=describe(value),
                            expected="a list of [start, end, label]")]
    raw: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for index, item in enumerate(value, start=1):
        if isinstance(item, dict) and ("start_offset" in item or "start" in item):
            raw.append({
                "start": item.get("start_offset", item.get("start")),
                "end": item.get("end_offset", item.get("end")),
                "label": item.get("label"),
                "index": index,
            })
        elif isinstance(item, (list, tuple)) and len(item) == 3:
            raw.append({"start": item[0], "end": item[1], "label": item[2], "index": index})
        else:
            problems.append(problem(shown, line, Msg.BAD_SPAN, index=index,
                                    detail=f"found {describe(item)}, expected [start, end, label]"))
    return raw, problems


# ----------------------------------------------------------------------------- writing


def atomic_write(path: Path, produce: Callable[[Path], int]) -> int:
    """Call ``produce(tmp)`` to write a sibling temporary file, then move it onto ``path``.

    On any error the temporary file is removed and ``path`` is left as it was.
    OSErrors become NerguiError(Msg.WRITE_FAILED).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.open("xb").close()  # created with the usual permissions (umask), unlike mkstemp
    except OSError as err:
        raise NerguiError(Msg.WRITE_FAILED.format(path=path, detail=err.strerror or err)) from err
    try:
        count = produce(tmp)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise NerguiError(Msg.WRITE_FAILED.format(path=path, detail=err.strerror or err)) from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def write_lines(path: Path, lines: Iterable[str]) -> int:
    """Atomically write ``lines`` (each without its newline); return how many were written."""

    def produce(tmp: Path) -> int:
        count = 0
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(line)
                fh.write("\n")
                count += 1
        return count

    return atomic_write(path, produce)


def keep_labels(spans: Iterable[Span], labels: Iterable[str]) -> list[Span]:
    """The spans whose label is in ``labels``, sorted by start."""
    wanted = set(labels)
    return sorted((s for s in spans if s.label in wanted), key=lambda s: (s.start, s.end))
