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
