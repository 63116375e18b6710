"""What a file would import as, before anything is written: the import dialog's preview.

    shown = preview_file("train.txt")                  # detected format
    shown = preview_file("train.txt", "conll", columns=(1, 3))
    shown = preview_file("names.csv", encoding="cp1252")
    shown.detection.detected, shown.documents[:5], shown.problems, shown.notes

Reading stops after ``limit`` items for a big file; ``complete`` says whether the whole
file was read (the counts are then the import's own).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import NerguiError
from ..records import Problem, Record
from ._common import decoding
from .conll import Columns
from .csv_text import table_of
from .detect import Detection, described, detect

WHOLE_FILE_BYTES = 20_000_000


@dataclass
class Preview:
    detection: Detection | None = None
    error: str = ""  # the file cannot be read as chosen (or its format cannot be told)
    failure: NerguiError | None = None  # the error itself, when there is one
    documents: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    complete: bool = False
    columns: Columns | None = None  # for column files: the columns used
    header: tuple[str, ...] = ()  # for CSV/TSV: the header row's names
    spans: int = 0

    @property
    def fmt(self) -> str | None:
        return self.detection.fmt if self.detection else None


def preview_file(path: str | Path, fmt: str | None = None, *, columns: tuple[int, int] | None = None,
                 text_key: str | None = None, encoding: str | None = None, limit: int = 2000) -> Preview:
    """Read ``path`` as the importer would (the format detected, or ``fmt``; decoded as
    ``encoding``, default UTF-8) without importing it."""
    from . import read

    out = Preview()
    try:
        found = detect(path, encoding=encoding)
    except NerguiError as err:
        if fmt is None:
            out.error, out.failure = str(err), err
            return out
        found = None
    out.detection = found if fmt is None or (found is not None and found.fmt == fmt) else described(fmt)
    from . import reader_options

    try:
        options = reader_options(path, out.detection, columns=columns if out.detection.fmt == "conll" else None,
                                 text_key=text_key, encoding=encoding)
        out.columns = options.get("columns")
        if out.detection.fmt == "csv":
            with decoding(encoding):
                table = table_of(Path(path), str(path), options.get("delimiter"))
            out.header = table.header if table is not None else ()
    except NerguiError as err:
        out.error, out.failure = str(err), err
        return out
    try:
        big = Path(path).is_file() and Path(path).stat().st_size > WHOLE_FILE_BYTES
        items = read(path, out.detection.fmt, notes=out.notes, **options)
        for item in itertools.islice(items, limit if big else None):
            if isinstance(item, Problem):
                out.problems.append(item)
            else:
                out.documents.append(item)
                out.spans += len(item.spans)
        out.complete = not big
    except NerguiError as err:
        out.error, out.failure = str(err), err
    return out
