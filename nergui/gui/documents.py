"""The document list: a lazy QAbstractListModel over the store, and its filter bar.

The model holds only the id list (``Project.doc_ids(filter)``); previews of the rows
being painted are fetched in pages with ``Project.previews`` and cached.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QTableView,
                               QVBoxLayout, QWidget)

from ..core.decisions import count_binary
from ..core.records import STATES
from ..core.store import Filter, Project
from ..errors import StoreError

STATE_COLOURS = {"todo": "#9aa0a6", "accepted": "#2e9d4f", "rejected": "#d93025", "skipped": "#e8a33d"}
STATE_GLYPHS = {"todo": "", "accepted": "\u2713", "rejected": "\u2715", "skipped": "\u00bb"}
PAGE = 200
SEARCH_PAUSE_MS = 150  # the search runs once typing pauses this long (a search takes milliseconds)


def state_icon(state: str) -> QIcon:
    pm = QPixmap(16, 16)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(Qt.NoPen)
    p.setBrush(QColor(STATE_COLOURS[state]))
    p.drawEllipse(2, 2, 12, 12)
    p.setPen(QColor("white"))
    p.drawText(pm.rect(), Qt.AlignCenter, STATE_GLYPHS[state])
    p.end()
    return QIcon(pm)


_DISPLAY, _DECORATION, _TOOLTIP, _ID = (int(Qt.DisplayRole), int(Qt.DecorationRole), int(Qt.ToolTipRole),
                                       int(Qt.UserRole) + 1)
_FOREGROUND, _ALIGN = int(Qt.ForegroundRole), int(Qt.TextAlignmentRole)
_RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)
_NOTE_ROLES = frozenset((_DISPLAY, _FOREGROUND, _ALIGN, _TOOLTIP, _ID))
_ROLES = frozenset((_DISPLAY, _DECORATION, _TOOLTIP, _ID))


class DocumentListModel(QAbstractTableModel):
    """Column 0: the document; column 1: what ``notes`` says of it (the ordering's score, an
    evaluation document's mark: ``gui/ordering.py``), hidden without notes. ``arrange``
    (ids -> ids) orders the filtered ids (sort by score); None: by id."""

    IdRole = _ID

    def __init__(self, project: Project, parent=None):
        super().__init__(parent)
        self.project = project
        self.filter = Filter()
        self.ids: list[int] = []
        self._rows: dict[int, int] | None = None
        self._cache: dict[int, tuple[str, str]] = {}
        self._icons = {s: state_icon(s) for s in STATES}
        self.notes = None  # .cell(doc_id) -> str, .colour(doc_id) -> QColor | None, .tip(doc_id) -> str (cached)
        self.arrange = None
        self.set_filter(Filter())

    def set_filter(self, flt: Filter) -> None:
        self.beginResetModel()
        self.filter = flt
        self.ids = self.project.doc_ids(flt)
        if self.arrange is not None:
            self.ids = self.arrange(self.ids)
        self._rows = None
        self._cache.clear()
        self.endResetModel()

    def index(self, row: int, column: int = 0, parent=QModelIndex()):
        return super().index(row, column, parent)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 2

    def notes_changed(self) -> None:
        """The notes' column changed (new scores): repaint it."""
        if self.ids:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self.ids) - 1, 1))

    def data(self, index, role=_DISPLAY):
        # Called by Qt for every role of every painted row: plain ints, no enum comparisons.
        if index.column():
            return self._note(index, role)
        if role not in _ROLES or not index.isValid():
            return None
        doc_id = self.ids[index.row()]
        if role == _ID:
            return doc_id
        row = self._cache.get(doc_id)
        if row is None:
            lo = max(0, index.row() - PAGE // 4)
            try:
                previews = self.project.previews(self.ids[lo:lo + PAGE], preview=160)
            except StoreError:  # the database server gone (gui/offline.py says so): filled in at a later paint
                previews = {}
            for d, (state, text) in previews.items():
                self._cache[d] = (state, " ".join(text.split()))
            row = self._cache.get(doc_id, ("todo", ""))
        state, line = row
        if role == _DECORATION:
            return self._icons[state]
        if role == _TOOLTIP:
            return f"#{doc_id} ({state}): {line}" + (self.notes.tip(doc_id) if self.notes is not None else "")
        return f"{doc_id}  {line}"

    def _note(self, index, role):
        notes = self.notes
        if role not in _NOTE_ROLES or notes is None:
            return None
        if role == _ALIGN:
            return _RIGHT
        doc_id = self.ids[index.row()]
        if role == _DISPLAY:
            return notes.cell(doc_id)
        if role == _FOREGROUND:
            return notes.colour(doc_id)
        if role == _TOOLTIP:
            return notes.tip(doc_id).strip()
        return doc_id

    def row_of(self, doc_id: int) -> int:
        if self._rows is None:
            self._rows = {d: i for i, d in enumerate(self.ids)}
        return self._rows.get(doc_id, -1)

    def refresh(self, doc_id: int) -> None:
        """Re-read one row (its state changed)."""
        self._cache.pop(doc_id, None)
        row = self.row_of(doc_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row), self.index(row, 1))


