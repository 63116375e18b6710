"""The app while another program holds the project's write lock: undo, redo and an import
say so in the status bar, change nothing, raise nothing, and work once the lock is gone
(an undo step stays on the stack for the retry)."""

import sqlite3

from PySide6.QtCore import Qt

from nergui.core.store import DB_NAME
from nergui.errors import Msg

from .conftest import drag, spans_of

TEXT = "Acme Widgets hired Jane Doe in Berlin."
UNDO = (Qt.Key_Z, Qt.ControlModifier)
REDO = (Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)


def _shown(w):
    """The spans of the document the window holds, and those the view paints as spans."""
    doc = [(s.start, s.end, s.label) for s in w.session.doc.spans]
    painted = [(m.start, m.end, m.label) for _, _, m in w.view._marks if m.kind == "span"]
    return doc, painted


class _Writer:
    """Another connection holding the database's write lock (as a long import from the
    command line would)."""

    def __init__(self, project):
        self.conn = sqlite3.connect(project.path / DB_NAME, isolation_level=None)

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc):
        self.conn.execute("ROLLBACK")
        self.conn.close()


def _mark_acme(make_project, make_window, request):
    # pytest-qt turns an exception escaping a Qt virtual or slot into a test failure: keep it on
    assert not request.config.getini("qt_no_exception_capture")
    w = make_window(make_project([TEXT]))
    p = w.session.project
    p.conn.execute("PRAGMA busy_timeout = 100")  # the app waits 30 s for a lock; the test 0.1 s
    drag(w.view, 0, 12)
    assert spans_of(p) == [(0, 12, "ORG")]
    assert w.session.undo_stack.index() == 1
    return w, p


def test_ctrl_z_while_the_database_is_locked_keeps_the_step_for_a_retry(make_project, make_window, qtbot, request):
    w, p = _mark_acme(make_project, make_window, request)
    stack = w.session.undo_stack
    with _Writer(p):
        qtbot.keyClick(w.view, *UNDO)
        assert w.statusBar().currentMessage() == Msg.DB_BUSY.format(path=p.path)
        assert spans_of(p) == [(0, 12, "ORG")]
        assert _shown(w) == ([(0, 12, "ORG")], [(0, 12, "ORG")])
        assert stack.canUndo() and not stack.canRedo()
        assert (stack.index(), stack.count()) == (1, 1)
        assert w.acts["undo"].isEnabled() and not w.acts["redo"].isEnabled()
    qtbot.keyClick(w.view, *UNDO)  # the lock is gone: the same step, again
    assert spans_of(p) == []
    assert _shown(w) == ([], [])
    assert (stack.index(), stack.count()) == (0, 1) and stack.canRedo()


def test_redo_while_the_database_is_locked_keeps_the_step_for_a_retry(make_project, make_window, qtbot, request):
    w, p = _mark_acme(make_project, make_window, request)
    stack = w.session.undo_stack
    qtbot.keyClick(w.view, *UNDO)
    assert spans_of(p) == [] and stack.index() == 0
    with _Writer(p):
        qtbot.keyClick(w.view, *REDO)
        assert w.statusBar().currentMessage() == Msg.DB_BUSY.format(path=p.path)
        assert spans_of(p) == []
        assert _shown(w) == ([], [])
        assert (stack.index(), stack.count()) == (0, 1) and stack.canRedo() and not stack.canUndo()
    qtbot.keyClick(w.view, *REDO)
    assert spans_of(p) == [(0, 12, "ORG")]
    assert _shown(w) == ([(0, 12, "ORG")], [(0, 12, "ORG")])
    assert (stack.index(), stack.count()) == (1, 1)


def test_undo_of_a_span_removed_elsewhere_drops_the_step(make_project, make_window, qtbot, request):
    """A real conflict (the span is gone: another window removed it) cannot be retried: the
    step leaves the stack with the reason in the status bar."""
    w, p = _mark_acme(make_project, make_window, request)
    other = sqlite3.connect(p.path / DB_NAME, isolation_level=None)
    other.execute("DELETE FROM spans WHERE doc_id = 1")
    other.close()
    qtbot.keyClick(w.view, *UNDO)
    assert w.statusBar().currentMessage() == Msg.NO_SPAN_AT.format(doc_id=1, start=0, end=12)
    stack = w.session.undo_stack
    assert (stack.index(), stack.count()) == (0, 0)
    assert spans_of(p) == []


def test_an_import_under_the_lock_says_busy_then_works(make_project, make_window, qtbot, request, tmp_path):
    from nergui.gui import projects

    w, p = _mark_acme(make_project, make_window, request)
    data = tmp_path / "more.jsonl"
    data.write_text('{"text": "Globex sells Widgets.", "spans": [{"start": 0, "end": 6, "label": "BRAND"}]}\n',
                    encoding="utf-8")
    with _Writer(p):
        projects.import_path(w, str(data))
        assert w.statusBar().currentMessage() == Msg.DB_BUSY.format(path=p.path)
        assert p.count() == 1 and len(w.docs.model.ids) == 1 and "BRAND" not in w.label_bar.buttons
    projects.import_path(w, str(data))
    assert p.count() == 2 and len(w.docs.model.ids) == 2 and "BRAND" in w.label_bar.buttons
    assert w.statusBar().currentMessage() == f"{data} (read as Prodigy JSONL): imported 1 documents, 0 duplicates skipped"
