"""Who made each review-mode decision (schema v9, core/decisions.py), on both backends (real
SQLite files, a real PostgreSQL server): a v8 project keeps its decisions; two annotators of
a team's project answer the same candidate each on their own; on PostgreSQL an annotator's
connection changes only their own decisions (row-level security); Prodigy JSONL carries the
annotator as ``_annotator_id`` both ways."""

from __future__ import annotations

import json

import psycopg
import pytest

from nergui.core import decisions, workflow
from nergui.core.decisions import Decide, Undecide
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.core.store_schema import SCHEMA_VERSION
from nergui.core.versions import PER_TASK, acting_as
from nergui.errors import EditConflict, Msg, StoreError

from .team_data import schema_at
from .test_roles import _as, team  # noqa: F401 - the fixture: a PostgreSQL project and login users

TEXT = "Acme Widgets hired Jane Doe in Berlin."  # Acme Widgets 0-12, Jane Doe 19-27, Berlin 31-37
ACME = (0, 12, "ORG")


def _app(location, name: str | None) -> Project:
    p = Project.open(location)
    p.annotator = name
    return p


def _rows(p: Project) -> list[tuple]:
    return p.conn.execute("SELECT id, start, end, label, answer, annotator FROM decisions ORDER BY id").fetchall()


def test_v9_migration_keeps_a_v8_projects_decisions(store_backend):
    """A project left at schema v8 (the same migration list on both backends) is brought to
    v9: its decisions kept with their ids, by nobody in particular (NULL); the key now holds
    the annotator, and a single-user project still refuses a candidate decided twice."""
    where, backend, conn = schema_at(store_backend, 8)
    conn.execute("INSERT INTO documents (text, input_hash) VALUES (?, 'h1')", (TEXT,))
    conn.execute("INSERT INTO labels (name, colour, position) VALUES ('ORG', '#7aecec', 0)")
    conn.execute("INSERT INTO decisions (id, doc_id, start, end, label, answer, score, origin, decided)"
                 " VALUES (4, 1, 0, 12, 'ORG', 'accept', 0.75, 'model', 10.0)")
    conn.execute("INSERT INTO decisions (id, doc_id, start, end, label, answer, origin, decided)"
                 " VALUES (7, 1, 19, 27, 'PERSON', 'reject', 'pattern', 11.0)")
    conn.close()
    with _app(where, "ana") as p:
        assert p.backend.schema_version(p.conn) == SCHEMA_VERSION == 9
        assert _rows(p) == [(4, 0, 12, "ORG", "accept", None), (7, 19, 27, "PERSON", "reject", None)]
        (old, _) = decisions.decisions(p, 1)
        assert (old.score, old.origin, old.decided, old.annotator) == (0.75, "model", 10.0, None)
        with pytest.raises(EditConflict):  # one version (single user): decided is decided, as before
            Decide(1, "", *ACME, "reject").apply(p)
        Decide(1, "", 31, 37, "GPE", "ignore").apply(p)
        assert _rows(p)[-1][1:] == (31, 37, "GPE", "ignore", "ana")
        # the key holds the annotator: another's row on the same candidate is allowed, one's own twice is not
        insert = ("INSERT OR IGNORE INTO decisions (doc_id, start, end, label, answer, annotator)"
                  " VALUES (1, 31, 37, 'GPE', 'accept', ?)")
        with p.transaction():
            assert p.conn.execute(insert, ("ana",)).rowcount == 0
            assert p.conn.execute(insert, ("ben",)).rowcount == 1
        assert len(_rows(p)) == 4
    with Project.open(where) as again:  # reopened: migrated once
        assert again.backend.schema_version(again.conn) == 9 and again.integrity_check() == "ok"
        assert len(_rows(again)) == 4


