import sqlite3

import pytest

from nergui.core.records import Problem, Record, Span
from nergui.core.store import DB_NAME, SCHEMA_VERSION, Filter, Project
from nergui.core.store import _where as store_where
from nergui.errors import ProjectError, SpanError


def _records(n, *, spans=True):
    out = []
    for i in range(n):
        text = f"Document {i} mentions Acme Corp in Berlin."
        sp = [Span(text.index("Acme"), text.index("Acme") + 9, "ORG")] if spans and i % 2 == 0 else []
        out.append(Record(text=text, spans=sp, state="accepted" if sp else "todo", line=i + 1))
    return out


@pytest.fixture
def project(store_backend):
    """A fresh project on each backend (tests/conftest.py: a folder, or a schema on the test server)."""
    p = Project.create(store_backend.location())
    yield p
    p.close()


@pytest.fixture
def sqlite_project(tmp_path):
    p = Project.create(tmp_path / "proj")
    yield p
    p.close()


def test_create_sets_wal_foreign_keys_and_schema(sqlite_project):
    project = sqlite_project
    assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert project.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert project.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert (project.path / "models").is_dir()


def test_import_counts_duplicates_and_labels(project):
    report = project.import_records(_records(10), path="a.jsonl")
    assert report.committed and report.imported == 10 and report.duplicates == 0
    again = project.import_records(_records(12), path="b.jsonl")
    assert again.imported == 2 and again.duplicates == 10
    assert project.count() == 12
    assert project.counts_by_state() == {"todo": 6, "accepted": 6, "rejected": 0, "skipped": 0}
    assert project.label_names() == ["ORG"]
    assert project.labels()[0]["colour"] == "#7aecec"  # displaCy's ORG colour
    assert project.counts_by_label() == {"ORG": 6}


def test_span_texts_counts_each_text_marked_in_accepted_documents(project):
    """What the review mode asks about again (``Project.span_texts``): the text under each span
    of an accepted document, per label, counted; a to-do document's spans and other labels not."""
    text = "Zoë wore Mango, then Mango again, at Acme Corp."
    spans = [Span(9, 14, "BRAND"), Span(21, 26, "BRAND"), Span(37, 46, "ORG"), Span(0, 3, "PERSON")]
    project.import_records([Record(text, spans, "accepted", line=1),
                            Record("Zara in todo.", [Span(0, 4, "BRAND")], "todo", line=2)], path="a.jsonl")
    assert project.span_texts() == [("Acme Corp", "ORG", 1), ("Mango", "BRAND", 2), ("Zoë", "PERSON", 1)]
    assert project.span_texts(labels=["BRAND"]) == [("Mango", "BRAND", 2)]
    assert project.span_texts(state="todo") == [("Zara", "BRAND", 1)]


def test_import_with_a_problem_writes_nothing_unless_partial(project):
    items = _records(3) + [Problem("bad.jsonl", 4, "broken")] + _records(5)[3:]
    report = project.import_records(iter(items), path="bad.jsonl")
    assert not report.committed and report.imported == 0
    assert [str(p) for p in report.problems] == ["bad.jsonl:4: broken"]
    assert project.count() == 0 and project.label_names() == []
    partial = project.import_records(iter(items), path="bad.jsonl", partial=True)
    assert partial.committed and partial.imported == 5 and len(partial.problems) == 1
    assert project.count() == 5


def test_import_is_one_transaction_on_exception(project):
    def items():
        yield from _records(3)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        project.import_records(items(), path="x")
    assert project.count() == 0


def test_span_edits_refuse_overlap_and_range(project):
    project.import_records(_records(1, spans=False), path="x")
    doc_id = project.doc_ids()[0]
    text = project.get_document(doc_id).text
    sid = project.add_span(doc_id, Span(0, 8, "THING"))
    with pytest.raises(SpanError, match=r"overlaps THING at \[0, 8\)"):
        project.add_span(doc_id, Span(4, 12, "ORG"))
    with pytest.raises(SpanError, match="outside the text"):
        project.add_span(doc_id, Span(5, len(text) + 1, "ORG"))
    assert project.relabel_span(sid, "ORG") == "THING"
    doc = project.get_document(doc_id)
    assert doc.spans == [Span(0, 8, "ORG", "user")]
    removed = project.remove_span(sid)
    assert removed == Span(0, 8, "ORG", "user")
    assert project.get_document(doc_id).spans == []


def test_add_spans_is_all_or_nothing(project):
    project.import_records(_records(1, spans=False), path="x")
    doc_id = project.doc_ids()[0]
    with pytest.raises(SpanError):
        project.add_spans(doc_id, [Span(0, 8, "A", "model"), Span(2, 5, "B", "model")])
    assert project.get_document(doc_id).spans == []
    ids = project.add_spans(doc_id, [Span(0, 8, "A", "model"), Span(9, 10, "B", "model")])
    assert len(ids) == 2


def test_state_filters_and_search(project):
    project.import_records(_records(20), path="x")
    ids = project.doc_ids()
    assert project.set_state(ids[1], "rejected") == "todo"
    with pytest.raises(ProjectError, match="Unknown document state"):
        project.set_state(ids[1], "maybe")
    assert project.doc_ids(Filter(state="rejected")) == [ids[1]]
    assert len(project.doc_ids(Filter(label="ORG"))) == 10
    assert project.doc_ids(Filter(search="DOCUMENT 13 ")) == [ids[13]]
    assert project.count(Filter(state="accepted", label="ORG")) == 10
    page = project.page(offset=5, limit=3, preview=10)
    assert [r[0] for r in page] == ids[5:8] and page[0][2] == "Document 5"


