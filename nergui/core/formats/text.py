"""Plain text: one document per non-empty line ("text"), or one per .txt file in a folder
("text_files"). Documents start as "todo" without spans."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import InputError, Msg
from ..records import Problem, Record
from ._common import check_file, check_text, fail, iter_lines, read_text


def read(path: Path, shown: str | None = None, **options: Any) -> Iterator[Record | Problem]:
    """One Record per line that is not blank; the line ending (LF or CRLF) is not part of the text."""
    shown = str(path) if shown is None else shown
    for number, line in iter_lines(Path(path), shown):
        if not line.strip():
            continue
        yield Record(text=line, state="todo", line=number)


def read_files(path: Path, shown: str | None = None, **options: Any) -> Iterator[Record | Problem]:
    """One Record per ``*.txt`` file in the folder (sorted by name, not recursive).

    ``meta`` is ``{"file": name}`` and ``line`` the 1-based position of the file in that order.
    The text is the whole file with CRLF turned into LF and trailing line breaks removed.
    A file that cannot be used (not UTF-8, binary, empty) is a Problem naming that file.
    """
    folder = Path(path)
    shown = str(path) if shown is None else shown
    files = sorted(
        (p for p in folder.iterdir() if p.suffix.lower() == ".txt" and p.is_file()),
        key=lambda p: p.name,
    )
    if not files:
        raise fail(shown, None, Msg.NO_TXT_FILES)
    for number, file in enumerate(files, start=1):
        file_shown = str(Path(shown) / file.name)
        try:
            check_file(file, file_shown, "text_files")
            text = read_text(file, file_shown)
        except InputError as err:
            yield from err.problems or [Problem(file_shown, None, str(err))]
            continue
        text = text.replace("\r\n", "\n").rstrip("\r\n")
        bad = check_text(file_shown, None, text)
        if bad:
            yield bad
            continue
        yield Record(text=text, state="todo", meta={"file": file.name}, line=number)
