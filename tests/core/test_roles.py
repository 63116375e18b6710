"""Roles of a team's project enforced by PostgreSQL (real server, real login users): an
annotator's connection, in the app or not, cannot change another's rows; a reviewer can;
labels are the admin's. ``nergui roles URL USER ROLE`` gives the roles."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from nergui import cli
from nergui.core.backends import pg_roles
from nergui.core.records import Record, Span
from nergui.core.routing import Router
from nergui.core.store import Project
from nergui.core.versions import acting_as
from nergui.errors import Msg, StoreError

TEXT = "Acme Widgets hired Jane Doe in Berlin."


@pytest.fixture
def team(pg_store):
    """A project made by the server's user (its owner), and three login users."""
    url = pg_store.location()
    tag = uuid.uuid4().hex[:8]
    users = {name: f"t{tag}_{name}" for name in ("alice", "bob", "rev")}
    owner = psycopg.connect(pg_store.server, autocommit=True)
    for user in users.values():
        owner.execute(f'CREATE ROLE "{user}" LOGIN')
    with Project.create(url) as p:
        p.add_label("ORG")
        p.add_label("PERSON")
        p.import_records([Record(TEXT, line=1)], path="t")
        p.set_setting("annotations_per_task", "2")
        loc = p.backend.loc
    try:
        yield url, users
    finally:
        pg_store.drop()
        pg_store.made.clear()
        for user in users.values():
            owner.execute(f'DROP ROLE IF EXISTS "{user}"')
        for role in pg_roles.ROLES:
            owner.execute(f'DROP ROLE IF EXISTS "{pg_roles.group(loc, role)}"')
        owner.close()


def _as(url: str, user: str) -> str:
    return url.replace("://", f"://{user}@", 1) if "@" not in url else url.replace(url.split("://")[1].split("@")[0], user, 1)


def test_an_annotator_changes_only_their_own_rows_whatever_program_connects(team, capsys):
    url, users = team
    for name, role in (("alice", "annotator"), ("bob", "annotator"), ("rev", "reviewer")):
        assert cli.main(["roles", url, users[name], role]) == 0
    assert f"{users['rev']} is now reviewer" in capsys.readouterr().out
    with Project.open(_as(url, users["alice"])) as alice, Project.open(_as(url, users["bob"])) as bob:
        assert alice.annotator == users["alice"]
        alice.add_span(1, Span(0, 12, "ORG"))
        alice.set_rejected(1, 31, 37, "GPE")
        bob.add_span(1, Span(19, 27, "PERSON"))
        span = alice.find_span_id(1, 0, 12)  # alice's version (each annotator has their own: core/versions.py)
        assert bob.find_span_id(1, 0, 12) is None and bob.rejections(1) == set()

        def unreject_alices():  # the store's path to alice's version, from bob's connection
            with acting_as(bob, users["alice"]):
                bob.set_rejected(1, 31, 37, "GPE", False)

        for attempt in (lambda: bob.remove_span(span), lambda: bob.relabel_span(span, "PERSON"), unreject_alices):
            with pytest.raises(StoreError) as caught:
                attempt()
            assert str(caught.value).startswith(Msg.NOT_YOURS.split("{")[0])
        with pytest.raises(StoreError, match="may not do that"):
            bob.add_span(1, Span(31, 37, "GPE"))  # a new label: the admin's
        violations = 0  # bob's own connection, outside the app
        raw = bob.conn.raw
        violations += raw.execute("UPDATE spans SET label = 'X' WHERE annotator = %s", (users["alice"],)).rowcount
        violations += raw.execute("DELETE FROM rejections WHERE annotator = %s", (users["alice"],)).rowcount
        for statement in ("INSERT INTO spans (doc_id, start, \"end\", label, annotator) VALUES (1, 28, 30, 'ORG', %s)",
                          "UPDATE spans SET annotator = %s WHERE annotator = current_user"):
            try:
                raw.execute(statement, (users["alice"],))
                violations += 1
            except psycopg.errors.InsufficientPrivilege:
                pass
        for statement in ("DELETE FROM labels", "UPDATE settings SET value = 'x'", "DELETE FROM documents"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                raw.execute(statement)
        assert violations == 0  # rls_violations
        assert Router(alice).next() == 1 and Router(bob).next() == 1  # routing under the policies
        assert alice.authors(1) == {"spans": {(0, 12, "ORG"): users["alice"], (19, 27, "PERSON"): users["bob"]},
                                    "rejections": {(31, 37, "GPE"): users["alice"]}}
    with Project.open(_as(url, users["rev"])) as reviewer:  # settles: may change anyone's
        reviewer.relabel_span(span, "PERSON")
        with acting_as(reviewer, users["alice"]):
            reviewer.set_rejected(1, 31, 37, "GPE", False)
        assert reviewer.authors(1)["spans"][(0, 12, "PERSON")] == users["rev"]
    with pytest.raises(SystemExit):  # argparse: not one of the three roles
        cli.main(["roles", url, users["bob"], "owner"])


def test_roles_say_what_is_wrong(team, capsys):
    url, users = team
    assert cli.main(["roles", url, "nobody_here_" + uuid.uuid4().hex[:6], "annotator"]) == 1
    assert "is not a user of this database server" in capsys.readouterr().err
