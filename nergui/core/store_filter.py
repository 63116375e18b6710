"""Which documents a list shows (``Filter``) as the WHERE clause of a store query."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .versions import VERSION_STATE


@dataclass(frozen=True)
class Filter:
    """Which documents a list shows. Every field narrows the result; None means any.

    ``search`` finds documents holding the text (ignoring the case of ASCII letters) where
    each of its words begins a word of the document: "roast" finds "Roasters", not "Potroast".
    """

    state: str | None = None
    label: str | None = None
    search: str | None = None


def _fts_query(text: str) -> str | None:
    """The search box's words as an FTS5 query: each word begins a word of the document
    (quotes and signs are not query syntax); None when the text has no letter or digit."""
    words = [w.replace('"', '""') for w in text.split() if any(c.isalnum() for c in w)]
    return " ".join(f'"{w}"*' for w in words) or None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _pg_query(text: str) -> str | None:
    """The search box's words as a PostgreSQL text-search query. Plain words (letters and
    digits only) are a phrase: each a word of the document, the last one's beginning, one
    after the other (``'lane' <-> 'roast':*``), which leaves few candidates for the exact
    text to be checked on; otherwise the first run of letters and digits of each word
    begins a word of the document (``'50':* & 'five':*``). Either finds every document that
    holds the text with each word beginning a word (the exact text is checked after)."""
    words = [w.lower() for w in text.split()]
    if words and all(_RUN.fullmatch(w) for w in words):
        return " <-> ".join([f"'{w}'" for w in words[:-1]] + [f"'{words[-1]}':*"])
    runs = [m.group(0) for m in (_RUN.search(w) for w in words) if m]
    return " & ".join(f"'{r}':*" for r in runs) or None


_RUN = re.compile(r"[^\W_]+")


def _where(flt: Filter | None, dialect: str = "sqlite", mine: str | None = None) -> tuple[str, tuple]:
    """The WHERE clause (and its arguments) for the documents ``flt`` lets through, on the
    backend of ``dialect`` (``backends.sqlite`` or ``backends.postgres``: only the search
    index differs). ``mine``: an annotator whose version's state and spans the state and
    label are of (a team's project: ``versions.list_version``), else the documents' own."""
    if flt is None:
        return "", ()
    clauses, args = [], []
    if flt.state:
        clauses.append(f"{VERSION_STATE} = ?" if mine else "d.state = ?")
        args.extend((mine, flt.state) if mine else (flt.state,))
    if flt.label:
        clauses.append("d.id IN (SELECT doc_id FROM spans WHERE label = ?" + (" AND annotator = ?)" if mine else ")"))
        args.extend((flt.label, mine) if mine else (flt.label,))
    if flt.search:
        # candidates from the full-text index when the text has words (a scan of 100,000
        # documents took 110-290 ms), then the exact text among them
        if dialect == "postgres":  # PostgreSQL's words: its parser keeps e-mail addresses and URLs whole
            query = _pg_query(flt.search)
            if query is not None:
                clauses.append("d.words @@ to_tsquery('simple', ?)")
                args.append(query)
                if _RUN.fullmatch(flt.search):  # one plain word, which begins a word: the text holds it
                    return "WHERE " + " AND ".join(clauses), tuple(args)
        else:
            query = _fts_query(flt.search)
            if query is not None:
                clauses.append("d.id IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
                args.append(query)
        clauses.append("d.text LIKE ? ESCAPE '\\'")
        args.append("%" + _like_escape(flt.search) + "%")
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", tuple(args)
