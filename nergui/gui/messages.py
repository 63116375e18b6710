"""View > Messages: every message of this session, with its time, so none is lost when the
status bar moves on (errors marked as such; the newest last)."""

from __future__ import annotations

import time

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QStyle, QVBoxLayout, QWidget

MAX_MESSAGES = 500


class MessageLog(QWidget):
    """The session's messages: ``add(text, error=...)``; ``entries`` as (time, text, error)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.entries: list[tuple[str, str, bool]] = []
        self.list = QListWidget()
        self.list.setAccessibleName("Messages of this session")
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.ElideNone)
        self.list.setSelectionMode(QListWidget.ExtendedSelection)
        copy = QPushButton("Copy")
        copy.setToolTip("Copy the selected messages (all of them when none is selected)")
        copy.clicked.connect(self.copy)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.clear)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(copy)
        row.addWidget(clear)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.list, 1)
        lay.addLayout(row)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming): a strip under the text, not half the window
        return QSize(600, 150)

    def add(self, text: str, *, error: bool = False) -> None:
        if not text:
            return
        when = time.strftime("%H:%M:%S")
        self.entries.append((when, text, error))
        icon = self.style().standardIcon(QStyle.SP_MessageBoxCritical if error else QStyle.SP_MessageBoxInformation)
        item = QListWidgetItem(icon, f"{when}  {text}")
        item.setToolTip(text)
        self.list.addItem(item)
        while self.list.count() > MAX_MESSAGES:
            self.list.takeItem(0)
            self.entries.pop(0)
        self.list.scrollToBottom()

    def texts(self) -> list[str]:
        return [text for _, text, _ in self.entries]

    def copy(self) -> None:
        rows = [self.list.row(i) for i in self.list.selectedItems()] or range(self.list.count())
        QGuiApplication.clipboard().setText("\n".join(self.list.item(r).text() for r in sorted(rows)))

    def clear(self) -> None:
        self.list.clear()
        self.entries.clear()
