"""The project's labels as the user controls them: add, rename, recolour, give a key, merge, delete.

Every change is an ``Edit`` (``nergui.core.edits``) made in one store transaction, whose
``apply`` returns its exact inverse: the label's row as it was (colour, key, place in the
order) and every span a merge or a deletion took, under its own row id. Undo leaves the
store as it was before, redo as it was after (tests/core/test_label_edits.py).

A label edit belongs to no document (``doc_id`` is ``PROJECT``): ``changes_labels()`` tells
the session to re-read the labels, ``everywhere()`` that spans of any document may have
changed, so the shown one is read back rather than patched.

Spans are renamed, merged and deleted with their label. Rejected predictions and the
suggestions imported with a file are not: they hold what a model said, in the model's own
names (a rejected ORG of the model stays hidden after the user's ORG became BRAND).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import EditConflict, LabelError, Msg
from .edits import PROJECT, Edit
from .store import Document, Project
from .store_errors import translated
from .store_schema import _PALETTE, DISPLACY_COLOURS

KEYS = tuple("123456789")  # the keys a label can take in the label manager
AUTO = ""  # AddLabel's shortcut: the first key no label has
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_SPAN_COLUMNS = "id, doc_id, start, end, token_start, token_end, label, source, annotator"

# A span as stored: (id, doc_id, start, end, token_start, token_end, label, source, annotator).
Row = tuple[int, int, int, int, "int | None", "int | None", str, str, "str | None"]


@dataclass(frozen=True)
class Label:
    name: str
    colour: str
    shortcut: str | None
    position: int


def all_labels(project: Project) -> list[Label]:
    """The project's labels in their order, with colour, key and position."""
    with translated(project.path):
        rows = project.conn.execute("SELECT name, colour, shortcut, position FROM labels ORDER BY position, name")
        return [Label(*r) for r in rows]


def span_counts(project: Project) -> dict[str, int]:
    """Spans per label over every document (what deleting a label would remove)."""
    return project.counts_by_label(state=None)


def merge_counts(project: Project, name: str, into: str) -> tuple[int, int]:
    """What merging ``name`` into ``into`` does: ``(moved, dropped)``: spans that take the
    label ``into``, and spans dropped because one of ``into`` is already at the same place."""
    with translated(project.path):
        total = project.conn.execute("SELECT count(*) FROM spans WHERE label = ?", (name,)).fetchone()[0]
        dropped = len(_duplicates(project.conn, name, into))
    return total - dropped, dropped


def name_problem(name: str, taken: Iterable[str] = ()) -> str | None:
    """Why ``name`` cannot be a label's name (empty, holding spaces, already a label), or None."""
    if not name.strip():
        return Msg.LABEL_NO_NAME
    if any(c.isspace() for c in name):
        return Msg.LABEL_SPACES.format(name=name, suggestion="_".join(name.split()))
    if name in set(taken):
        return Msg.LABEL_EXISTS.format(name=name)
    return None


def default_colour(name: str, position: int) -> str:
    """displaCy's colour for a standard type, else the palette's for this place."""
    return DISPLACY_COLOURS.get(name) or _PALETTE[position % len(_PALETTE)]


# ---- the labels of a file (the new-project dialog proposes them) -------------------------------------
WHOLE_FILE_BYTES = 20_000_000
BIG_FILE_DOCUMENTS = 20_000


@dataclass
class FileLabels:
    """The labels a file's spans carry, most used first, with how many spans each."""

    counts: dict[str, int] = field(default_factory=dict)
    documents: int = 0
    complete: bool = True  # False: a big file, counted over its first ``documents`` only


def file_labels(path: str | Path) -> FileLabels:
    """Count the spans per label in an annotated file, read as an import would read it (the
    format detected). A file over 20 MB is counted over its first 20,000 documents. Raises
    NerguiError when the file cannot be read; bad documents are passed over."""
    from . import formats
    from .records import Record

    path = Path(path)
    big = path.is_file() and path.stat().st_size > WHOLE_FILE_BYTES
    counts: Counter[str] = Counter()
    out = FileLabels()
    items = formats.read(path)
    for item in itertools.islice(items, BIG_FILE_DOCUMENTS if big else None):
        if isinstance(item, Record):
            out.documents += 1
            counts.update(s.label for s in item.spans)
    out.complete = not big or out.documents < BIG_FILE_DOCUMENTS
    out.counts = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


def leave_out(project: Project, names: Iterable[str]) -> int:
    """Remove these labels and every span they have, not as an undo step (a new project
    leaves out the file's labels the user unticked); returns how many spans went."""
    names = list(names)
    if not names:
        return 0
    with project.transaction() as conn:
        marks = ",".join("?" * len(names))
        gone = conn.execute(f"DELETE FROM spans WHERE label IN ({marks})", names).rowcount
        conn.execute(f"DELETE FROM labels WHERE name IN ({marks})", names)
    return gone


