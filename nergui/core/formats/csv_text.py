"""CSV and TSV with a header row and a column of text: a spreadsheet's or pandas' export.

    id,text,source
    1,"Acme roasts coffee in Portland, Oregon.",blog

Each row is a document ("todo", no spans): its text from the text column, every other column
in its meta by the header's name. The text column is the one named like a text ("text",
"sentence", "content", "body"...; see ``TEXT_NAMES``), or the one the user names
(``text_key``: the import dialog's Text column, ``--text-key``). The delimiter is a comma,
a tab, a semicolon or a bar, found from the header row (a tab for ``.tsv``). Rows whose text
is empty are left out (``notes`` says how many); a row with more or fewer fields than the
header is a Problem naming its line, since a field holding the delimiter was likely not quoted.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import Msg
from ..records import Problem, Record
from ._common import check_text, fail, problem, read_text

#: header names taken for the text column, in this order of preference (compared ignoring case)
TEXT_NAMES = ("text", "sentence", "sentences", "content", "body", "document", "doc", "message", "tweet", "review",
              "comment", "abstract", "description", "paragraph", "utterance", "passage")
DELIMITERS = (",", "\t", ";", "|")
SUFFIXES = {".csv": ",", ".tsv": "\t", ".tab": "\t"}
_NAMES = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}


@dataclass(frozen=True)
class Table:
    """How a file's rows are split, its header, and the text column (None: not found by name)."""

    delimiter: str
    header: tuple[str, ...]
    text_column: int | None

    @property
    def kind(self) -> str:
        return "TSV" if self.delimiter == "\t" else "CSV"

    def describe(self) -> str:
        shown = f'text in column "{self.header[self.text_column]}"' if self.text_column is not None else \
            "no column named like a text"
        return f"{self.kind} ({_NAMES[self.delimiter]}-separated) with a header row, {shown}"


