"""Reading a project: counts, lists of ids and pages, documents with their spans.

Part of ``Project`` (``nergui.core.store``): listing, counting and filtering are indexed
queries that never load the corpus into memory. Every public method raises ``StoreError``,
never the database driver's error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import Msg, ProjectError
from .records import STATES, Record, Span
from .store_errors import guard_public_methods
from .store_filter import Filter, _where
from .versions import FINAL_SPAN, VERSION_STATE, final_clause, is_team, list_version, version_clause, version_state


@dataclass
class Document:
    id: int
    text: str
    state: str
    meta: dict[str, Any]
    spans: list[Span] = field(default_factory=list)  # sorted by (start, end)
    suggestions: list[Span] = field(default_factory=list)  # imported with the file (a model's proposals)


@guard_public_methods()
class Reading:
    """The queries of ``Project`` (a mixin: it uses ``self.conn`` and ``self.backend``)."""

    def count(self, flt: Filter | None = None) -> int:
        where, args = _where(flt, self.backend.dialect, list_version(self))
        return self.conn.execute(f"SELECT count(*) FROM documents d {where}", args).fetchone()[0]

    def counts_by_state(self, *, mine: bool = False) -> dict[str, int]:
        """Documents per state: the documents' own (final) states, or with ``mine``, in a team's
        project, the states of this annotator's versions (the document list's counts)."""
        counts = dict.fromkeys(STATES, 0)
        who = list_version(self) if mine else None
        rows = (self.conn.execute(f"SELECT {VERSION_STATE} AS st, count(*) FROM documents d GROUP BY st", (who,))
                if who else self.conn.execute("SELECT state, count(*) FROM documents GROUP BY state"))
        for state, n in rows:
            counts[state] = n
        return counts

    def counts_by_label(self, *, state: str | None = "accepted") -> dict[str, int]:
        """Number of spans per label, in documents of ``state`` (their final versions in a
        team's project: what training reads), or every span (None: all documents)."""
        if state is None:
            rows = self.conn.execute("SELECT label, count(*) FROM spans GROUP BY label")
        else:
            final = f" AND {FINAL_SPAN}" if is_team(self) else ""
            rows = self.conn.execute(
                "SELECT s.label, count(*) FROM spans s JOIN documents d ON d.id = s.doc_id"
                f" WHERE d.state = ?{final} GROUP BY s.label", (state,))
        return dict(rows.fetchall())

    def span_texts(self, *, state: str = "accepted", labels: Sequence[str] | None = None) -> list[tuple[str, str, int]]:
        """``(text, label, n)``: each text marked as a label in documents of ``state`` (their
        final versions in a team's project), and how many times (the review mode asks about
        such a text where it comes again)."""
        final = f" AND {FINAL_SPAN}" if is_team(self) else ""
        rows = self.conn.execute(
            "SELECT substr(d.text, s.start + 1, s.end - s.start), s.label, count(*) FROM spans s"
            f" JOIN documents d ON d.id = s.doc_id WHERE d.state = ?{final} GROUP BY 1, 2", (state,)).fetchall()
        wanted = None if labels is None else set(labels)
        return sorted((t, lab, n) for t, lab, n in rows if wanted is None or lab in wanted)

    def doc_ids(self, flt: Filter | None = None) -> list[int]:
        """The ids of every document that passes the filter, in order (ints only, not texts)."""
        where, args = _where(flt, self.backend.dialect, list_version(self))
        return [r[0] for r in self.conn.execute(f"SELECT id FROM documents d {where} ORDER BY id", args)]

    def next_id(self, flt: Filter | None = None, *, after: int = 0) -> int | None:
        """The first id above ``after`` that passes the filter (file order), or None."""
        where, args = _where(flt, self.backend.dialect, list_version(self))
        joiner = "AND" if where else "WHERE"
        row = self.conn.execute(f"SELECT id FROM documents d {where} {joiner} d.id > ? ORDER BY id LIMIT 1",
                                (*args, after)).fetchone()
        return row[0] if row else None

    def input_hashes(self) -> list[tuple[int, str, str]]:
        """``(id, input_hash, state)`` of every document (what the evaluation sample is chosen by)."""
        return [tuple(r) for r in self.conn.execute("SELECT id, input_hash, state FROM documents ORDER BY id")]

    def page(self, flt: Filter | None = None, *, offset: int = 0, limit: int = 100, preview: int = 120):
        """Rows ``(id, state, first characters of the text)`` for one page of a list (a team's
        project: the state of this annotator's version)."""
        mine = list_version(self)
        where, args = _where(flt, self.backend.dialect, mine)
        state_sql, first = (VERSION_STATE, (mine,)) if mine else ("d.state", ())
        sql = f"SELECT id, {state_sql}, substr(text, 1, ?) FROM documents d {where} ORDER BY id LIMIT ? OFFSET ?"
        return self.conn.execute(sql, (*first, preview, *args, limit, offset)).fetchall()

    def previews(self, ids: list[int], *, preview: int = 120) -> dict[int, tuple[str, str]]:
        """``{id: (state, first characters)}`` for the given ids."""
        out: dict[int, tuple[str, str]] = {}
        mine = list_version(self)
        state_sql, first = (VERSION_STATE, (mine,)) if mine else ("d.state", ())
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for doc_id, state, text in self.conn.execute(
                f"SELECT id, {state_sql}, substr(text, 1, ?) FROM documents d WHERE id IN ({marks})",
                (*first, preview, *chunk)
            ):
                out[doc_id] = (state, text)
        return out

    def authors(self, doc_id: int) -> dict[str, dict[tuple[int, int, str], str | None]]:
        """Who made each span and each rejection of a document: ``{"spans": {(start, end,
        label): annotator}, "rejections": {...}}`` (None: made before nergui recorded it)."""
        return {
            "spans": {(a, b, lab): who for a, b, lab, who in self.conn.execute(
                "SELECT start, end, label, annotator FROM spans WHERE doc_id = ?", (doc_id,))},
            "rejections": {(a, b, lab): who for a, b, lab, who in self.conn.execute(
                "SELECT start, end, label, annotator FROM rejections WHERE doc_id = ?", (doc_id,))},
        }

    def get_document(self, doc_id: int) -> Document:
        """A document with its spans: in a team's project, the version of ``self.annotator``
        (its spans, and its annotator's verdict as its state: ``core/versions.py``)."""
        clause, args = version_clause(self)
        doc = self._document(doc_id, clause, args)
        if clause:
            doc.state = version_state(self, doc_id)
        return doc

    def _document(self, doc_id: int, clause: str = "", args: tuple = ()) -> Document:
        row = self.conn.execute("SELECT id, text, state, meta FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise ProjectError(Msg.NO_DOCUMENT.format(doc_id=doc_id))
        doc = Document(id=row[0], text=row[1], state=row[2], meta=json.loads(row[3]))
        doc.spans = [Span(start, end, label, source, ts, te) for start, end, ts, te, label, source in self.conn.execute(
            "SELECT start, end, token_start, token_end, label, source FROM spans WHERE doc_id = ?"
            f"{clause} ORDER BY start, end", (doc_id, *args))]
        doc.suggestions = [Span(start, end, label, "model") for start, end, label in self.conn.execute(
            "SELECT start, end, label FROM suggestions WHERE doc_id = ? ORDER BY start, end", (doc_id,))]
        return doc

    def iter_documents(self, flt: Filter | None = None, *, batch: int = 500, final: bool = False) -> Iterator[Document]:
        """Every document that passes the filter with its spans, fetched in batches (``final``:
        each document's final version, in a team's project: ``versions.final_clause``)."""
        last = 0
        where, args = _where(flt, self.backend.dialect, None if final else list_version(self))
        joiner = "AND" if where else "WHERE"
        while True:
            rows = self.conn.execute(
                f"SELECT id FROM documents d {where} {joiner} d.id > ? ORDER BY id LIMIT ?", (*args, last, batch)
            ).fetchall()
            if not rows:
                return
            for (doc_id,) in rows:
                yield self._document(doc_id, *final_clause(self, doc_id)) if final else self.get_document(doc_id)
            last = rows[-1][0]

    def records(self, flt: Filter | None = None) -> Iterator[Record]:
        """Documents as Records, for exporters and the trainer (a team's project: the final versions)."""
        for doc in self.iter_documents(flt, final=is_team(self)):
            ihash = self.conn.execute("SELECT input_hash FROM documents WHERE id = ?", (doc.id,)).fetchone()[0]
            yield Record(text=doc.text, spans=list(doc.spans), state=doc.state, meta=doc.meta,
                         input_hash=ihash, line=doc.id)