# ---- the edits --------------------------------------------------------------------------------------
def _row(conn, name: str) -> Label | None:
    r = conn.execute("SELECT name, colour, shortcut, position FROM labels WHERE name = ?", (name,)).fetchone()
    return Label(*r) if r else None


def _need(conn, name: str) -> Label:
    label = _row(conn, name)
    if label is None:
        raise EditConflict(Msg.NO_LABEL.format(name=name))
    return label


def _duplicates(conn, name: str, into: str) -> list[int]:
    """Ids of the spans of ``name`` at the very place of a span of ``into``."""
    return [r[0] for r in conn.execute(
        "SELECT a.id FROM spans a JOIN spans b ON b.doc_id = a.doc_id AND b.start = a.start AND b.end = a.end"
        " AND coalesce(b.annotator, '') = coalesce(a.annotator, '')"  # in one version (a team's: versions.py)
        " WHERE a.label = ? AND b.label = ? ORDER BY a.id", (name, into))]


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass(frozen=True)
class LabelEdit(Edit):
    """A change of the project's labels (no document's: ``doc_id`` is ``PROJECT``)."""

    doc_id: int = PROJECT
    name: str = ""

    def changes_labels(self) -> bool:
        return True

    def patch(self, doc: Document, rejected: set[tuple[int, int, str]]) -> None:
        """Nothing in memory: a label edit that changes spans is ``everywhere()``, and the
        session reads the shown document back after it."""


@dataclass(frozen=True)
class AddLabel(LabelEdit):
    """Add a label after the others. ``colour`` "": displaCy's for a standard type, else the
    palette's; ``shortcut`` AUTO: the first key 1-9 no label has, None: no key."""

    colour: str = ""
    shortcut: str | None = AUTO

    def apply(self, project: Project) -> Edit:
        with project.transaction() as conn:
            rows = conn.execute("SELECT name, shortcut, position FROM labels").fetchall()
            problem = name_problem(self.name, (r[0] for r in rows))
            if problem:
                raise LabelError(problem)
            keys = {r[1] for r in rows}
            shortcut = next((k for k in KEYS if k not in keys), None) if self.shortcut == AUTO else self.shortcut
            if self.shortcut not in (AUTO, None) and (self.shortcut not in KEYS or self.shortcut in keys):
                raise LabelError(Msg.LABEL_BAD_KEY.format(key=self.shortcut))
            if self.colour and not _COLOUR.fullmatch(self.colour):
                raise LabelError(Msg.LABEL_BAD_COLOUR.format(colour=self.colour))
            position = max((r[2] for r in rows), default=-1) + 1
            conn.execute("INSERT INTO labels (name, colour, shortcut, position) VALUES (?, ?, ?, ?)",
                         (self.name, self.colour or default_colour(self.name, position), shortcut, position))
        return DeleteLabel(text=self.text, name=self.name)


@dataclass(frozen=True)
class RenameLabel(LabelEdit):
    """Give a label another name, and its spans with it; its colour, key and place stay."""

    new: str = ""

    def apply(self, project: Project) -> Edit:
        with project.transaction() as conn:
            _need(conn, self.name)
            others = [r[0] for r in conn.execute("SELECT name FROM labels WHERE name != ?", (self.name,))]
            problem = name_problem(self.new, others)
            if problem is None and self.new == self.name:
                problem = Msg.LABEL_SAME_NAME.format(name=self.name)
            if problem is None and conn.execute("SELECT 1 FROM spans WHERE label = ? LIMIT 1", (self.new,)).fetchone():
                problem = Msg.LABEL_EXISTS.format(name=self.new)  # spans of a label the table lacks: never merged by a rename
            if problem:
                raise LabelError(problem)
            conn.execute("UPDATE labels SET name = ? WHERE name = ?", (self.new, self.name))
            conn.execute("UPDATE spans SET label = ? WHERE label = ?", (self.new, self.name))
        return RenameLabel(text=self.text, name=self.new, new=self.name)

    def everywhere(self) -> bool:
        return True

    def successor(self, name: str | None) -> str | None:
        return self.new if name == self.name else name


@dataclass(frozen=True)
class SetLabelColour(LabelEdit):
    colour: str = ""

    def apply(self, project: Project) -> Edit:
        if not _COLOUR.fullmatch(self.colour or ""):
            raise LabelError(Msg.LABEL_BAD_COLOUR.format(colour=self.colour))
        with project.transaction() as conn:
            old = _need(conn, self.name).colour
            conn.execute("UPDATE labels SET colour = ? WHERE name = ?", (self.colour, self.name))
        return SetLabelColour(text=self.text, name=self.name, colour=old)


@dataclass(frozen=True)
class SetLabelKeys(LabelEdit):
    """Set these labels' keys exactly, ``((name, key or None), ...)``: the inverse of a key change."""

    keys: tuple[tuple[str, str | None], ...] = ()

    def apply(self, project: Project) -> Edit:
        with project.transaction() as conn:
            old = tuple((name, _need(conn, name).shortcut) for name, _ in self.keys)
            conn.executemany("UPDATE labels SET shortcut = ? WHERE name = ?", [(k, n) for n, k in self.keys])
        return SetLabelKeys(text=self.text, keys=old)