def _rows(lines: list[str], delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:
        return []


def text_column(header: list[str] | tuple[str, ...], wanted: str | None = None) -> int | None:
    """The index of the column named ``wanted`` (exactly, else ignoring case), else of the
    first of ``TEXT_NAMES`` in the header; None if none is."""
    folded = [h.strip().casefold() for h in header]
    if wanted is not None:
        if wanted in header:
            return list(header).index(wanted)
        return folded.index(wanted.strip().casefold()) if wanted.strip().casefold() in folded else None
    return next((folded.index(name) for name in TEXT_NAMES if name in folded), None)


def sniff(lines: list[str], suffix: str = "") -> Table | None:
    """A Table if ``lines`` (the first lines of a file) look like CSV or TSV with a header.

    The header must name a text column (``TEXT_NAMES``) and hold no entity tag (so a CoNLL
    file starting with the token "text" is not taken) and no name twice. It has two columns or
    more, or one with a ``.csv`` or ``.tsv`` name (whose delimiter is tried first). Any other
    CSV is read when the user chooses the format and the text column.
    """
    from .tags import parse_tag

    body = [line for line in lines if line.strip()]
    if not body:
        return None
    named = suffix in SUFFIXES
    order = sorted(DELIMITERS, key=lambda d: d != SUFFIXES.get(suffix))
    for delimiter in order:
        rows = _rows(body[:20], delimiter)
        if not rows or len(rows[0]) < (1 if named and delimiter == SUFFIXES[suffix] else 2):
            continue
        header = [h.strip() for h in rows[0]]
        column = text_column(header)
        if column is None or any(parse_tag(h) is not None for h in header if h) or len(set(header)) < len(header):
            continue
        return Table(delimiter, tuple(header), column)
    return None


def table_of(path: Path, shown: str | None = None, delimiter: str | None = None) -> Table | None:
    """The Table of ``path`` (its header read with ``delimiter`` if given), or None."""
    from .conll import first_lines

    shown = str(path) if shown is None else shown
    lines = first_lines(Path(path), shown)
    if delimiter is not None:
        rows = _rows([line for line in lines if line.strip()][:1], delimiter)
        if not rows:
            return None
        header = tuple(h.strip() for h in rows[0])
        return Table(delimiter, header, text_column(header))
    suffix = Path(path).suffix.lower()
    found = sniff(lines, suffix)
    if found is not None:
        return found
    body = [line for line in lines if line.strip()][:20]
    for delimiter in sorted(DELIMITERS, key=lambda d: d != SUFFIXES.get(suffix, ",")):
        rows = _rows(body, delimiter)  # no column named like a text: the delimiter that splits every row alike
        if rows and len(rows[0]) >= 2 and all(len(r) == len(rows[0]) for r in rows):
            header = tuple(h.strip() for h in rows[0])
            return Table(delimiter, header, text_column(header))
    return None


def read(path: Path, shown: str | None = None, *, delimiter: str | None = None, text_key: str | None = None,
         notes: list[str] | None = None, **options: Any) -> Iterator[Record | Problem]:
    """One Record per row with a text; a Problem per row that cannot be read."""
    path = Path(path)
    shown = str(path) if shown is None else shown
    table = table_of(path, shown, delimiter)
    if table is None:
        table = Table(delimiter or SUFFIXES.get(path.suffix.lower(), ","), ("text",), None)
    content = read_text(path, shown)
    # a document may be longer than the csv module's default field limit (128 KiB); it only grows
    csv.field_size_limit(max(csv.field_size_limit(), min(len(content) + 1, 2**31 - 1, sys.maxsize)))
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=table.delimiter)
    lines = iter(_numbered(reader, shown, table.kind))
    try:
        first = next(lines)
    except StopIteration:
        raise fail(shown, None, Msg.EMPTY_FILE) from None
    if isinstance(first, Problem):
        yield first
        return
    _, raw_header = first
    header = [h.strip() or f"column {i + 1}" for i, h in enumerate(raw_header)]
    column = text_column(header, text_key)
    columns = ", ".join(f'"{h}"' for h in header)
    if column is None:
        template = Msg.CSV_NO_SUCH_COLUMN if text_key else Msg.CSV_NO_TEXT_COLUMN
        raise fail(shown, None, template, name=text_key, names=", ".join(TEXT_NAMES[:4]) + "\u2026",
                   columns=columns)
    empty = rows = 0
    for item in lines:
        if isinstance(item, Problem):
            yield item
            continue
        number, row = item
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        rows += 1
        if len(row) != len(header):
            yield problem(shown, number, Msg.CSV_ROW_WIDTH, found=len(row), expected=len(header),
                          delimiter=f"a {_NAMES[table.delimiter]}")
            continue
        text = row[column].replace("\r\n", "\n")
        if not text.strip():
            empty += 1
            continue
        bad = check_text(shown, number, text)
        if bad:
            yield bad
            continue
        meta = {name: value for i, (name, value) in enumerate(zip(header, row)) if i != column}
        yield Record(text=text, state="todo", meta=meta, line=number)
    if rows == 0 and empty == 0:
        raise fail(shown, None, Msg.CSV_ONLY_HEADER, columns=columns)
    if notes is not None:
        kept = [h for i, h in enumerate(header) if i != column]
        notes.append(f'text from column "{header[column]}"' + (f"; kept as meta: {', '.join(kept)}" if kept else ""))
        if empty:
            notes.append(f"{empty} row(s) with an empty text left out")


def _numbered(reader, shown: str, kind: str) -> Iterator[tuple[int, list[str]] | Problem]:
    """``(line, row)`` for each row, its line the one it starts on; a Problem ends it if the
    csv module cannot go on (a NUL byte, a field beyond its size limit)."""
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield problem(shown, reader.line_num, Msg.CSV_BAD_ROW, kind=kind, detail=err)
            return
        yield start, row
        start = reader.line_num + 1
