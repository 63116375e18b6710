"""The project database's schema: each version's statements, applied in order by ``Project._migrate``.

A new version is one more entry in ``MIGRATIONS`` (statements separated by ";") and
``SCHEMA_VERSION`` raised by one; a project made by an older nergui is migrated when opened.

The same entries build a project on both backends (``nergui.core.backends``): written in
SQLite's words, they are translated for PostgreSQL by ``backends.postgres.ddl`` (``INTEGER
PRIMARY KEY`` an identity column, ``REAL`` double precision, the column ``end`` quoted). A
version whose statements cannot be said alike in both is a ``Dialects`` entry with each
backend's statements (v5, the search index).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Dialects:
    """A schema version said differently by each backend: its statements for each."""

    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]


def statements(script: str) -> Iterator[str]:
    """The statements of a script one by one (a trigger's body holds semicolons of its own)."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                yield buffer
            buffer = ""

SCHEMA_VERSION = 9

_SCHEMA_V1 = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    input_hash TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'todo'
        CHECK (state IN ('todo', 'accepted', 'rejected', 'skipped')),
    updated REAL NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX documents_hash ON documents (input_hash);
CREATE INDEX documents_state ON documents (state, id);

CREATE TABLE spans (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    token_start INTEGER,
    token_end INTEGER,
    label TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'user' CHECK (source IN ('user', 'model', 'pattern')),
    CHECK (start >= 0 AND end > start)
);
CREATE INDEX spans_doc ON spans (doc_id, start);
CREATE INDEX spans_label ON spans (label, doc_id);

CREATE TABLE labels (
    name TEXT PRIMARY KEY,
    colour TEXT NOT NULL,
    shortcut TEXT,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    finished REAL,
    status TEXT NOT NULL DEFAULT 'running',
    settings TEXT NOT NULL DEFAULT '{}',
    metrics TEXT NOT NULL DEFAULT '{}',
    model_version TEXT
);
"""

# v2: remember where each document came from (file and line), for messages.
_SCHEMA_V2 = """
ALTER TABLE documents ADD COLUMN origin TEXT;
"""

# v3: predictions the user rejected, so they stay hidden after the project is reopened.
_SCHEMA_V3 = """
CREATE TABLE rejections (
    doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (doc_id, start, end, label)
) WITHOUT ROWID;
"""

# v4: a model's proposals that came with an imported file (Label Studio "predictions"):
# shown as suggestions beside the project model's own, never training data.
_SCHEMA_V4 = """
CREATE TABLE suggestions (
    doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (doc_id, start, end, label),
    CHECK (start >= 0 AND end > start)
) WITHOUT ROWID;
"""

# v5: a full-text index of the documents, so that searching 100,000 of them takes tens of
# milliseconds, not a scan of every text (Filter.search). Texts never change after import.
# SQLite: an FTS5 table; new documents are indexed by Project.import_records in one statement
# at the end of the import (a trigger per row made an import of 100,000 documents 5x slower);
# a deletion, rare, by a trigger. PostgreSQL: the words of the text in a generated column
# with an index on them, which the server keeps up to date itself.
_SCHEMA_V5_SQLITE = """
CREATE VIRTUAL TABLE documents_fts USING fts5(
    text, content='documents', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO documents_fts (documents_fts) VALUES ('rebuild');
CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
"""

_SCHEMA_V5 = Dialects(
    sqlite=tuple(statements(_SCHEMA_V5_SQLITE)),
    postgres=(  # the words stored once (a search re-checks each candidate's words: computed, 60 us each)
        "ALTER TABLE documents ADD COLUMN words tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED",
        "CREATE INDEX documents_fts ON documents USING gin (words)",
    ),
)

# v6: binary decisions (the review mode, issue 13; Prodigy's ner.teach answers on import): one
# row per yes/no answer on one candidate entity, in the order given. An accepted one is also a
# span, a rejected one a rejection (core/decisions.py); the row says the document holds binary
# answers only (its other tokens are unknown, not "O") unless the document itself is accepted.
_SCHEMA_V6 = """
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    label TEXT NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('accept', 'reject', 'ignore')),
    score REAL,
    origin TEXT NOT NULL DEFAULT 'model' CHECK (origin IN ('model', 'pattern', 'import')),
    decided REAL NOT NULL DEFAULT 0,
    UNIQUE (doc_id, start, end, label),
    CHECK (start >= 0 AND end > start)
);
CREATE INDEX decisions_doc ON decisions (doc_id, id);
"""

# v7: a team on one project (issue 14). Who made each span and each rejection (NULL on what
# was there before; the store writes its annotator's name, ``Project.annotator``, from now on);
# which annotator a document was handed to, until when, and whether they finished it
# (``core/routing.py``: each document to ``annotations_per_task`` annotators, never more).
_SCHEMA_V7 = """
ALTER TABLE spans ADD COLUMN annotator TEXT;
ALTER TABLE rejections ADD COLUMN annotator TEXT;
CREATE TABLE assignments (
    doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    annotator TEXT NOT NULL,
    leased_until REAL NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (doc_id, annotator)
);
CREATE INDEX assignments_annotator ON assignments (annotator, done, doc_id);
"""

# v8: each annotator's own version of a document in a team's project (``core/versions.py``):
# two annotators may reject the same prediction (a rejection's key holds its annotator); an
# assignment holds its annotator's verdict on the document (``state``; ``done`` as before); a
# reviewer's choice of the final version (``reviews``: whose version, ``core/review.py``).
_V8_COMMON = (
    "ALTER TABLE assignments ADD COLUMN state TEXT NOT NULL DEFAULT 'todo'"
    " CHECK (state IN ('todo', 'accepted', 'rejected', 'skipped'))",
    "UPDATE assignments SET state = 'accepted' WHERE done = 1",
    "CREATE TABLE reviews ("
    " doc_id INTEGER NOT NULL PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,"
    " version TEXT NOT NULL,"
    " reviewer TEXT,"
    " how TEXT NOT NULL CHECK (how IN ('picked', 'edited', 'agreed')),"
    " decided {real} NOT NULL DEFAULT 0)",
)
_REJECTIONS_KEY = "CREATE UNIQUE INDEX rejections_key ON rejections (doc_id, start, {end}, label, coalesce(annotator, ''))"
_SCHEMA_V8 = Dialects(
    sqlite=(  # SQLite drops a primary key by rebuilding the table
        "CREATE TABLE rejections_v8 (doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,"
        " start INTEGER NOT NULL, end INTEGER NOT NULL, label TEXT NOT NULL, annotator TEXT)",
        "INSERT INTO rejections_v8 (doc_id, start, end, label, annotator)"
        " SELECT doc_id, start, end, label, annotator FROM rejections",
        "DROP TABLE rejections",
        "ALTER TABLE rejections_v8 RENAME TO rejections",
        _REJECTIONS_KEY.format(end="end"),
        *(s.format(real="REAL") for s in _V8_COMMON),
    ),
    postgres=(  # the table keeps its grants and row-level policies
        "ALTER TABLE rejections DROP CONSTRAINT rejections_pkey",
        _REJECTIONS_KEY.format(end='"end"'),
        *(s.format(real="DOUBLE PRECISION") for s in _V8_COMMON),
    ),
)

# v9: who made each binary decision (the review mode's; NULL on what was there before), so that
# two annotators may answer the same candidate, each their own row (``core/decisions.py``):
# the key holds the annotator, as ``rejections_key`` does since v8.
_DECISIONS_KEY = ("CREATE UNIQUE INDEX decisions_key ON decisions (doc_id, start, {end}, label,"
                  " coalesce(annotator, ''))")
_SCHEMA_V9 = Dialects(
    sqlite=(  # SQLite drops a table's UNIQUE constraint by rebuilding the table (ids kept)
        "CREATE TABLE decisions_v9 (id INTEGER PRIMARY KEY,"
        " doc_id INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,"
        " start INTEGER NOT NULL, end INTEGER NOT NULL, label TEXT NOT NULL,"
        " answer TEXT NOT NULL CHECK (answer IN ('accept', 'reject', 'ignore')), score REAL,"
        " origin TEXT NOT NULL DEFAULT 'model' CHECK (origin IN ('model', 'pattern', 'import')),"
        " decided REAL NOT NULL DEFAULT 0, annotator TEXT, CHECK (start >= 0 AND end > start))",
        "INSERT INTO decisions_v9 (id, doc_id, start, end, label, answer, score, origin, decided)"
        " SELECT id, doc_id, start, end, label, answer, score, origin, decided FROM decisions",
        "DROP TABLE decisions",
        "ALTER TABLE decisions_v9 RENAME TO decisions",
        "CREATE INDEX decisions_doc ON decisions (doc_id, id)",
        _DECISIONS_KEY.format(end="end"),
    ),
    postgres=(  # the table keeps its grants, its id trigger and its row-level policies
        "ALTER TABLE decisions ADD COLUMN annotator TEXT",
        "ALTER TABLE decisions DROP CONSTRAINT decisions_doc_id_start_end_label_key",
        _DECISIONS_KEY.format(end='"end"'),
    ),
)

MIGRATIONS = {1: _SCHEMA_V1, 2: _SCHEMA_V2, 3: _SCHEMA_V3, 4: _SCHEMA_V4, 5: _SCHEMA_V5, 6: _SCHEMA_V6,
              7: _SCHEMA_V7, 8: _SCHEMA_V8, 9: _SCHEMA_V9}

# displaCy's colours for the standard OntoNotes types; new types cycle through a palette.
DISPLACY_COLOURS = {
    "ORG": "#7aecec", "PRODUCT": "#bfeeb7", "GPE": "#feca74", "LOC": "#ff9561",
    "PERSON": "#aa9cfc", "NORP": "#c887fb", "FAC": "#9cc9cc", "EVENT": "#ffeb80",
    "LAW": "#ff8197", "LANGUAGE": "#ff8197", "WORK_OF_ART": "#f0d0ff", "DATE": "#bfe1d9",
    "TIME": "#bfe1d9", "MONEY": "#e4e7d2", "QUANTITY": "#e4e7d2", "ORDINAL": "#e4e7d2",
    "CARDINAL": "#e4e7d2", "PERCENT": "#e4e7d2",
}
_PALETTE = ["#f4a3c0", "#9fd8ff", "#ffd27f", "#b3e6a1", "#d7b4f3", "#ffb199", "#a8e6cf", "#f7e07e"]