class DocumentList(QTableView):
    """The list of documents: a one-column table whose rows all have one height.

    Not a QListView: even with uniform item sizes it lays out every row when shown, asking
    the model for each row's index (a Python call each): 0.6-1 s for 100,000 documents. A
    table's rows are header sections, laid out arithmetically; only the visible rows are
    asked for.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.ElideRight)
        self.setIconSize(QSize(16, 16))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.Fixed)
        rows.setDefaultSectionSize(max(20, self.fontMetrics().height() + 6))
        self.setAccessibleName("Documents")

    def show_notes(self, on: bool, width: int = 0) -> None:
        """Show the notes' column (``width`` pixels; the text column takes the rest) or hide it."""
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setSectionResizeMode(1, QHeaderView.Fixed)
        if width:
            header.resizeSection(1, width)
        self.setColumnHidden(1, not on)

    def uniform_rows(self) -> bool:
        """Every row has the same, fixed height (what keeps a long list fast)."""
        return self.verticalHeader().sectionResizeMode(0) == QHeaderView.Fixed


class DocumentPanel(QWidget):
    """Filter bar (search, state, label), the list, and counts."""

    sig_open = Signal(object)  # doc id or None

    def __init__(self, project: Project, parent=None):
        super().__init__(parent)
        self.project = project
        self.model = DocumentListModel(project, self)
        self.search = QLineEdit(placeholderText="Search text (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the documents")
        self.state = QComboBox()
        self.state.addItem("All states", None)
        for s in STATES:
            self.state.addItem(state_icon(s), s.capitalize(), s)
        self.label = QComboBox()
        self.state.setAccessibleName("Show documents in state")
        self.label.setAccessibleName("Show documents with label")
        self.list = DocumentList()
        self.list.setModel(self.model)
        self.list.show_notes(False)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.state, 1)
        row.addWidget(self.label, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.search)
        lay.addLayout(row)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.counts)
        self._debounce = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS, timeout=self.apply_filter)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self.apply_filter)
        self.state.currentIndexChanged.connect(self.apply_filter)
        self.label.currentIndexChanged.connect(self.apply_filter)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.reload_labels()
        self.update_counts()

    def reload_labels(self) -> None:
        current = self.label.currentData()
        self.label.blockSignals(True)
        self.label.clear()
        self.label.addItem("All labels", None)
        for name in self.project.label_names():
            self.label.addItem(name, name)
        self.label.setCurrentIndex(max(0, self.label.findData(current)))
        self.label.blockSignals(False)

    def apply_filter(self) -> None:
        self._debounce.stop()
        keep = self.current_id()
        flt = Filter(state=self.state.currentData(), label=self.label.currentData(),
                     search=self.search.text().strip() or None)
        self.model.set_filter(flt)
        self.update_counts()
        row = self.model.row_of(keep) if keep is not None else -1
        self.go_to_row(row if row >= 0 else 0)

    def current_id(self) -> int | None:
        idx = self.list.currentIndex()
        return self.model.ids[idx.row()] if idx.isValid() else None

    def go_to_row(self, row: int) -> None:
        if not self.model.ids:
            self.sig_open.emit(None)
            return
        row = min(max(row, 0), len(self.model.ids) - 1)
        self.list.setCurrentIndex(self.model.index(row))

    def go_to(self, doc_id: int) -> None:
        row = self.model.row_of(doc_id)
        if row >= 0 and row != self.list.currentIndex().row():
            self.list.setCurrentIndex(self.model.index(row))

    def step(self, delta: int) -> None:
        idx = self.list.currentIndex()
        self.go_to_row((idx.row() if idx.isValid() else -1) + delta)

    def update_counts(self) -> None:
        c = self.project.counts_by_state(mine=True)  # a team's project: this annotator's versions
        shown = len(self.model.ids)
        total = sum(c.values())
        binary = count_binary(self.project)  # to do, yet holding review-mode decisions (never counted accepted)
        self.counts.setText(f"{shown} of {total} shown \u00b7 " + " \u00b7 ".join(f"{n} {s}" for s, n in c.items())
                            + (f" \u00b7 {binary} with review decisions only" if binary else ""))

    def _current_changed(self, current, _previous) -> None:
        self.sig_open.emit(self.model.ids[current.row()] if current.isValid() else None)