@dataclass(frozen=True)
class SetLabelKey(LabelEdit):
    """Give a label the key ``shortcut`` (1-9, or None for no key); the label that had it
    takes this one's old key (the two swap), so no two labels share a key."""

    shortcut: str | None = None

    def apply(self, project: Project) -> Edit:
        if self.shortcut is not None and self.shortcut not in KEYS:
            raise LabelError(Msg.LABEL_BAD_KEY.format(key=self.shortcut))
        with project.transaction() as conn:
            old = _need(conn, self.name).shortcut
            keys = [(self.name, self.shortcut)]
            if self.shortcut is not None:
                keys += [(r[0], old) for r in conn.execute(
                    "SELECT name FROM labels WHERE shortcut = ? AND name != ?", (self.shortcut, self.name))]
            return SetLabelKeys(text=self.text, keys=tuple(keys)).apply(project)


@dataclass(frozen=True)
class DeleteLabel(LabelEdit):
    """Delete a label: its spans are removed, or (``move_to``) take that label instead; a span
    that would then sit where one of ``move_to`` already is, is removed (one of the two stays)."""

    move_to: str | None = None

    def apply(self, project: Project) -> Edit:
        with project.transaction() as conn:
            label = _need(conn, self.name)
            if self.move_to is not None:
                _need(conn, self.move_to)
                if self.move_to == self.name:
                    raise LabelError(Msg.LABEL_MERGE_SELF.format(name=self.name))
            if self.move_to is None:
                removed = conn.execute(f"SELECT {_SPAN_COLUMNS} FROM spans WHERE label = ? ORDER BY id",
                                       (self.name,)).fetchall()
                moved: list[int] = []
            else:
                dup = set(_duplicates(conn, self.name, self.move_to))
                rows = conn.execute(f"SELECT {_SPAN_COLUMNS} FROM spans WHERE label = ? ORDER BY id",
                                    (self.name,)).fetchall()
                removed = [r for r in rows if r[0] in dup]
                moved = [r[0] for r in rows if r[0] not in dup]
            conn.executemany("DELETE FROM spans WHERE id = ?", [(r[0],) for r in removed])
            if self.move_to is not None:
                conn.execute("UPDATE spans SET label = ? WHERE label = ?", (self.move_to, self.name))
            conn.execute("DELETE FROM labels WHERE name = ?", (self.name,))
        return RestoreLabel(text=self.text, name=self.name, label=label, removed=tuple(map(tuple, removed)),
                            moved=tuple(moved), move_to=self.move_to)

    def everywhere(self) -> bool:
        return True

    def successor(self, name: str | None) -> str | None:
        return self.move_to if name == self.name else name


@dataclass(frozen=True)
class MergeLabels(DeleteLabel):
    """Merge label ``name`` into ``move_to``: its spans become ``move_to``'s, and it is gone
    (spans that would then repeat one of ``move_to`` at the same place are dropped)."""

    @property
    def into(self) -> str | None:
        return self.move_to


@dataclass(frozen=True)
class RestoreLabel(LabelEdit):
    """Undo a deletion or a merge: the label's row as it was, the spans moved away given
    back their label, the spans removed put back under their own ids."""

    label: Label | None = None
    removed: tuple[Row, ...] = ()
    moved: tuple[int, ...] = ()
    move_to: str | None = None

    def apply(self, project: Project) -> Edit:
        lab = self.label
        with project.transaction() as conn:
            if _row(conn, lab.name) is not None:
                raise EditConflict(Msg.LABEL_EXISTS.format(name=lab.name))
            conn.execute("INSERT INTO labels (name, colour, shortcut, position) VALUES (?, ?, ?, ?)",
                         (lab.name, lab.colour, lab.shortcut, lab.position))
            for chunk in _chunks(list(self.moved)):
                marks = ",".join("?" * len(chunk))
                n = conn.execute(f"UPDATE spans SET label = ? WHERE label = ? AND id IN ({marks})",
                                 (lab.name, self.move_to, *chunk)).rowcount
                if n != len(chunk):
                    raise EditConflict(Msg.LABEL_SPANS_CHANGED.format(name=lab.name))
            taken = set()
            for chunk in _chunks([r[0] for r in self.removed]):
                marks = ",".join("?" * len(chunk))
                taken |= {r[0] for r in conn.execute(f"SELECT id FROM spans WHERE id IN ({marks})", chunk)}
            conn.executemany(f"INSERT INTO spans ({_SPAN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             [(None if r[0] in taken else r[0], *r[1:]) for r in self.removed])
        cls = MergeLabels if self.move_to is not None else DeleteLabel
        return cls(text=self.text, name=lab.name, move_to=self.move_to)

    def everywhere(self) -> bool:
        return bool(self.removed or self.moved)
