"""The window measurements of ``nergui bench gui``, run in a fresh process per project.

    python -m nergui.bench.gui_window open PROJECT SETTINGS.ini   # one JSON line on stdout
    python -m nergui.bench.gui_window long PROJECT SETTINGS.ini

``open``: the project opened as the app opens it (previews on, the last document restored,
counts and filters shown) until the event loop has painted the list and the document
(``open_ms``), until that document's predictions are painted (``first_prediction_ms``),
the process's resident memory then (``rss_mb``); the list scrolled a page at a time from
top to bottom (``list_scroll_p95_ms``, ``list_pages``, ``list_last_row``); a word typed in
the search box until the filtered list is painted (``search_ms``, ``search_hits``).

``long``: document 1 (a long one with gold spans) opened with the predictions injected as
the previewer delivers them (no model: the figure is the window's), edited, accepted and
scrolled; see ``measure_long``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QObject, QPoint, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SEARCH_WORD = "harbour"


def rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 1e6, 1)


def p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20)[-1] * 1000, 2) if len(values) > 1 else round(values[0] * 1000, 2)


class PaintProbe(QObject):
    """Notes when each watched widget has finished a paint (the moment the event loop is
    back after its paint event), and runs the event loop until a condition holds."""

    def __init__(self, *widgets):
        super().__init__()
        self.painted: dict[int, float] = {}
        self._loop: QEventLoop | None = None
        self._until = None
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Paint:
            QTimer.singleShot(0, lambda key=id(obj): self._done(key))
        return False

    def _done(self, key: int) -> None:
        self.painted[key] = time.perf_counter()
        if self._loop is not None and self._until():
            self._loop.quit()

    def wait(self, until, timeout_ms: int = 120_000) -> bool:
        """Run the event loop until ``until()`` is true after a paint (or the timeout)."""
        if until():
            return True
        self._until = until
        self._loop = QEventLoop()
        QTimer.singleShot(timeout_ms, self._loop.quit)
        poll = QTimer(interval=20)  # a condition that no paint follows (a flag set by a timer)
        poll.timeout.connect(lambda: self._loop.quit() if self._loop is not None and until() else None)
        poll.start()
        self._loop.exec()
        poll.stop()
        self._loop = None
        return until()

    def since(self, widget, t: float) -> bool:
        return self.painted.get(id(widget), 0.0) > t


def measure_open(project_path: str, settings_path: str) -> dict:
    from ..core.store import Project
    from ..gui.main_window import MainWindow
    from . import wait_for_charts

    app = QApplication.instance() or QApplication([])
    settings = QSettings(settings_path, QSettings.IniFormat)
    t0 = time.perf_counter()
    project = Project.open(project_path)
    w = MainWindow(project, settings=settings, predictions=True)
    lst, view = w.docs.list.viewport(), w.view.viewport()
    probe = PaintProbe(lst, view)
    ready: list[float] = []
    w.previewer.sig_ready.connect(lambda doc_id, _s: ready.append(time.perf_counter())
                                  if w.session.doc and doc_id == w.session.doc.id else None)
    w.show()
    probe.wait(lambda: probe.since(lst, t0) and probe.since(view, t0) and w.session.doc is not None)
    row = {"open_ms": round((max(probe.painted[id(lst)], probe.painted[id(view)]) - t0) * 1000, 1),
           "open_doc": w.session.doc.id, "shown_count": w.docs.counts.text()}
    probe.wait(lambda: bool(ready) and probe.since(view, ready[0]))
    row["first_prediction_ms"] = round((probe.painted[id(view)] - t0) * 1000, 1) if ready else None
    row["predictions_shown"] = len(w.session.visible_suggestions())
    wait_for_charts(w)  # the window's own start-up work done before the next figures
    row["rss_mb"] = rss_mb()
    row.update(_scroll_list(w))
    row.update(_search(w, probe))
    w.close()
    project.close()
    app.processEvents()
    return row


def _scroll_list(w) -> dict:
    """Page the list from its top to its bottom, each page repainted."""
    lst = w.docs.list
    sb = lst.verticalScrollBar()
    sb.setValue(0)
    times = []
    value = 0
    while True:
        sb.setValue(value)
        t = time.perf_counter()
        lst.viewport().repaint()
        times.append(time.perf_counter() - t)
        if value >= sb.maximum():
            break
        value = min(sb.maximum(), value + max(1, sb.pageStep()))
    rect = lst.viewport().rect()
    last_row = max(lst.indexAt(QPoint(4, y)).row() for y in range(rect.top(), rect.bottom(), 4))
    return {"list_pages": len(times), "list_rows": w.docs.model.rowCount(), "list_last_row": last_row,
            "list_scroll_p95_ms": p95(times)}


def _search(w, probe) -> dict:
    from PySide6.QtTest import QTest

    lst = w.docs.list.viewport()
    rows_before = w.docs.model.rowCount()
    reset: list[float] = []  # when the list model took the search's result
    w.docs.model.modelReset.connect(lambda: reset.append(time.perf_counter()))
    t = time.perf_counter()  # from the first key: the box waits for typing to pause, then searches
    QTest.keyClicks(w.docs.search, SEARCH_WORD)
    probe.wait(lambda: bool(reset) and w.docs.model.filter.search == SEARCH_WORD and probe.since(lst, reset[-1]))
    took = probe.painted[id(lst)] - t
    hits = w.docs.model.rowCount()
    return {"search_ms": round(took * 1000, 1), "search_hits": hits, "search_from_rows": rows_before}


def main(argv: list[str]) -> int:
    mode, project_path, settings_path = argv[:3]
    if mode == "open":
        row = measure_open(project_path, settings_path)
    else:
        from .gui_long import measure_long

        row = measure_long(project_path, settings_path)
    print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
