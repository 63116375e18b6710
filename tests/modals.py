"""Driving the app's real modal dialogs from a test: each step runs as soon as its dialog is shown."""

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def on_modals(*steps, timeout_ms=20000):
    """Run ``fn(dialog)`` for each ``(cls, fn)`` in turn, as soon as a modal ``cls`` is shown."""
    queue = list(steps)
    waited = [0]

    def poll():
        if not queue:
            return
        cls, fn = queue[0]
        w = QApplication.activeModalWidget()
        if isinstance(w, cls) and w.isVisible():
            queue.pop(0)
            fn(w)
        else:
            waited[0] += 20
            if waited[0] > timeout_ms:
                if w is not None:
                    w.reject()  # never leave a test hanging on a dialog
                return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return queue
