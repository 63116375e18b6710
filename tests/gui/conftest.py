import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from nergui.core.records import Record, Span  # noqa: E402
from nergui.core.store import Project  # noqa: E402


@pytest.fixture
def make_project(tmp_path):
    def make(texts, *, spans=None, base="blank:en", labels=("ORG", "PRODUCT")):
        project = Project.create(tmp_path / "proj")
        project.set_setting("base_pipeline", base)
        for name in labels:
            project.add_label(name)
        records = [Record(t, spans=list((spans or {}).get(i, [])), line=i + 1) for i, t in enumerate(texts)]
        project.import_records(records, path="test")
        return project
    return make


@pytest.fixture
def make_window(qtbot, tmp_path):
    from nergui.gui.main_window import MainWindow

    def make(project, *, predictions=False, learn="off"):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
        settings.setValue("learn/default", learn)  # Learn as I annotate: off unless a test is about it
        w = MainWindow(project, settings=settings, predictions=predictions)
        qtbot.addWidget(w)
        w.show()
        w.activateWindow()
        qtbot.waitActive(w)
        return w
    return make


def drag(view, start, end, modifiers=Qt.NoModifier):
    """Press at the caret before code point `start`, move, release before code point `end`."""
    vp = view.viewport()
    a, b = view.point_at(start), view.point_at(end)
    QTest.mousePress(vp, Qt.LeftButton, modifiers, a)
    QTest.mouseMove(vp, b)
    QTest.mouseRelease(vp, Qt.LeftButton, modifiers, b)


def click(view, cp, button=Qt.LeftButton):
    p = view.point_at(cp)
    p.setX(p.x() + 2)
    QTest.mouseClick(view.viewport(), button, Qt.NoModifier, p)


def spans_of(project, doc_id=1):
    return [(s.start, s.end, s.label) for s in project.get_document(doc_id).spans]


__all__ = ["drag", "click", "spans_of", "Span"]
