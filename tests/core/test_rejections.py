"""Rejected predictions are kept in the store (schema v3), and older projects migrate."""

import sqlite3

import pytest

from nergui.core import edits, store_schema
from nergui.core.records import Record, Span
from nergui.core.store import DB_NAME, SCHEMA_VERSION, Filter, Project
from nergui.errors import ProjectError


def _v2_project(folder):
    """A project file exactly as schema version 2 wrote it, with a document and a span."""
    folder.mkdir()
    (folder / "models").mkdir()
    conn = sqlite3.connect(folder / DB_NAME)
    conn.executescript(store_schema._SCHEMA_V1)
    conn.executescript(store_schema._SCHEMA_V2)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO documents (text, input_hash, state, origin) VALUES ('Apple hired Tim.', 'h1', 'accepted', 'a.txt:1')")
    conn.execute("INSERT INTO spans (doc_id, start, end, token_start, token_end, label) VALUES (1, 0, 5, 0, 0, 'ORG')")
    conn.execute("INSERT INTO labels (name, colour, shortcut, position) VALUES ('ORG', '#7aecec', '1', 0)")
    conn.commit()
    conn.close()


def test_migrates_a_version_2_file_and_keeps_its_data(tmp_path):
    folder = tmp_path / "v2"
    _v2_project(folder)
    with Project.open(folder) as p:
        assert SCHEMA_VERSION == 9
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == 9
        doc = p.get_document(1)
        assert (doc.text, doc.state, [(s.start, s.end, s.label) for s in doc.spans]) == (
            "Apple hired Tim.", "accepted", [(0, 5, "ORG")])
        assert p.label_names() == ["ORG"]
        assert p.rejections(1) == set()
        assert p.get_document(1).suggestions == []  # v4: the imported suggestions table, empty
        assert p.doc_ids(Filter(search="hired T")) == [1] and p.doc_ids(Filter(search="ired")) == []  # v5: indexed
        p.annotator = "ann"
        p.set_rejected(1, 12, 15, "PERSON")
        assert p.authors(1) == {"spans": {(0, 5, "ORG"): None}, "rejections": {(12, 15, "PERSON"): "ann"}}  # v7
    with Project.open(folder) as p:  # reopened: migrated once, the rejection is still there
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == 9
        assert p.rejections(1) == {(12, 15, "PERSON")}
        assert p.integrity_check() == "ok"


def test_reject_is_undoable_and_survives_a_reopen(store_backend):
    where = store_backend.location()
    p = Project.create(where)
    p.import_records([Record("Apple hired Tim Cook."), Record("Other text.")], path="t")
    edit = edits.Reject(1, "Reject ORG 'Apple'", 0, 5, "ORG")
    inverse = edit.apply(p)
    assert p.rejections(1) == {(0, 5, "ORG")} and p.rejections(2) == set()
    assert inverse == edits.Reject(1, "Reject ORG 'Apple'", 0, 5, "ORG", False)
    again = edit.apply(p)  # rejecting twice changes nothing; its inverse keeps it rejected
    assert again.rejected is True and p.rejections(1) == {(0, 5, "ORG")}
    p.close()
    p = Project.open(where)
    redo = inverse.apply(p)
    assert p.rejections(1) == set() and redo.rejected is True
    redo.apply(p)
    assert p.rejections(1) == {(0, 5, "ORG")}
    with pytest.raises(ProjectError):
        p.set_rejected(99, 0, 1, "ORG")
    p.close()


def test_rejections_go_with_their_document(store_backend):
    p = Project.create(store_backend.location())
    p.import_records([Record("Apple hired Tim Cook.", [Span(0, 5, "ORG")])], path="t")
    p.set_rejected(1, 12, 20, "PERSON")
    with p.transaction():
        p.conn.execute("DELETE FROM documents WHERE id = 1")
    assert p.conn.execute("SELECT count(*) FROM rejections").fetchone()[0] == 0
    p.close()
