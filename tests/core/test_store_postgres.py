"""What only the PostgreSQL store has, on a real server (NERGUI_TEST_PG; .ci/pg-cluster):
a project as a schema with a local folder, its migrations, its indexes, its errors (busy,
refused, unreachable, not a project, a password in the URL), writers taking turns, a
dropped connection replaced, and the statement translation. The behaviour both backends
share is tested on both by the ``store_backend`` fixture (test_store.py and friends)."""

from __future__ import annotations

import threading

import pytest

from nergui.core import edits, store
from nergui.core.backends import LINK_NAME, linked_url, postgres
from nergui.core.records import Record, Span
from nergui.core.store import SCHEMA_VERSION, Filter, Project
from nergui.core.store_schema import MIGRATIONS
from nergui.errors import Msg, ProjectError, StoreError

TEXT = "Acme Widgets hired Jane Doe in Berlin."


@pytest.fixture
def project(pg_store):
    p = Project.create(pg_store.location())
    p.import_records([Record(TEXT, spans=[Span(0, 12, "ORG")], line=1)], path="test")
    yield p
    p.close()


def _admin(project: Project):
    """Another connection to the project's schema (another app, psql)."""
    import psycopg

    conn = psycopg.connect(project.backend.loc.conninfo, autocommit=True)
    conn.execute(f'SET search_path TO "{project.backend.loc.schema}"')
    return conn


def test_a_project_is_a_schema_with_a_local_folder(project):
    loc = project.backend.loc
    assert project.location == loc.url and "project=" in loc.url
    assert linked_url(project.path) == loc.url and (project.path / "models").is_dir()
    assert not (project.path / "nergui.sqlite").exists()
    with _admin(project) as admin:
        assert admin.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        tables = {r[0] for r in admin.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (loc.schema,))}
    assert {"documents", "spans", "labels", "settings", "runs", "rejections", "suggestions",
            "model_versions", "model_current"} <= tables


def test_queries_use_the_indexes(project):
    project.import_records([Record(f"Document {i} about roasting coffee.") for i in range(50)], path="more")
    project.conn.execute("SET enable_seqscan = off")  # a few rows: make the planner show which index it can use

    def plan(sql, args=()):
        return " ".join(r[0] for r in project.conn.execute("EXPLAIN " + sql, args))

    assert "documents_state" in plan("SELECT id FROM documents d WHERE d.state = ? ORDER BY id", ("todo",))
    assert "spans_label" in plan("SELECT doc_id FROM spans WHERE label = ?", ("ORG",))
    where, args = store._where(Filter(search="roast"), "postgres")
    assert "documents_fts" in plan("SELECT id FROM documents d " + where, args)


def test_migrates_a_version_1_schema(pg_store):
    """The migrations are one list for both backends: a project left at version 1 is brought
    up to date on PostgreSQL through the same entries."""
    url = pg_store.location()
    loc = postgres.parse_url(url)
    backend = postgres.PostgresBackend(loc)
    conn = backend.connect(5)
    backend.create(conn)
    for statement in backend.statements(MIGRATIONS[1]):
        conn.execute(statement)
    backend.set_schema_version(conn, 1)
    conn.execute("INSERT INTO documents (text, input_hash) VALUES ('hello', 'h1')")
    conn.close()
    with Project.open(url) as p:
        assert p.backend.schema_version(p.conn) == SCHEMA_VERSION
        assert p.get_document(1).text == "hello"
        assert p.doc_ids(Filter(search="hell")) == [1]  # v5's index, made by the migration
        p.set_rejected(1, 0, 5, "ORG")  # v3's table
        assert p.rejections(1) == {(0, 5, "ORG")}


def test_clear_errors_for_urls(pg_store, monkeypatch):
    url = pg_store.location()
    with pytest.raises(ProjectError, match="holds no nergui project named") as caught:
        Project.open(url)
    assert "nergui migrate FOLDER" in str(caught.value)
    with pytest.raises(ProjectError, match="holds a password") as caught:
        Project.open(url.replace("nergui@", "nergui:s3cret@"))
    assert "s3cret" not in str(caught.value) and ".pgpass" in str(caught.value)
    with pytest.raises(ProjectError, match="give the project's name once"):
        Project.open(url.split("?")[0])
    with pytest.raises(ProjectError, match="is not a project name"):
        Project.open(url.split("?")[0] + "?project=no/slashes")
    with Project.create(url) as p:
        with _admin(p) as admin:
            admin.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION + 3,))
    with pytest.raises(ProjectError, match="newer nergui"):
        Project.open(url)
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "2")
    with pytest.raises(StoreError, match="cannot be reached") as caught:
        Project.open("postgresql://nergui@127.0.0.1:1/postgres?project=nowhere")
    assert str(caught.value).startswith("postgresql://nergui@127.0.0.1:1/postgres?project=nowhere:")


