"""Handing documents out to a team (core/routing.py) on both backends (real SQLite files, a
real PostgreSQL server): annotations_per_task annotators per document, never more, even with
many apps asking at once; a lease that runs out lets the document go to someone else."""

from __future__ import annotations

import threading
import time

import pytest

from nergui.core.records import Record
from nergui.core.routing import LEASE, PER_TASK, Router
from nergui.core.store import Project
from nergui.errors import ProjectError


def _project(location, n: int, per_task: int) -> None:
    with Project.create(location) as p:
        p.import_records([Record(f"Document number {i}.") for i in range(n)], path="t")
        p.set_setting(PER_TASK, str(per_task))


def _app(location, name: str) -> Project:
    p = Project.open(location)
    p.annotator = name
    return p


def test_each_document_goes_to_as_many_annotators_as_configured(store_backend):
    where = store_backend.location()
    _project(where, 3, per_task=2)
    a, b, c, d = (_app(where, n) for n in ("ana", "ben", "cy", "dee"))
    try:
        ra, rb, rc, rd = Router(a), Router(b), Router(c), Router(d)
        assert (ra.next(), rb.next(), rc.next()) == (1, 1, 2)  # document 1 has its two annotators
        assert ra.next() == 1  # not finished: the same one again (its lease renewed)
        ra.finish(1)
        assert ra.next() == 2 and rc.assignments(2) == {"cy": False, "ana": False}
        assert rd.next() == 3  # 1 and 2 have their two
        rb.release(1)  # given back: it goes to the next who asks
        assert rd.next() == 3 and rc.next() == 2  # each keeps the one they hold
        rd.finish(3)
        assert rd.next() == 1 and ra.assignments(1) == {"ana": True, "dee": False}
        assert rb.next() == 3  # ben: the first that still needs someone
        a.annotator = None
        with pytest.raises(ProjectError, match="no name"):
            ra.next()
    finally:
        for p in (a, b, c, d):
            p.close()


def test_an_unfinished_lease_runs_out(store_backend):
    where = store_backend.location()
    _project(where, 1, per_task=1)
    a, b = _app(where, "ana"), _app(where, "ben")
    try:
        a.set_setting(LEASE, "0.3")
        assert Router(a).next() == 1 and Router(b).next() is None
        time.sleep(0.4)
        assert Router(b).next() == 1  # ana's lease ran out
        Router(b).finish(1)
        assert Router(a).next() is None  # ben finished it: one annotator was asked for
    finally:
        a.close()
        b.close()


def test_many_apps_asking_at_once_never_over_assign(store_backend):
    """Six apps (each its own connection and thread) take documents until none is left."""
    where = store_backend.location()
    _project(where, 24, per_task=2)
    taken: dict[str, list[int]] = {}
    errors = []

    def annotate(name: str) -> None:
        try:
            with _app(where, name) as mine:
                router = Router(mine)
                while (doc := router.next()) is not None:
                    taken.setdefault(name, []).append(doc)
                    router.finish(doc)
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=annotate, args=(f"a{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    per_doc: dict[int, list[str]] = {}
    for name, docs in taken.items():
        assert len(docs) == len(set(docs)), name  # nobody got a document twice
        for doc in docs:
            per_doc.setdefault(doc, []).append(name)
    assert sorted(per_doc) == list(range(1, 25))
    assert {doc: len(names) for doc, names in per_doc.items()} == {doc: 2 for doc in range(1, 25)}
    with Project.open(where) as p:
        assert p.conn.execute("SELECT count(*) FROM assignments WHERE done = 1").fetchone()[0] == 48


def test_a_document_another_app_is_taking_is_waited_for_not_given_up(store_backend):
    """An app asking while another holds the last candidate's row (taking it at that moment)
    gets it once the other is done, instead of "every document has its annotators"."""
    if store_backend.kind != "postgres":
        pytest.skip("SKIP LOCKED is PostgreSQL's: SQLite's write lock makes the other app wait")
    where = store_backend.location()
    _project(where, 1, per_task=2)
    holder, asker = _app(where, "ana"), _app(where, "ben")
    got: list[int | None] = []
    try:
        holder.conn.execute("BEGIN")
        holder.conn.execute("SELECT id FROM documents WHERE id = 1 FOR UPDATE").fetchone()
        thread = threading.Thread(target=lambda: got.append(Router(asker).next()))
        thread.start()
        time.sleep(0.5)
        assert got == []  # still asking: the only candidate is locked, not gone
        holder.conn.execute("COMMIT")
        thread.join(5)
        assert got == [1] and Router(asker).assignments(1) == {"ben": False}
    finally:
        holder.close()
        asker.close()
