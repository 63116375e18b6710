"""Each annotator's own version of a document in a team's project (core/versions.py), on both
backends (real SQLite files, a real PostgreSQL server); a project with one annotator per
document keeps one version, as before; the schema's v8 migration keeps a v7 project's data."""

from __future__ import annotations

import pytest

from nergui.core.edits import SetState
from nergui.core.records import Record, Span
from nergui.core.routing import Router
from nergui.core.store import Filter, Project
from nergui.core.store_schema import SCHEMA_VERSION
from nergui.core.versions import PER_TASK, versions
from nergui.errors import Msg, ProjectError, SpanError

from .team_data import schema_at

TEXT = "Acme Widgets hired Jane Doe in Berlin."  # Acme Widgets 0-12, Jane Doe 19-27, Berlin 31-37


def _team(location, per_task: int = 2) -> None:
    with Project.create(location) as p:
        p.import_records([Record(TEXT), Record("Nobody worked on this one.", spans=[Span(0, 6, "PERSON")],
                                               state="accepted")], path="t")
        p.set_setting(PER_TASK, str(per_task))


def _app(location, name: str | None) -> Project:
    p = Project.open(location)
    p.annotator = name
    return p


def _marks(doc) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in doc.spans]


def test_each_annotator_has_their_own_version(store_backend):
    where = store_backend.location()
    _team(where)
    ana, ben = _app(where, "ana"), _app(where, "ben")
    try:
        ana.add_span(1, Span(0, 12, "ORG"))
        ana.add_spans(1, [Span(19, 27, "PERSON"), Span(31, 37, "GPE")])
        ben.add_span(1, Span(0, 4, "ORG"))  # overlaps ana's span: another version, so allowed
        ben.add_spans(1, [Span(5, 12, "PRODUCT"), Span(19, 23, "PERSON")])
        with pytest.raises(SpanError):  # ... but never within one version
            ben.add_span(1, Span(2, 8, "ORG"))
        with pytest.raises(SpanError):
            ana.add_spans(1, [Span(20, 22, "X"), Span(0, 1, "Y")])
        assert _marks(ana.get_document(1)) == [(0, 12, "ORG"), (19, 27, "PERSON"), (31, 37, "GPE")]
        assert _marks(ben.get_document(1)) == [(0, 4, "ORG"), (5, 12, "PRODUCT"), (19, 23, "PERSON")]
        assert ana.find_span_id(1, 0, 4) is None and ben.find_span_id(1, 0, 12) is None
        ana.set_rejected(1, 31, 37, "LOC")
        ben.set_rejected(1, 31, 37, "LOC")  # the same prediction rejected by both (v8: the key holds who)
        assert ben.set_rejected(1, 31, 37, "LOC", False) is True
        assert ana.rejections(1) == {(31, 37, "LOC")} and ben.rejections(1) == set()
        # the verdict is each annotator's: the document's own state waits for review
        assert ana.set_state(1, "accepted") == "todo"
        assert (ana.get_document(1).state, ben.get_document(1).state) == ("accepted", "todo")
        assert ana.counts_by_state()["todo"] == 2 - 1 and ana.counts_by_state()["accepted"] == 1  # doc 2's own
        assert Router(ben).assignments(1) == {"ana": True}
        SetState(1, state="rejected").apply(ben)
        undo = SetState(1, state="skipped").apply(ana)  # skipped: her lease given back
        assert ana.get_document(1).state == "skipped" and Router(ana).assignments(1) == {"ben": True}
        undo.apply(ana)  # the edit's inverse takes ana's verdict back
        assert (ana.get_document(1).state, ben.get_document(1).state) == ("accepted", "rejected")
        ben.set_state(1, "todo")
        assert Router(ana).assignments(1) == {"ana": True, "ben": False}  # ben keeps it: a fresh lease
        assert versions(ana, 1) == {"ana": "accepted", "ben": "todo"}
        with Project.open(where) as other:  # another app of ana's sees her version
            other.annotator = "ana"
            assert _marks(other.get_document(1)) == _marks(ana.get_document(1))
    finally:
        ana.close()
        ben.close()


