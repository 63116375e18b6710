"""The Qt binding itself: a long session must not wear out Python's None.

PySide6-Essentials 6.12.0 on Python 3.11 returns None from every void method without taking
a reference to it; each ``label.setText()`` or ``cursor.setPosition()`` drops None's count by
one, and after a few thousand edits on a long document the app died with "Fatal Python
error: none_dealloc" (found by ``nergui bench gui``). pyproject.toml keeps that version out;
this test fails on any binding that does it.
"""

import sys

from PySide6.QtGui import QColor, QTextCursor, QTextDocument
from PySide6.QtWidgets import QLabel


def test_void_methods_keep_none_alive(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    colour = QColor("red")
    cursor = QTextCursor(QTextDocument("some text to move through"))
    before = sys.getrefcount(None)
    for i in range(5000):
        label.setText("x")
        colour.setAlpha(i % 255)
        cursor.setPosition(i % 10)
    assert sys.getrefcount(None) - before > -100  # 15,000 void calls: not 15,000 references lost


def test_modules_imported_in_a_thread_are_not_read_by_the_binding(tmp_path, monkeypatch):
    """PySide6's import hook read every later module's source, in the importing thread
    (worker threads import while spaCy loads, the main thread draws meanwhile); nergui.gui
    turns that scan off, as nergui uses no ``__feature__``."""
    import inspect
    import threading

    import nergui.gui  # noqa: F401

    read = []
    real = inspect.getsource
    monkeypatch.setattr(inspect, "getsource", lambda obj: read.append(obj) or real(obj))
    (tmp_path / "nergui_probe_module.py").write_text("from PySide6.QtCore import QObject\nVALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    done = []
    thread = threading.Thread(target=lambda: done.append(__import__("nergui_probe_module").VALUE))
    thread.start()
    thread.join(30)
    assert done == [1]
    assert read == []  # without nergui.gui's change: [<module 'nergui_probe_module'>]
