"""A database project's window while its server is down (gui/offline.py, core/journal.py):
the status bar says "Offline"; the shown document's edits (its state, a span, undo and redo)
are kept in the offline journal and shown at once, and the status bar counts them; an edit
the journal cannot keep (a label) is refused with the store's message (kept in View >
Messages). When the server is back the kept edits are sent and the window says how many; a
journal a crashed app left is sent when the window opens. A real server of the test's own
(stopped and started again here)."""

from nergui.core import edits
from nergui.core.journal import Journal
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.errors import Msg, in_window

from ..own_server import own_server, start, stop  # noqa: F401 - the fixture


def _said(w) -> list[str]:
    return [w.messages.list.item(i).text() for i in range(w.messages.list.count())]


def test_offline_edits_are_kept_and_sent_when_the_server_is_back(own_server, make_window, qtbot,  # noqa: F811
                                                                 tmp_path):
    url, folder = own_server
    location = f"{url}?project=offline"
    project = Project.create(location)
    project.set_setting("base_pipeline", "blank:en")
    project.add_label("ORG")
    project.import_records([Record("Acme Widgets hired Jane Doe in Berlin", line=1)], path="t")
    w = make_window(project)
    assert w.offline is not None and not w.offline.label.isVisible()
    assert w.session.doc.id == 1 and w.session.doc.state == "todo"

    stop(folder)
    w.set_state("accepted")  # kept offline, shown at once
    assert w.offline.offline and w.offline.label.isVisible()
    assert w.offline.label.text() == Msg.JOURNAL_LABEL.format(n=1)
    assert w.session.doc.state == "accepted"
    assert w.session.mark(19, 27, char_mode=True, label="ORG") is not None  # "Jane Doe"
    assert [(s.start, s.end) for s in w.session.doc.spans] == [(19, 27)]
    w.session.undo_stack.undo()  # undo works offline: kept too
    assert w.session.doc.spans == []
    w.session.undo_stack.redo()
    assert [(s.start, s.end, s.label) for s in w.session.doc.spans] == [(19, 27, "ORG")]
    assert w.offline.label.text() == "Offline: 4 edits kept, sent when the server is back"
    assert len(w.offline.journal.path.read_text().splitlines()) == 4
    assert not w.session.add_labels(["PLACE"])  # the journal cannot keep label edits: refused as before
    said = _said(w)
    assert any("the database server cannot be reached" in t and "was not saved" in t for t in said), said
    assert any(in_window(Msg.OFFLINE_NOW) in t for t in said), said
    assert w.grab().save(str(tmp_path / "offline.png"))  # a full repaint while offline: the list does not raise

    start(folder)
    qtbot.waitUntil(lambda: not w.offline.offline, timeout=10000)  # the probe, every 2 s while offline
    assert not w.offline.label.isVisible()
    assert w.statusBar().currentMessage() == in_window(Msg.JOURNAL_SENT.format(n=4))
    assert not w.offline.journal.path.exists()
    with Project.open(location) as other:
        doc = other.get_document(1)
        assert doc.state == "accepted"
        assert [(s.start, s.end, s.label) for s in doc.spans] == [(19, 27, "ORG")]
        assert "PLACE" not in other.label_names()  # the refused edit wrote nothing
    w.close()

    # a journal left by an app that died offline is sent when the window opens; a conflict is named and kept
    with Project.open(location) as other:
        journal = Journal(other.path)
        doc = other.get_document(1)
        journal.keep(edits.SetState(1, "Mark document 1 skipped", "skipped"), doc, set())
        journal.keep(edits.RemoveSpans(1, "Remove ORG 'Jane Doe'", (doc.spans[0],)), doc, set())
        other.add_label("PERSON")  # meanwhile someone else relabels that span
        other.relabel_span(other.find_span_id(1, 19, 27), "PERSON")
    w2 = make_window(Project.open(location))
    sent = in_window(Msg.JOURNAL_SENT_CONFLICTS.format(n=1, k=1, path=journal.path))
    qtbot.waitUntil(lambda: any(t.endswith(sent) for t in _said(w2)), timeout=5000)
    assert any("Document 1" in t and "Remove ORG 'Jane Doe'" in t and "now PERSON, not ORG" in t
               for t in _said(w2)), _said(w2)
    assert w2.session.doc.state == "skipped"
    assert [(s.start, s.end, s.label) for s in w2.session.doc.spans] == [(19, 27, "PERSON")]  # the store's, read back
    with Project.open(location) as other:
        assert other.get_document(1).state == "skipped"
    w2.close()
    assert '"conflict"' in journal.path.read_text()  # kept for the user
    w3 = make_window(Project.open(location))  # and said again at the next start
    left = in_window(Msg.JOURNAL_CONFLICTS_LEFT.format(k=1, path=journal.path))
    qtbot.waitUntil(lambda: any(t.endswith(left) for t in _said(w3)), timeout=5000)
    w3.close()