def test_the_lists_show_each_annotators_own_states_and_labels(store_backend):
    """Filters, pages and previews (the document list, Next, the ordering's pool) are of
    this annotator's version; the documents' own states (final, after review) stay for
    training and export."""
    where = store_backend.location()
    _team(where)
    ana, ben = _app(where, "ana"), _app(where, "ben")
    try:
        ana.add_span(1, Span(0, 12, "ORG"))
        ana.set_state(1, "accepted")
        ben.add_span(1, Span(19, 27, "PERSON"))
        ben.set_state(2, "skipped")
        todo, accepted = Filter(state="todo"), Filter(state="accepted")
        assert (ana.doc_ids(todo), ana.doc_ids(accepted), ana.next_id(todo)) == ([2], [1], 2)
        assert (ben.doc_ids(todo), ben.doc_ids(accepted), ben.count(Filter(state="skipped"))) == ([1], [], 1)
        assert ana.doc_ids(Filter(label="ORG")) == [1] and ben.doc_ids(Filter(label="ORG")) == []
        assert ben.doc_ids(Filter(state="todo", label="PERSON", search="hired")) == [1]
        assert [r[:2] for r in ana.page()] == [(1, "accepted"), (2, "todo")]
        assert [r[:2] for r in ben.page(Filter(search="nobody"))] == [(2, "skipped")]
        assert {d: st for d, (st, _) in ben.previews([1, 2]).items()} == {1: "todo", 2: "skipped"}
        assert ben.counts_by_state(mine=True) == {"todo": 1, "accepted": 0, "rejected": 0, "skipped": 1}
        assert ben.counts_by_state() == {"todo": 1, "accepted": 1, "rejected": 0, "skipped": 0}  # the documents' own
        assert [r.line for r in ana.records(accepted)] == [2]  # doc 2's own state: accepted when imported
        ana.annotator = None  # no name: the documents' own states
        assert ana.doc_ids(todo) == [1] and [r[:2] for r in ana.page()] == [(1, "todo"), (2, "accepted")]
    finally:
        ana.close()
        ben.close()


def test_training_and_export_read_final_versions_only(store_backend):
    """Before review a team's document has no final version: records() (training, export)
    gives it no spans; a document nobody in the team worked on keeps its own."""
    where = store_backend.location()
    _team(where)
    with _app(where, "ana") as ana:
        ana.add_span(1, Span(0, 12, "ORG"))
        ana.set_state(1, "accepted")
        records = {r.line: r for r in ana.records()}
        assert (records[1].state, records[1].spans) == ("todo", [])
        assert (records[2].state, _marks(records[2])) == ("accepted", [(0, 6, "PERSON")])
        ana.annotator = None  # the training process may have no name: it reads final versions
        assert [r.line for r in ana.records()] == [1, 2]
        with pytest.raises(ProjectError) as caught:  # but a version needs its annotator
            ana.get_document(1)
        assert str(caught.value) == Msg.VERSION_NO_ANNOTATOR


def test_one_annotator_per_document_keeps_one_version(store_backend):
    """annotations_per_task 1 (every single-user project): one version, as before."""
    where = store_backend.location()
    _team(where, per_task=1)
    ana, ben = _app(where, "ana"), _app(where, "ben")
    try:
        ana.add_span(1, Span(0, 12, "ORG"))
        with pytest.raises(SpanError):
            ben.add_span(1, Span(0, 4, "ORG"))
        ben.add_span(1, Span(19, 27, "PERSON"))
        assert _marks(ana.get_document(1)) == _marks(ben.get_document(1)) == [(0, 12, "ORG"), (19, 27, "PERSON")]
        ben.set_state(1, "accepted")
        assert ana.get_document(1).state == "accepted" and ana.counts_by_state()["accepted"] == 2
        assert Router(ana).assignments(1) == {}  # the document's state, not an assignment
        assert [_marks(r) for r in ana.records()] == [[(0, 12, "ORG"), (19, 27, "PERSON")], [(0, 6, "PERSON")]]
        ana.annotator = None
        assert len(ana.get_document(1).spans) == 2
    finally:
        ana.close()
        ben.close()


def test_v8_migration_keeps_a_v7_project(store_backend):
    """A project left at schema v7 (the same migration list on both backends) is brought to
    v8: its rejections and assignments kept, a finished assignment accepted."""
    where, backend, conn = schema_at(store_backend, 7)
    conn.execute("INSERT INTO documents (text, input_hash) VALUES (?, 'h1')", (TEXT,))
    conn.execute("INSERT INTO rejections (doc_id, start, end, label, annotator) VALUES (1, 31, 37, 'LOC', 'ana')")
    conn.execute("INSERT INTO rejections (doc_id, start, end, label) VALUES (1, 0, 4, 'ORG')")
    conn.execute("INSERT INTO assignments (doc_id, annotator, leased_until, done) VALUES (1, 'ana', 0, 1)")
    conn.execute("INSERT INTO assignments (doc_id, annotator, leased_until, done) VALUES (1, 'ben', 0, 0)")
    conn.execute("INSERT INTO settings (key, value) VALUES ('annotations_per_task', '2')")
    conn.close()
    with _app(where, "ben") as ben:
        assert ben.backend.schema_version(ben.conn) == SCHEMA_VERSION
        assert ben.conn.execute("SELECT annotator, state FROM assignments ORDER BY annotator").fetchall() == [
            ("ana", "accepted"), ("ben", "todo")]
        ben.set_rejected(1, 31, 37, "LOC")  # the same rejection as ana's, now allowed
        assert ben.conn.execute("SELECT count(*) FROM rejections").fetchone()[0] == 3
        ben.annotator = "ana"
        assert ben.rejections(1) == {(31, 37, "LOC")} and ben.get_document(1).state == "accepted"
        ben.set_setting(PER_TASK, "1")
        assert ben.rejections(1) == {(31, 37, "LOC"), (0, 4, "ORG")}  # one version: every row, as before
    with Project.open(where) as again:  # reopened: migrated once
        assert again.backend.schema_version(again.conn) == SCHEMA_VERSION and again.integrity_check() == "ok"
