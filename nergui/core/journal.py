"""Edits kept on this machine while a database project's server cannot be reached (issue 14).

While the server is unreachable, the window's edits of the shown document (the edit objects
of ``core/edits.py``: spans added, removed, relabelled or resized, the document's state, a
prediction rejected or taken back) are made to the document in memory and appended to
``offline-journal.jsonl`` in the project's local folder (``backends.link_folder``: the one
that caches the model versions), one JSON line each, flushed and fsynced before the edit
counts as made. ``keep`` works out each edit's inverse from the document in memory, so
undo and redo work offline too (they are kept the same way), and refuses, with the store's
own messages, what the store would refuse (a span over another, a span that is not there).

When the server is back, ``replay`` sends the kept edits in order, each in one transaction
together with a check that the store still shows what the window showed when the edit was
made (the span removed or relabelled is there with the label it had; the state is the one
it had): an edit someone else's change got in the way of is a *conflict*. A conflict is
reported (``Conflict.message`` names the document, the edit and why) and stays in the
journal file, marked with why, for the user; it is not sent again. An edit the store
already holds (sent just before a crash, see below) counts as sent. The server going away
again in the middle stops the replay; the rest stays kept.

Crashes: an edit is in the journal once ``keep`` returned (fsync). The journal is rewritten
(write aside, fsync, rename) after each edit sent, so a crash between an edit's commit and
that rewrite sends it again on the next start: it is then found in the store ("already
there") and not made twice. A half-written last line (a crash inside ``keep``) was never
acknowledged and is ignored.

Two windows of one project on this machine share the file: each appends its own lines
(numbered by the clock, so they stay in order), and a replay reads the file afresh and
rewrites it keeping the other window's lines. (A line appended in the instant between a
replay's reading the file and its rename could still be dropped: the window of a rewrite
is a few milliseconds, and two windows offline on the same project at once are rare.)

What is not kept (the store's "not saved, do it again" message, as before): label edits
(the label manager), edits that give a span a label the project lacks, edits of a document
other than the shown one (an undo step of a document no longer shown), imports, training.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import srsly

from ..errors import EditConflict, Msg, NerguiError, SpanError, StoreError
from . import edits
from .records import Span
from .store import Document, Project

JOURNAL_NAME = "offline-journal.jsonl"
KINDS = {k.__name__: k for k in (edits.AddSpans, edits.RemoveSpans, edits.Relabel, edits.ReplaceSpan,
                                 edits.SetState, edits.Reject)}


# the parts of the store's messages that say "try again later" (the server gone, the project busy)
_LATER = (Msg.PG_UNREACHABLE.split("{url}", 1)[1].split("(", 1)[0], Msg.PG_BUSY.split("{url}", 1)[1].split("{", 1)[0])


def later(err: BaseException) -> bool:
    """Whether a ``StoreError`` says the server cannot be reached or is busy (not a refusal)."""
    return any(part in str(err) for part in _LATER)


class NotKept(StoreError):
    """An edit the journal cannot keep (see the module's docstring): not saved, as the store's
    "unreachable"; an undo step refused so stays on the stack for later."""


# ---- edits as JSON ---------------------------------------------------------------------------
def _span(s: Span) -> list:
    return [s.start, s.end, s.label, s.source, s.token_start, s.token_end]


def _unspan(v) -> Span | None:
    return None if v is None else Span(*v)


def encode(edit: edits.Edit) -> dict:
    kind = type(edit).__name__
    if kind not in KINDS:
        raise NotKept(Msg.JOURNAL_NOT_KEPT.format(what=edit.text or kind))
    out = {"kind": kind, "doc": edit.doc_id, "text": edit.text}
    for name, value in vars(edit).items():
        if name in ("doc_id", "text"):
            continue
        if isinstance(value, Span) or value is None and kind == "ReplaceSpan":
            value = None if value is None else _span(value)
        elif isinstance(value, tuple):
            value = [_span(s) for s in value]
        out[name] = value
    return out


def decode(row: dict) -> edits.Edit:
    kind = KINDS[row["kind"]]
    args = {k: v for k, v in row.items() if k not in ("kind", "doc", "text")}
    if row["kind"] in ("AddSpans", "RemoveSpans"):
        args["spans"] = tuple(Span(*s) for s in args["spans"])
    elif row["kind"] == "ReplaceSpan":
        args = {"old": _unspan(args["old"]), "new": _unspan(args["new"])}
    return kind(row["doc"], row["text"], **args)


# ---- what an edit does to the document in memory ---------------------------------------------
def _at(doc: Document, start: int, end: int) -> Span:
    for s in doc.spans:
        if (s.start, s.end) == (start, end):
            return s
    raise EditConflict(Msg.NO_SPAN_AT.format(doc_id=doc.id, start=start, end=end))


def _fits(doc: Document, span: Span, ignore: tuple[int, int] | None = None) -> None:
    if not 0 <= span.start < span.end <= len(doc.text):
        raise SpanError(Msg.SPAN_OUT_OF_TEXT.format(start=span.start, end=span.end, length=len(doc.text)))
    for s in doc.spans:
        if (s.start, s.end) != ignore and s.start < span.end and span.start < s.end:
            raise SpanError(Msg.SPAN_OVERLAPS.format(start=span.start, end=span.end, label=s.label,
                                                     o_start=s.start, o_end=s.end))


def inverse(edit: edits.Edit, doc: Document, rejected: set) -> edits.Edit:
    """``edit``'s inverse, worked out from the document in memory (as ``edit.apply`` would
    from the store); raises the store's ``SpanError`` / ``EditConflict`` for what the store
    would refuse, ``NotKept`` for what the journal does not keep."""
    if doc is None or edit.doc_id != doc.id or type(edit).__name__ not in KINDS:
        raise NotKept(Msg.JOURNAL_NOT_KEPT.format(what=edit.text or type(edit).__name__))
    if isinstance(edit, edits.AddSpans):
        for i, span in enumerate(edit.spans):
            _fits(doc, span)
            for other in edit.spans[:i]:
                if other.start < span.end and span.start < other.end:
                    raise SpanError(Msg.SPAN_OVERLAPS.format(start=span.start, end=span.end, label=other.label,
                                                             o_start=other.start, o_end=other.end))
        return edits.RemoveSpans(edit.doc_id, edit.text, tuple(edit.spans))
    if isinstance(edit, edits.RemoveSpans):
        return edits.AddSpans(edit.doc_id, edit.text, tuple(_at(doc, s.start, s.end) for s in edit.spans))
    if isinstance(edit, edits.Relabel):
        return edits.Relabel(edit.doc_id, edit.text, edit.start, edit.end, _at(doc, edit.start, edit.end).label)
    if isinstance(edit, edits.ReplaceSpan):
        old = _at(doc, edit.old.start, edit.old.end)
        _fits(doc, edit.new, ignore=(old.start, old.end))
        return edits.ReplaceSpan(edit.doc_id, edit.text, edit.new, old)
    if isinstance(edit, edits.SetState):
        return edits.SetState(edit.doc_id, edit.text, doc.state)
    was = (edit.start, edit.end, edit.label) in rejected
    return edits.Reject(edit.doc_id, edit.text, edit.start, edit.end, edit.label, was)


# ---- replaying: is the store still as the window saw it? ------------------------------------
def _label_at(project: Project, doc: Document, start: int, end: int) -> str | None:
    return next((s.label for s in doc.spans if (s.start, s.end) == (start, end)), None)


def precondition(project: Project, edit: edits.Edit, before: edits.Edit) -> str | None:
    """Inside the replay's transaction: ``"done"`` if the store already holds ``edit``'s
    change, None if the store shows what the window showed (send it), else why not (a conflict)."""
    doc = project.get_document(edit.doc_id)
    if isinstance(edit, edits.AddSpans):
        have = {(s.start, s.end, s.label) for s in doc.spans}
        if all((s.start, s.end, s.label) in have for s in edit.spans):
            return "done"
        return None  # the store's own checks say whether another span is in the way
    if isinstance(edit, edits.RemoveSpans):
        for s in before.spans:
            now = _label_at(project, doc, s.start, s.end)
            if now is None:
                return Msg.JOURNAL_WHY_GONE.format(start=s.start, end=s.end, label=s.label)
            if now != s.label:
                return Msg.JOURNAL_WHY_LABEL.format(start=s.start, end=s.end, label=s.label, now=now)
        return None
    if isinstance(edit, edits.Relabel):
        now = _label_at(project, doc, edit.start, edit.end)
        if now == edit.label:
            return "done"
        if now is None:
            return Msg.JOURNAL_WHY_GONE.format(start=edit.start, end=edit.end, label=before.label)
        if now != before.label:
            return Msg.JOURNAL_WHY_LABEL.format(start=edit.start, end=edit.end, label=before.label, now=now)
        return None
    if isinstance(edit, edits.ReplaceSpan):
        if _label_at(project, doc, edit.new.start, edit.new.end) == edit.new.label and (
                (edit.new.start, edit.new.end) == (edit.old.start, edit.old.end)
                or _label_at(project, doc, edit.old.start, edit.old.end) is None):
            return "done"
        now = _label_at(project, doc, edit.old.start, edit.old.end)
        if now is None:
            return Msg.JOURNAL_WHY_GONE.format(start=edit.old.start, end=edit.old.end, label=edit.old.label)
        if now != before.new.label:
            return Msg.JOURNAL_WHY_LABEL.format(start=edit.old.start, end=edit.old.end, label=before.new.label,
                                                now=now)
        return None
    if isinstance(edit, edits.SetState):
        if doc.state == edit.state:
            return "done"
        if doc.state != before.state:
            return Msg.JOURNAL_WHY_STATE.format(state=before.state, now=doc.state)
        return None
    return None  # a rejection (or taking it back) holds whatever the store shows


# ---- the journal -----------------------------------------------------------------------------
@dataclass
class Conflict:
    doc_id: int
    what: str
    why: str
    path: Path
    at: float

    @property
    def message(self) -> str:
        return Msg.JOURNAL_CONFLICT.format(doc_id=self.doc_id, what=self.what,
                                           at=time.strftime("%H:%M", time.localtime(self.at)), why=self.why,
                                           path=self.path)


@dataclass
class Replayed:
    sent: int = 0
    already: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    stopped: StoreError | None = None  # the server went away again: the rest is still kept
    states: list[int] = field(default_factory=list)  # documents whose state was sent (in order)


class Journal:
    """The offline journal of one database project (see the module's docstring)."""

    def __init__(self, folder: str | os.PathLike):
        self.path = Path(folder) / JOURNAL_NAME
        self._done: set[int] = set()  # seqs this object sent (another window's rows on disk stay)
        self.rows, torn = self._load()
        if torn:  # without the torn tail, or the next line would be glued to it
            self._rewrite()

    def _load(self) -> tuple[list[dict], bool]:
        """The rows on disk (another window of the project on this machine may have added
        some), and whether the file ends in a half-written line."""
        if not self.path.exists():
            return [], False
        text = self.path.read_text(encoding="utf-8")
        rows = []
        for line in text.splitlines():
            try:
                row = srsly.json_loads(line)
            except ValueError:  # a half-written last line: that edit was never acknowledged
                continue
            if isinstance(row, dict) and isinstance(row.get("seq"), int):
                rows.append(row)
        return rows, bool(text) and not text.endswith("\n")

    @property
    def pending(self) -> int:
        """Edits kept and not sent yet (conflicts left for the user are not counted)."""
        return sum("conflict" not in r for r in self.rows)

    @property
    def conflicts(self) -> int:
        return sum("conflict" in r for r in self.rows)

    def keep(self, edit: edits.Edit, doc: Document, rejected: set) -> edits.Edit:
        """Keep ``edit`` of the shown document ``doc``; returns its inverse. The caller then
        patches the document in memory, as after an edit the store made."""
        back = inverse(edit, doc, rejected)
        last = max((r["seq"] for r in self.rows), default=0)
        row = {"seq": max(time.time_ns(), last + 1), "at": time.time(),  # in order across windows too
               "edit": encode(edit), "before": encode(back)}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(srsly.json_dumps(row) + "\n")
            f.flush()
            os.fsync(f.fileno())
        self.rows.append(row)
        return back

    def _rewrite(self) -> None:
        """Write the journal again: the rows on disk (another window's too) but those sent,
        with this object's conflict marks; aside, fsync, rename."""
        mine = {r["seq"]: r for r in self.rows}
        disk, _ = self._load()
        on_disk = {r["seq"] for r in disk}
        self.rows = sorted((r for r in [*(mine.get(r["seq"], r) for r in disk),
                                        *(r for r in self.rows if r["seq"] not in on_disk)]
                            if r["seq"] not in self._done), key=lambda r: r["seq"])
        if not self.rows:
            self.path.unlink(missing_ok=True)
            return
        aside = self.path.with_name("." + self.path.name + ".new")
        with open(aside, "w", encoding="utf-8") as f:
            f.write("".join(srsly.json_dumps(r) + "\n" for r in self.rows))
            f.flush()
            os.fsync(f.fileno())
        os.replace(aside, self.path)
        if hasattr(os, "O_DIRECTORY"):
            fd = os.open(self.path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def replay(self, project: Project) -> Replayed:
        """Send the kept edits in order, one transaction each (see the module's docstring)."""
        out = Replayed()
        self.rows, _ = self._load()  # another window of the project may have kept edits too
        for row in list(self.rows):
            if "conflict" in row:
                continue
            try:
                edit, before = decode(row["edit"]), decode(row["before"])
            except (KeyError, TypeError, ValueError) as err:  # a line changed by hand: left for the user
                row["conflict"] = Msg.JOURNAL_WHY_UNREADABLE.format(detail=f"{type(err).__name__}: {err}")
                doc_id = row["edit"].get("doc", 0) if isinstance(row.get("edit"), dict) else 0
                out.conflicts.append(Conflict(doc_id, f"edit {row['seq']}", row["conflict"], self.path,
                                              row.get("at", 0.0)))
                self._rewrite()
                continue
            try:
                with project.transaction():
                    why = precondition(project, edit, before)
                    if why is None:
                        edit.apply(project)
            except StoreError as err:
                if later(err):  # gone again, or busy: this and the rest stay kept
                    out.stopped = err
                    break
                why = str(err)  # refused for good (not this annotator's row): left for the user
            except NerguiError as err:  # the store refused it: someone else's span is in the way
                why = str(err)
            if why in ("done", None):
                if why is None:
                    out.sent += 1
                else:
                    out.already += 1
                if isinstance(edit, edits.SetState):
                    out.states.append(edit.doc_id)
                self._done.add(row["seq"])
                self.rows.remove(row)
            else:
                row["conflict"] = why
                out.conflicts.append(Conflict(edit.doc_id, edit.text or row["edit"]["kind"], why, self.path,
                                              row["at"]))
            self._rewrite()
        return out
