"""Hand-made team projects for the agreement and review tests."""

from __future__ import annotations

from nergui.core.backends.sqlite import SQLiteBackend
from nergui.core.records import Record, Span
from nergui.core.store_schema import MIGRATIONS
from nergui.core.store import Project
from nergui.core.versions import PER_TASK


def versions_project(location, texts: list[str], versions: dict) -> None:
    """A team's project (two annotators per document) at ``location`` holding ``texts`` and
    each annotator's version, ``{annotator: {doc_id: ([(start, end, label)], verdict)}}``;
    a verdict of None leaves that version to do."""
    with Project.create(location) as p:
        p.import_records([Record(t) for t in texts], path="t")
        p.set_setting(PER_TASK, "2")
        for name, docs in versions.items():
            p.annotator = name
            for doc_id, (spans, verdict) in docs.items():
                p.add_spans(doc_id, [Span(a, b, lab) for a, b, lab in spans])
                if verdict is not None:
                    p.set_state(doc_id, verdict)


def schema_at(store_backend, version: int):
    """A new project at ``store_backend``'s location left at schema ``version`` (the same
    migration list on both backends): ``(backend, conn)``, the connection in autocommit as
    the backend opens it, for a test to fill before the store migrates it."""
    where = store_backend.location()
    if store_backend.kind == "sqlite":
        where.mkdir()
        backend = SQLiteBackend(where)
        conn = backend.connect(5)
    else:
        from nergui.core.backends import postgres

        backend = postgres.PostgresBackend(postgres.parse_url(where))
        conn = backend.connect(5)
        backend.create(conn)
    for step in range(1, version + 1):
        for statement in backend.statements(MIGRATIONS[step]):
            conn.execute(statement)
    backend.set_schema_version(conn, version)
    return where, backend, conn