def test_writers_take_turns_and_a_long_one_is_busy(project, monkeypatch):
    """BEGIN IMMEDIATE takes the project's lock: another writer waits, and past the busy
    timeout gets the busy message; reads go on; nothing of the refused edit is kept."""
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.3)
    with Project.open(project.location) as other, _admin(project) as admin:
        admin.execute("BEGIN")
        admin.execute("SELECT pg_advisory_xact_lock(%s, %s)", (postgres.LOCK_CLASS, project.backend.loc.lock_key))
        with pytest.raises(StoreError) as caught:
            edits.AddSpans(1, "", (Span(19, 27, "PERSON"),)).apply(other)
        assert str(caught.value) == Msg.PG_BUSY.format(url=project.location, seconds=0.3)
        assert not other.conn.in_transaction
        assert [s.label for s in other.get_document(1).spans] == ["ORG"]  # reads are not blocked
        admin.execute("ROLLBACK")
        edits.AddSpans(1, "", (Span(19, 27, "PERSON"),)).apply(other)
    assert [s.label for s in project.get_document(1).spans] == ["ORG", "PERSON"]


def test_concurrent_writers_never_clash(pg_store):
    """Four apps adding spans and labels at once: every edit is kept, ids never collide
    (new ids are the largest + 1, taken under the project's lock)."""
    url = pg_store.location()
    with Project.create(url) as p:
        p.import_records([Record(f"Text number {i} with words." + " x" * 20) for i in range(40)], path="t")
    failures = []

    def annotate(worker: int) -> None:
        try:
            with Project.open(url) as mine:
                for doc_id in range(worker + 1, 41, 4):
                    mine.add_span(doc_id, Span(0, 4, f"L{worker}"))
                    mine.add_spans(doc_id, [Span(5, 11, "NUM"), Span(12, 14, f"K{worker}")])
        except Exception as err:  # noqa: BLE001 - reported below
            failures.append(err)

    threads = [threading.Thread(target=annotate, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with Project.open(url) as p:
        assert p.counts_by_label(state=None) == {"L0": 10, "L1": 10, "L2": 10, "L3": 10, "NUM": 40,
                                                 "K0": 10, "K1": 10, "K2": 10, "K3": 10}
        assert sorted(p.conn.execute("SELECT shortcut FROM labels WHERE shortcut IS NOT NULL")) == \
            [(k,) for k in "123456789"]  # no key given twice


def test_a_refused_statement_rolls_back_the_action(project):
    with pytest.raises(StoreError, match="the database refused") as caught:
        with project.transaction():
            project.conn.execute("UPDATE documents SET state = 'accepted'")
            project.conn.execute("INSERT INTO spans (doc_id, start, end, label) VALUES (99, 0, 1, 'X')")
    assert "foreign key" in str(caught.value)
    assert not project.conn.in_transaction and project.get_document(1).state == "todo"


def test_a_dropped_connection_is_replaced(project):
    """The server restarted (here: it ended this app's session): the next action works."""
    with _admin(project) as admin:
        pid = project.conn.raw.info.backend_pid
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert project.count() == 1  # a read: retried on a new connection
    project.add_span(1, Span(19, 27, "PERSON"))  # an edit: BEGIN on the new connection
    assert project.conn.raw.info.backend_pid != pid
    assert len(project.get_document(1).spans) == 2


def test_a_closed_project_is_a_bug_not_an_unreachable_server(project):
    project.close()
    with pytest.raises(Exception) as caught:
        project.count()
    assert not isinstance(caught.value, StoreError)


@pytest.mark.parametrize("sqlite_text, pg_text", [
    ("SELECT start, end FROM spans WHERE doc_id = ?", 'SELECT start, "end" FROM spans WHERE doc_id = %s'),
    ("INSERT OR IGNORE INTO rejections (doc_id, start, end, label) VALUES (?, ?, ?, ?)",
     'INSERT INTO rejections (doc_id, start, "end", label) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING'),
    ("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
     "INSERT INTO settings (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"),
    ("INSERT INTO runs (started, settings) VALUES (?, ?)",
     "INSERT INTO runs (started, settings) VALUES (%s, %s) RETURNING id"),
    ("SELECT 1 WHERE d.text LIKE ? ESCAPE '\\' AND x = 'it''s 50% end?'",
     "SELECT 1 WHERE d.text ILIKE %s ESCAPE '\\' AND x = 'it''s 50%% end?'"),
])
def test_statements_are_translated(sqlite_text, pg_text):
    assert postgres.translate(sqlite_text, True, True)[0] == pg_text


def test_the_local_folder_opens_the_project(project, tmp_path):
    assert (project.path / LINK_NAME).read_text().strip() == project.location
    with Project.open(project.path) as again:
        assert again.location == project.location and again.count() == 1
