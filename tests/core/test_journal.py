"""The offline journal (core/journal.py) on a real PostgreSQL server: edits kept while the
server is down (stopped here) are sent in order when it is back; a conflict is reported,
named, and kept in the file; a journal a crash left is sent once, not twice."""

from __future__ import annotations

import pytest

from nergui.core import edits
from nergui.core.journal import JOURNAL_NAME, Journal, NotKept
from nergui.core.records import Record, Span
from nergui.core.store import Project
from nergui.errors import SpanError, StoreError

from ..own_server import own_server, start, stop  # noqa: F401 - the fixture

TEXT = "Acme Widgets hired Jane Doe in Berlin"


def _project(location) -> Project:
    project = Project.create(location)
    project.add_label("ORG")
    project.add_label("PERSON")
    project.import_records([Record(TEXT, spans=[Span(0, 4, "ORG")], line=1), Record("Other text here", line=2)],
                           path="t")
    return project


def _kept(journal: Journal, project_doc, rejected: set, edit: edits.Edit) -> edits.Edit:
    """Keep ``edit`` and make it to the document in memory, as the window does."""
    back = journal.keep(edit, project_doc, rejected)
    edit.patch(project_doc, rejected)
    return back


def test_edits_kept_while_the_server_is_down_are_sent_in_order_when_it_is_back(own_server):  # noqa: F811
    url, folder = own_server
    location = f"{url}?project=journal"
    project = _project(location)
    doc, rejected = project.get_document(1), project.rejections(1)
    journal = Journal(project.path)
    assert journal.path == project.path / JOURNAL_NAME and journal.pending == 0

    stop(folder)
    add = edits.AddSpans(1, "Add PERSON 'Jane Doe'", (Span(19, 27, "PERSON"),))
    with pytest.raises(StoreError) as refused:
        add.apply(project)  # what the window meets first
    assert "cannot be reached" in str(refused.value)
    _kept(journal, doc, rejected, add)
    _kept(journal, doc, rejected, edits.Relabel(1, "Relabel ORG as PERSON", 0, 4, "PERSON"))
    back = _kept(journal, doc, rejected, edits.Relabel(1, "Relabel PERSON as ORG", 0, 4, "ORG"))
    assert back == edits.Relabel(1, "Relabel PERSON as ORG", 0, 4, "PERSON")  # its undo, from memory
    _kept(journal, doc, rejected, edits.Reject(1, "Reject PLACE 'Berlin'", 31, 37, "PLACE"))
    _kept(journal, doc, rejected, edits.SetState(1, "Mark document 1 accepted", "accepted"))
    with pytest.raises(SpanError):  # what the store would refuse is refused offline too
        journal.keep(edits.AddSpans(1, "x", (Span(20, 24, "ORG"),)), doc, rejected)
    with pytest.raises(NotKept):  # a document not shown: it is not in memory
        journal.keep(edits.SetState(2, "x", "accepted"), doc, rejected)
    assert journal.pending == 5
    assert len((journal.path).read_text().splitlines()) == 5
    assert Journal(project.path).pending == 5  # on disk: a crashed app's journal is read back

    start(folder)
    result = journal.replay(project)
    assert (result.sent, result.already, result.conflicts, result.stopped) == (5, 0, [], None)
    assert not journal.path.exists() and journal.pending == 0
    with Project.open(location) as other:
        stored = other.get_document(1)
        assert [(s.start, s.end, s.label) for s in stored.spans] == [(0, 4, "ORG"), (19, 27, "PERSON")]
        assert stored.state == "accepted"
        assert other.rejections(1) == {(31, 37, "PLACE")}
        assert [(s.start, s.end, s.label) for s in doc.spans] == [(0, 4, "ORG"), (19, 27, "PERSON")]  # as shown
    project.close()


