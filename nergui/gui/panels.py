"""Small widgets bound to the session: the label bar and the misalignment panel."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QToolButton, QVBoxLayout, QWidget)

from ..core.store import Project
from ..core.text import TokenIndex, find_misaligned
from .session import Session, tokenizer_for


class LabelBar(QWidget):
    """One button per label (with its key); the current label is checked."""

    sig_toggle_predictions = Signal(bool)

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(6, 4, 6, 4)
        self.buttons: dict[str, QToolButton] = {}
        self.show_predictions = QCheckBox("Show predictions (P)")
        self.show_predictions.setChecked(True)
        self.show_predictions.setAccessibleName("Show predictions")
        self.show_predictions.toggled.connect(self.sig_toggle_predictions)
        self.rebuild()
        session.sig_labels.connect(self.rebuild)
        session.sig_spans.connect(self.sync)
        session.sig_document.connect(self.sync)

    def rebuild(self) -> None:
        while self.row.count():
            item = self.row.takeAt(0)
            if item.widget() and item.widget() is not self.show_predictions:
                item.widget().deleteLater()
        self.buttons.clear()
        for lab in self.session.project.labels():
            key = lab["shortcut"]
            b = QToolButton(text=f"{key}  {lab['name']}" if key else lab["name"], checkable=True)
            b.setToolTip(f"Label new spans {lab['name']}" + (f" (key {key})" if key else ""))
            b.setAccessibleName(f"Label {lab['name']}")
            b.setFocusPolicy(Qt.TabFocus)  # a click keeps the focus in the text, where the keys label
            colour = QColor(lab["colour"])
            b.setStyleSheet(f"QToolButton {{ border: 1px solid palette(mid); border-left: 6px solid {colour.name()};"
                            f" border-radius: 3px; padding: 3px 8px; background: palette(button);"
                            f" color: palette(button-text); }}"
                            f" QToolButton:checked {{ background: {colour.name()}; color: #1a1a1a; font-weight: bold; }}")
            b.clicked.connect(lambda _=False, n=lab["name"]: self.session.choose_label(n))
            self.row.addWidget(b)
            self.buttons[lab["name"]] = b
        self.row.addStretch(1)
        self.row.addWidget(self.show_predictions)
        self.sync()

    def sync(self) -> None:
        for name, b in self.buttons.items():
            b.setChecked(name == self.session.label)


class MisalignedPanel(QWidget):
    """Spans that do not fall on token boundaries, with one-click fixes."""

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.expand = QPushButton("Expand")
        self.contract = QPushButton("Contract")
        self.drop = QPushButton("Drop")
        self.rescan = QPushButton("Rescan")
        self.list.setAccessibleName("Misaligned spans")
        for b, name in ((self.expand, "Expand the span to whole tokens"), (self.contract, "Contract the span to whole tokens"),
                        (self.drop, "Drop the span"), (self.rescan, "Rescan for misaligned spans")):
            b.setAccessibleName(name)
        for b, how in ((self.expand, "expand"), (self.contract, "contract"), (self.drop, "drop")):
            b.clicked.connect(lambda _=False, h=how: self.fix(h))
        self.rescan.clicked.connect(self.refresh)
        self.list.currentRowChanged.connect(self._sync_buttons)
        self.list.itemDoubleClicked.connect(lambda item: self.session.open_document(item.data(Qt.UserRole)[0]))
        row = QHBoxLayout()
        for b in (self.expand, self.contract, self.drop, self.rescan):
            row.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        lay.addWidget(self.list, 1)
        lay.addLayout(row)
        self._sync_buttons()

    def refresh(self) -> None:
        """List every misaligned span (those the store holds without token offsets)."""
        project: Project = self.session.project
        self.list.clear()
        by_doc: dict[int, list[int]] = {}
        for span_id, doc_id in project.unaligned_spans(limit=300):
            by_doc.setdefault(doc_id, []).append(span_id)
        tok = tokenizer_for(self.session.spec)
        for doc_id in by_doc:
            doc = project.get_document(doc_id)
            for m in find_misaligned(doc.text, doc.spans, TokenIndex.from_text(doc.text, tok)):
                item = QListWidgetItem(f"#{doc_id}: {m.message}")
                item.setData(Qt.UserRole, (doc_id, m))
                self.list.addItem(item)
        n = self.list.count()
        self.summary.setText(f"{n} span(s) do not match token boundaries." if n else "All spans match token boundaries.")
        self._sync_buttons()

    def _sync_buttons(self, *_):
        item = self.list.currentItem()
        m = item.data(Qt.UserRole)[1] if item else None
        self.expand.setEnabled(bool(m and m.expand))
        self.contract.setEnabled(bool(m and m.contract))
        self.drop.setEnabled(m is not None)

    def fix(self, how: str) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        doc_id, m = item.data(Qt.UserRole)
        if self.session.doc is None or self.session.doc.id != doc_id:
            self.session.open_document(doc_id)
        rng = {"expand": m.expand, "contract": m.contract, "drop": (None, None)}[how]
        self.session.fix_span(m.span, *rng)
        self.refresh()
