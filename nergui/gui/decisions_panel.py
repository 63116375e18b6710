"""The shown document's binary decisions (the review mode's, or imported from ``ner.teach``),
listed beside the annotator, each one taken back with a click (one undo step of the window:
Ctrl+Z puts it back)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from ..core import decisions
from ..errors import NerguiError
from .session import Session

COLOURS = {"accept": "#1e8e3e", "reject": "#c5221f", "ignore": "#6b6b6b"}
WORDS = {"accept": "accepted", "reject": "rejected", "ignore": "skipped"}


class DecisionsPanel(QWidget):
    """The decisions of the shown document, oldest first; Take back removes the selected one
    (and the span or rejection it made)."""

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Decisions on this document")
        self.take_back = QPushButton("Take back")
        self.take_back.setAccessibleName("Take back the selected decision")
        self.take_back.setToolTip("Remove the decision and the span or rejection it made (Ctrl+Z puts it back)")
        self.take_back.clicked.connect(self.take_back_selected)
        self.list.currentRowChanged.connect(lambda _row: self.take_back.setEnabled(self.list.currentItem() is not None))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.take_back)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.summary)
        lay.addWidget(self.list, 1)
        lay.addLayout(row)
        session.sig_document.connect(self.refresh)
        session.sig_spans.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        doc = self.session.doc
        found = []
        if doc is not None:
            try:
                found = decisions.decisions(self.session.project, doc.id)
            except NerguiError as err:
                self.session.sig_message.emit(str(err))
        for d in found:
            how = {"pattern": "from a pattern", "import": "imported", "model": "from the model"}.get(d.origin, d.origin)
            score = "" if d.score is None or d.origin == "import" else f", the model's p {d.score:.2f}"
            item = QListWidgetItem(f"{WORDS[d.answer]}: {d.label} {doc.text[d.start:d.end]!r} ({how}{score})")
            item.setData(Qt.UserRole, d)
            item.setForeground(QColor(COLOURS[d.answer]))
            self.list.addItem(item)
        if doc is None:
            self.summary.setText("")
        elif not found:
            self.summary.setText("No review-mode decisions on this document.")
        elif doc.state == "accepted":
            self.summary.setText(f"{_n(len(found))}; the document is accepted, so it trains as a whole.")
        else:
            these = "this decision" if len(found) == 1 else "these decisions"
            self.summary.setText(f"{_n(len(found))}: until you accept the document whole, it trains on {these} "
                                 f"only (every other word unknown).")
        self.take_back.setEnabled(False)

    def take_back_selected(self) -> bool:
        item = self.list.currentItem()
        doc = self.session.doc
        if item is None or doc is None:
            return False
        d = item.data(Qt.UserRole)
        return self.session.apply(decisions.undecide(d, f"Take back: {WORDS[d.answer]} {d.label} "
                                                        f"{doc.text[d.start:d.end]!r}"))


def _n(count: int) -> str:
    return f"{count} decision" + ("s" if count != 1 else "")