def test_queries_use_indexes(sqlite_project):
    project = sqlite_project
    plan = " ".join(r[-1] for r in project.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM documents d WHERE d.state = ? ORDER BY id", ("todo",)))
    assert "documents_state" in plan
    plan = " ".join(r[-1] for r in project.conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM spans WHERE label = ?", ("ORG",)))
    assert "spans_label" in plan


def test_deleting_a_document_cascades(project):
    project.import_records(_records(2), path="x")
    with project.transaction():
        project.conn.execute("DELETE FROM documents")
    assert project.conn.execute("SELECT count(*) FROM spans").fetchone()[0] == 0


def test_migrates_a_version_1_database(tmp_path):
    from nergui.core import store_schema

    folder = tmp_path / "old"
    folder.mkdir()
    conn = sqlite3.connect(folder / DB_NAME)
    conn.executescript(store_schema._SCHEMA_V1 + "PRAGMA user_version = 1;")
    conn.execute("INSERT INTO documents (text, input_hash) VALUES ('hello', 'h1')")
    conn.commit()
    conn.close()
    with Project.open(folder) as p:
        assert p.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert p.get_document(1).text == "hello"
        assert "origin" in [r[1] for r in p.conn.execute("PRAGMA table_info(documents)")]


def test_clear_errors_for_missing_corrupt_and_newer(tmp_path):
    with pytest.raises(ProjectError, match="not a nergui project"):
        Project.open(tmp_path / "nope")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / DB_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(ProjectError, match="damaged"):
        Project.open(bad)
    newer = tmp_path / "newer"
    newer.mkdir()
    conn = sqlite3.connect(newer / DB_NAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(ProjectError, match="newer nergui"):
        Project.open(newer)
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(ProjectError, match="is a file"):
        Project.create(afile)


def test_runs_are_recorded(project):
    run = project.start_run({"rehearsal": 0.5})
    project.finish_run(run, status="kept", metrics={"ents_f": 0.7}, model_version="v0001")
    (row,) = project.runs()
    assert row["settings"] == {"rehearsal": 0.5} and row["metrics"] == {"ents_f": 0.7}
    assert row["status"] == "kept" and row["model_version"] == "v0001" and row["finished"] >= row["started"]


def test_other_connections_see_committed_edits(project):
    project.import_records(_records(1, spans=False), path="x")
    doc_id = project.doc_ids()[0]
    project.add_span(doc_id, Span(0, 8, "A"))
    for location in (project.path, project.location):  # a database project's folder opens it too
        with Project.open(location) as other:
            assert other.get_document(doc_id).spans == [Span(0, 8, "A", "user")]
            assert other.location == project.location


def test_search_uses_the_full_text_index_and_keeps_exact_text(project):
    project.import_records([Record("Harbor Lane Roasters opened a cafe."), Record("A potroast recipe."),
                            Record("Harbour lights, said the roaster."), Record("Costs 50% (five_ten) dollars.")],
                           path="x")
    ids = project.doc_ids()
    assert project.doc_ids(Filter(search="ROAST")) == [ids[0], ids[2]]  # words that start so, any case
    assert project.doc_ids(Filter(search="lane roasters")) == [ids[0]]  # the exact text, words in order
    assert project.doc_ids(Filter(search="roasters lane")) == []
    assert project.doc_ids(Filter(search='50% "(five')) == []  # quotes and signs are not query syntax
    assert project.doc_ids(Filter(search="50% (five_")) == [ids[3]]
    assert project.doc_ids(Filter(search="%")) == [ids[3]] and project.doc_ids(Filter(search="_")) == [ids[3]]
    if project.backend.dialect == "sqlite":
        plan = " ".join(r[-1] for r in project.conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM documents d " + store_where(Filter(search="roast"))[0],
            store_where(Filter(search="roast"))[1]))
        assert "documents_fts" in plan
    project.import_records([Record("Roasting notes, second file.")], path="y")  # a later import is indexed too
    assert project.doc_ids(Filter(search="roast"))[-1] == project.doc_ids()[-1]
    with project.transaction() as conn:  # a deleted document leaves the index too
        conn.execute("DELETE FROM documents WHERE id = ?", (ids[0],))
    assert project.doc_ids(Filter(search="roast"))[0] == ids[2]


def test_each_span_and_rejection_records_its_annotator(project):
    """Two apps on one project, each with its annotator's name (schema v7)."""
    project.annotator = "ana"
    project.import_records([Record("Acme hired Jane Doe in Berlin.", spans=[Span(0, 4, "ORG")],
                                   rejections=[Span(23, 29, "GPE")])], path="x")
    with Project.open(project.location) as other:
        other.annotator = "ben"
        other.add_span(1, Span(11, 19, "PERSON"))
        other.add_spans(1, [Span(5, 10, "VERB"), Span(20, 22, "PREP")])
        other.set_rejected(1, 0, 4, "PRODUCT")
    sid = project.find_span_id(1, 11, 19)
    assert project.authors(1) == {
        "spans": {(0, 4, "ORG"): "ana", (11, 19, "PERSON"): "ben", (5, 10, "VERB"): "ben", (20, 22, "PREP"): "ben"},
        "rejections": {(23, 29, "GPE"): "ana", (0, 4, "PRODUCT"): "ben"}}
    project.relabel_span(sid, "NAME")  # a relabelled span is the relabeller's
    assert project.authors(1)["spans"][(11, 19, "NAME")] == "ana"