def test_two_annotators_answer_the_same_candidate_each_on_their_own(store_backend):
    where = store_backend.location()
    with Project.create(where) as p:
        p.add_label("ORG")
        p.import_records([Record(TEXT)], path="t")
        p.set_setting(PER_TASK, "2")
    with _app(where, "ana") as ana, _app(where, "ben") as ben:
        Decide(1, "", *ACME, "accept", 0.8).apply(ana)
        ben_undo = Decide(1, "", *ACME, "reject", 0.8).apply(ben)  # the same candidate: ben's own answer
        Decide(1, "", 19, 27, "ORG", "ignore").apply(ben)
        assert [r[4:] for r in _rows(ana)] == [("accept", "ana"), ("reject", "ben"), ("ignore", "ben")]
        # each sees, counts and is asked again about their own decisions only
        assert [(d.answer, d.annotator) for d in decisions.decisions(ana, 1)] == [("accept", "ana")]
        assert [(d.answer, d.annotator) for d in decisions.decisions(ben)] == [("reject", "ben"), ("ignore", "ben")]
        assert decisions.decided_keys(ana) == {(1, *ACME)}
        assert decisions.decided_keys(ben) == {(1, *ACME), (1, 19, 27, "ORG")}
        assert decisions.counts(ana)["accept"] == 1 and decisions.counts(ana)["reject"] == 0
        assert decisions.counts(ben)["reject"] == 1 and decisions.counts(ben)["accept"] == 0
        # the effects are in each one's version: ana's span, ben's rejection
        assert [(s.start, s.end) for s in ana.get_document(1).spans] == [(0, 12)] and ana.rejections(1) == set()
        assert ben.get_document(1).spans == [] and ben.rejections(1) == {ACME}
        with pytest.raises(EditConflict):  # ben's own, twice: refused
            Decide(1, "", *ACME, "accept").apply(ben)
        # training and export read the team's answers: ACME answered both ways is left out
        assert decisions.binary_records(ana) == decisions.binary_records(ben) == []
        # ben takes his back: his row and his rejection go, ana's stay
        assert isinstance(ben_undo, Undecide)
        redo = ben_undo.apply(ben)
        assert [r[4:] for r in _rows(ana)] == [("accept", "ana"), ("ignore", "ben")]
        assert ben.rejections(1) == set() and [(s.start, s.end) for s in ana.get_document(1).spans] == [(0, 12)]
        (record,) = decisions.binary_records(ben)  # now answered one way (ben's skip says nothing)
        assert [(s.start, s.end, s.label) for s in record.spans] == [ACME] and record.rejections == []
        assert record.annotators == {ACME: "ana"} and record.binary
        Decide(1, "", 19, 27, "ORG", "reject").apply(ana)  # rejected by the only one who answered it
        (record,) = decisions.binary_records(ben)
        assert [(s.start, s.end, s.label) for s in record.rejections] == [(19, 27, "ORG")]
        redo.apply(ben)
        (record,) = decisions.binary_records(ana)  # ACME disputed again: only the agreed rejection
        assert record.spans == [] and [(s.start, s.end) for s in record.rejections] == [(19, 27)]
        assert decisions.decided_keys(ben) == {(1, *ACME), (1, 19, 27, "ORG")}
        # one annotator per task again: one version, every decision (as a single-user project)
        ana.set_setting(PER_TASK, "1")
        assert [(d.answer, d.annotator) for d in decisions.decisions(ana)] == [
            ("accept", "ana"), ("ignore", "ben"), ("reject", "ana"), ("reject", "ben")]


def test_prodigy_export_and_import_carry_the_annotator(store_backend, tmp_path):
    with Project.create(store_backend.location("a")) as p:
        p.add_label("ORG")
        p.import_records([Record(TEXT)], path="t")
        p.annotator = "ana"
        Decide(1, "", *ACME, "accept", 0.9).apply(p)
        Decide(1, "", 31, 37, "ORG", "reject", 0.2).apply(p)
        out = tmp_path / "teach.jsonl"
        assert workflow.export_project(p, out, fmt="prodigy", state=None) == 1
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["answer"], x["spans"][0]["start"], x.get("_annotator_id")) for x in lines] == [
        ("accept", 0, "ana"), ("reject", 31, "ana")]
    # a line without an annotator (an older export, or another tool's) is by the importing app's
    lines.append({**lines[1], "spans": [{"start": 19, "end": 27, "label": "ORG"}]})
    del lines[-1]["_annotator_id"]
    out.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    with Project.create(store_backend.location("b")) as other:
        other.annotator = "zoe"
        assert workflow.import_file(other, out).committed
        assert {(d.start, d.answer, d.origin, d.annotator) for d in decisions.decisions(other)} == {
            (0, "accept", "import", "ana"), (31, "reject", "import", "ana"), (19, "reject", "import", "zoe")}