def test_a_conflict_is_named_and_kept_in_the_journal_and_the_rest_is_sent(pg_store):
    location = pg_store.location("conflict")
    project = _project(location)
    doc, rejected = project.get_document(1), project.rejections(1)
    journal = Journal(project.path)
    _kept(journal, doc, rejected, edits.Relabel(1, "Relabel ORG as PERSON", 0, 4, "PERSON"))
    _kept(journal, doc, rejected, edits.SetState(1, "Mark document 1 accepted", "accepted"))
    _kept(journal, doc, rejected, edits.AddSpans(1, "Add PERSON 'Jane Doe'", (Span(19, 27, "PERSON"),)))
    with Project.open(location) as someone:  # meanwhile, someone else changes the span and adds one in the way
        someone.add_label("PLACE")
        someone.relabel_span(someone.find_span_id(1, 0, 4), "PLACE")
        someone.add_spans(1, [Span(24, 27, "PLACE")])

    result = journal.replay(project)
    assert result.sent == 1 and result.stopped is None  # the state
    assert [c.doc_id for c in result.conflicts] == [1, 1]
    first, second = (c.message for c in result.conflicts)
    assert "Document 1" in first and "Relabel ORG as PERSON" in first and "now PLACE, not ORG" in first
    assert str(journal.path) in first
    assert "Add PERSON 'Jane Doe'" in second and "overlaps PLACE" in second
    kept = journal.path.read_text().splitlines()
    assert len(kept) == 2 and all('"conflict"' in line for line in kept)  # kept for the user, not dropped
    assert journal.pending == 0 and journal.conflicts == 2
    assert journal.replay(project).sent == 0 and journal.conflicts == 2  # not sent again
    with Project.open(location) as other:
        stored = other.get_document(1)
        assert stored.state == "accepted"
        assert [(s.start, s.end, s.label) for s in stored.spans] == [(0, 4, "PLACE"), (24, 27, "PLACE")]
    project.close()


def test_a_journal_left_by_a_crash_is_sent_once(pg_store):
    """A crash after an edit's commit and before the journal's rewrite: the edit is found in
    the store and not made twice; a half-written last line was never acknowledged."""
    location = pg_store.location("crashed")
    project = _project(location)
    doc, rejected = project.get_document(1), project.rejections(1)
    journal = Journal(project.path)
    add = edits.AddSpans(1, "Add PERSON 'Jane Doe'", (Span(19, 27, "PERSON"),))
    _kept(journal, doc, rejected, add)
    _kept(journal, doc, rejected, edits.SetState(1, "Mark document 1 skipped", "skipped"))
    add.apply(project)  # sent, then the app died before rewriting the journal
    with open(journal.path, "a", encoding="utf-8") as f:
        f.write('{"seq": 3, "at": 1.0, "edit": {"kind": "SetSt')  # killed inside ``keep``
    again = Journal(project.path)
    assert again.pending == 2 and again.path.read_text().endswith("}\n")  # the torn line is gone
    result = again.replay(project)
    assert (result.sent, result.already, result.conflicts) == (1, 1, [])
    stored = project.get_document(1)
    assert [(s.start, s.end, s.label) for s in stored.spans] == [(0, 4, "ORG"), (19, 27, "PERSON")]
    assert stored.state == "skipped"
    assert not again.path.exists()
    project.close()



def test_two_windows_of_one_project_keep_into_one_journal_and_lose_nothing(pg_store):
    """Two windows on this machine: each keeps edits in the same file; one sends them all."""
    location = pg_store.location("two")
    project = _project(location)
    doc_a, doc_b = project.get_document(1), project.get_document(1)
    a, b = Journal(project.path), Journal(project.path)
    _kept(a, doc_a, set(), edits.SetState(1, "Mark document 1 accepted", "accepted"))
    _kept(b, doc_b, set(), edits.AddSpans(1, "Add PERSON 'Jane Doe'", (Span(19, 27, "PERSON"),)))
    _kept(a, doc_a, set(), edits.Relabel(1, "Relabel ORG as PERSON", 0, 4, "PERSON"))
    result = a.replay(project)
    assert (result.sent, result.conflicts) == (3, [])
    assert not a.path.exists()
    stored = project.get_document(1)
    assert stored.state == "accepted"
    assert [(s.start, s.end, s.label) for s in stored.spans] == [(0, 4, "PERSON"), (19, 27, "PERSON")]
    assert b.replay(project).sent == 0  # nothing sent twice
    project.close()
