"""Database errors are translated once, at the store's boundary: callers get the project's
own StoreError with a message from nergui.errors, never sqlite3's. Real SQLite files, a
real second connection holding the write lock, a really damaged file."""

import sqlite3

import pytest

from nergui.core import edits
from nergui.core.records import Record, Span
from nergui.core.store import DB_NAME, Project
from nergui.errors import EditConflict, Msg, ProjectError, StoreError

TEXT = "Acme Widgets hired Jane Doe in Berlin."


@pytest.fixture
def project(tmp_path):
    p = Project.create(tmp_path / "proj")
    p.import_records([Record(TEXT, spans=[Span(0, 12, "ORG")], line=1)], path="test")
    p.conn.execute("PRAGMA busy_timeout = 100")  # the app waits 30 s for a lock; the test 0.1 s
    yield p
    p.close()


@pytest.fixture
def writer(project):
    """Another connection holding the write lock (a long import from the command line)."""
    conn = sqlite3.connect(project.path / DB_NAME, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def _busy(project):
    return Msg.DB_BUSY.format(path=project.path)


def test_a_transaction_under_another_writers_lock_raises_the_busy_message(project, writer):
    with pytest.raises(StoreError) as caught:
        with project.transaction():
            project.conn.execute("UPDATE documents SET state = 'accepted'")
    assert isinstance(caught.value, ProjectError)
    assert not isinstance(caught.value, sqlite3.Error)
    assert str(caught.value) == _busy(project)
    assert not project.conn.in_transaction
    writer.execute("ROLLBACK")
    with project.transaction():  # the lock is gone: the same connection works
        project.conn.execute("UPDATE documents SET state = 'accepted'")
    assert project.get_document(1).state == "accepted"


def test_an_error_inside_a_transaction_is_translated_and_rolled_back(project):
    with pytest.raises(StoreError, match="the project database is damaged") as caught:
        with project.transaction():
            project.conn.execute("UPDATE documents SET state = 'accepted'")
            project.conn.execute("INSERT INTO spans (doc_id, start, end, label) VALUES (99, 0, 1, 'X')")  # no doc 99
    assert "FOREIGN KEY constraint failed" in str(caught.value)
    assert not project.conn.in_transaction and project.get_document(1).state == "todo"


def test_an_import_under_the_lock_raises_busy_and_writes_nothing(project, writer):
    with pytest.raises(StoreError) as caught:
        project.import_records([Record("Another text.", line=1)], path="more.jsonl")
    assert str(caught.value) == _busy(project)
    assert not project.conn.in_transaction
    writer.execute("ROLLBACK")
    assert project.count() == 1
    assert project.import_records([Record("Another text.", line=1)], path="more.jsonl").imported == 1


def test_edits_under_the_lock_raise_busy_and_change_nothing(project, writer):
    for edit in (edits.AddSpans(1, "", (Span(19, 27, "PERSON"),)), edits.RemoveSpans(1, "", (Span(0, 12, "ORG"),)),
                 edits.Relabel(1, "", 0, 12, "PRODUCT"), edits.SetState(1, "", "accepted"),
                 edits.Reject(1, "", 31, 37, "GPE")):
        with pytest.raises(StoreError) as caught:
            edit.apply(project)
        assert str(caught.value) == _busy(project), edit
    with pytest.raises(StoreError):
        project.add_label("BRAND")
    doc = project.get_document(1)  # reads go on (WAL): another writer does not block them
    assert [(s.start, s.end, s.label) for s in doc.spans] == [(0, 12, "ORG")] and doc.state == "todo"
    assert project.rejections(1) == set() and project.label_names() == ["ORG"]


def test_an_edit_on_a_span_that_is_gone_is_a_conflict_not_a_store_error(project):
    project.conn.execute("DELETE FROM spans")
    with pytest.raises(EditConflict, match=r"no span at \[0, 12\)") as caught:
        edits.RemoveSpans(1, "", (Span(0, 12, "ORG"),)).apply(project)
    assert not isinstance(caught.value, StoreError)


def test_reads_of_a_damaged_file_raise_the_damaged_message(tmp_path):
    p = Project.create(tmp_path / "proj")
    p.import_records([Record(f"Document {i} about Acme. " * 40, spans=[Span(0, 8, "ORG")], line=i + 1)
                      for i in range(200)], path="test")
    p.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = p.conn.execute("PRAGMA page_size").fetchone()[0]
    # the schema outgrew the first page: its pages stay, so the project opens
    schema = {n for (n,) in p.conn.execute("SELECT pageno FROM dbstat WHERE name = 'sqlite_schema'")}
    p.close()
    db = tmp_path / "proj" / DB_NAME
    data = bytearray(db.read_bytes())
    pages = len(data) // page_size
    for n in range(2, pages + 1):  # every other page (every table's and index's) zeroed
        if n not in schema:
            data[(n - 1) * page_size:n * page_size] = bytes(page_size)
    assert pages - len(schema) > 50
    db.write_bytes(bytes(data))
    damaged = Msg.DB_CORRUPT.format(path=db, detail="database disk image is malformed")
    with Project.open(tmp_path / "proj") as q:
        for read in (q.count, q.label_names, q.counts_by_state, lambda: q.get_document(150),
                     lambda: q.rejections(150), lambda: list(q.records()), lambda: q.page(),
                     lambda: q.doc_ids(), q.unaligned_spans, q.runs):
            with pytest.raises(StoreError) as caught:
                read()
            assert str(caught.value) == damaged


def test_opening_a_file_whose_schema_is_damaged_raises_the_damaged_message(tmp_path):
    p = Project.create(tmp_path / "proj")
    p.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    p.close()
    db = tmp_path / "proj" / DB_NAME
    data = bytearray(db.read_bytes())
    data[4096:] = bytes(len(data) - 4096)  # the schema's pages after the first zeroed
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError) as caught:
        Project.open(tmp_path / "proj")
    assert str(caught.value) == Msg.DB_CORRUPT.format(path=db, detail="database disk image is malformed")


def test_misuse_of_a_closed_project_is_a_bug_not_a_damaged_database(tmp_path):
    p = Project.create(tmp_path / "proj")
    p.close()
    with pytest.raises(sqlite3.ProgrammingError):
        p.count()


def test_the_cli_says_busy_in_one_line(project, writer, tmp_path, monkeypatch, capsys):
    """The CLI catches NerguiError only (no sqlite3 branch): the store's translation is
    what turns a locked database into its message."""
    from nergui import cli
    from nergui.core import store

    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.1)
    data = tmp_path / "more.txt"
    data.write_text("Another text.\n", encoding="utf-8")
    assert cli.main(["import", str(project.path), str(data), "--format", "text"]) == 1
    err = capsys.readouterr().err
    assert err == f"nergui: {_busy(project)}\n"
    assert project.count() == 1