def test_an_annotator_changes_only_their_own_decisions_whatever_program_connects(team, capsys):
    from nergui import cli

    url, users = team
    alice_name, bob_name = users["alice"], users["bob"]
    for name in ("alice", "bob"):
        assert cli.main(["roles", url, users[name], "annotator"]) == 0
    capsys.readouterr()
    with Project.open(_as(url, alice_name)) as alice, Project.open(_as(url, bob_name)) as bob:
        Decide(1, "", *ACME, "accept", 0.7).apply(alice)  # through the store, as the review window does
        undo_bob = Decide(1, "", *ACME, "reject", 0.7).apply(bob)
        assert [(d.answer, d.annotator) for d in decisions.decisions(alice)] == [("accept", alice_name)]
        assert [(d.answer, d.annotator) for d in decisions.decisions(bob)] == [("reject", bob_name)]
        with pytest.raises(StoreError) as caught:  # the store's undo path to alice's decision, on bob's connection
            with acting_as(bob, alice_name):
                decisions.undecide(decisions.decisions(bob)[0]).apply(bob)
        assert str(caught.value).startswith(Msg.NOT_YOURS.split("{")[0])
        raw = bob.conn.raw  # bob's own connection, outside the app
        changed = raw.execute("UPDATE decisions SET answer = 'reject' WHERE annotator = %s", (alice_name,)).rowcount
        changed += raw.execute("DELETE FROM decisions WHERE annotator = %s", (alice_name,)).rowcount
        assert changed == 0
        for statement in ("INSERT INTO decisions (doc_id, start, \"end\", label, answer, annotator)"
                          " VALUES (1, 19, 27, 'ORG', 'accept', %s)",
                          "UPDATE decisions SET annotator = %s WHERE annotator = current_user"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                raw.execute(statement, (alice_name,))
        undo_bob.apply(bob)  # his own: taken back
        assert decisions.decisions(bob) == []
        assert [(d.answer, d.annotator) for d in decisions.decisions(alice)] == [("accept", alice_name)]


def test_roles_given_before_v9_cover_decisions_after_the_migration(team, capsys):
    """A team's project whose roles were given at schema v8 (decisions not theirs to write
    then): the owner's migration to v9 extends the roles, no second ``nergui roles``."""
    from nergui import cli
    from nergui.core.backends import postgres

    url, users = team
    assert cli.main(["roles", url, users["alice"], "annotator"]) == 0
    capsys.readouterr()
    loc = postgres.parse_url(url)
    with psycopg.connect(loc.conninfo, autocommit=True) as owner:  # back to v8 as it was, roles and all
        owner.execute(f'SET search_path TO "{loc.schema}"')
        annotator = f'"{loc.schema}_annotator"'
        owner.execute(f"REVOKE INSERT, UPDATE, DELETE ON decisions FROM {annotator}")
        owner.execute("ALTER TABLE decisions DISABLE ROW LEVEL SECURITY")
        for policy in ("nergui_see", "nergui_own", "nergui_any"):
            owner.execute(f"DROP POLICY {policy} ON decisions")
        owner.execute("DROP INDEX decisions_key")
        owner.execute("ALTER TABLE decisions DROP COLUMN annotator")
        owner.execute('ALTER TABLE decisions ADD CONSTRAINT decisions_doc_id_start_end_label_key'
                      ' UNIQUE (doc_id, start, "end", label)')
        owner.execute("UPDATE schema_version SET version = 8")

        def may(what: str) -> bool:
            query = "SELECT has_table_privilege(%s, 'decisions', %s)"
            return owner.execute(query, (users["alice"], what)).fetchone()[0]

        def guarded() -> bool:
            return owner.execute("SELECT relrowsecurity FROM pg_class WHERE oid = 'decisions'::regclass").fetchone()[0]

        assert not may("INSERT") and not guarded()
        with Project.open(url) as owner_project:  # the owner opens it: migrated, the roles extended
            assert owner_project.backend.schema_version(owner_project.conn) == 9
        assert may("INSERT") and may("DELETE") and guarded()
    with Project.open(_as(url, users["alice"])) as alice:
        Decide(1, "", *ACME, "accept").apply(alice)
        assert [(d.answer, d.annotator) for d in decisions.decisions(alice)] == [("accept", users["alice"])]
