"""The project's labels, under the user's control (Edit > Labels, issue 12).

* ``LabelManager``: a table of the labels (colour, name, key, spans) and buttons to add,
  rename, recolour, change the key, merge into another and delete. Every change is one core
  edit (``nergui.core.labels``) applied through ``Session.apply``: one undo step, stored at
  once; the table follows the session's signals, and its Undo and Redo take the window's steps.
* ``ask_label_name``: a name field that says at once why a name cannot be a label's (empty,
  holding spaces, taken), and suggests upper case; also the new-project dialog's "Add label".
* ``ask_to_add``: the question before a suggestion of a type the project lacks is accepted
  ("Add ORG to this project's labels?"); the session asks it once per label (``Session.allowed_labels``).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (QButtonGroup, QColorDialog, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout,
                               QHeaderView, QInputDialog, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QRadioButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core import labels as core
from ..core.store import Filter
from ..errors import Msg
from .dialogs import _error_label
from .session import Session

NO_KEY = "No key"


def _note(text: str = "", *, error: bool = False) -> QLabel:
    if error:
        return _error_label(text)  # red, readable on the light and the dark theme
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _swatch(colour: str) -> QIcon:
    pix = QPixmap(28, 16)
    pix.fill(QColor(colour))
    painter = QPainter(pix)
    painter.setPen(QColor("#5f6368"))
    painter.drawRect(0, 0, 27, 15)
    painter.end()
    return QIcon(pix)


class LabelNameDialog(QDialog):
    """One line for a label's name; OK only while the name can be a label's."""

    def __init__(self, parent=None, *, title: str, prompt: str, taken: Iterable[str] = (), initial: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.taken = set(taken)
        self.field = QLineEdit(initial)
        self.field.setPlaceholderText("for example FASHION_BRAND")
        self.field.setAccessibleName("Label name")
        self.problem = _note(error=True)
        self.hint = _note()
        self.upper = QPushButton("Make it upper case")
        self.upper.setAccessibleName("Make the name upper case")
        self.upper.clicked.connect(lambda: self.field.setText(self.field.text().upper()))
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok = buttons.button(QDialogButtonBox.Ok)
        self.ok.setAccessibleName("OK")
        buttons.button(QDialogButtonBox.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(prompt))
        lay.addWidget(self.field)
        lay.addWidget(self.problem)
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        row.addWidget(self.upper)
        lay.addLayout(row)
        lay.addWidget(buttons)
        self.field.textChanged.connect(self._check)
        self._check(initial)
        self.resize(420, self.sizeHint().height())

    def _check(self, text: str) -> None:
        why = core.name_problem(text, self.taken) if text else None
        self.problem.setText(why or "")
        self.problem.setVisible(bool(why))
        shout = text.upper()
        lower = bool(text) and shout != text and why is None
        self.hint.setText(Msg.LABEL_UPPER.format(upper=shout) if lower else "")
        self.hint.setVisible(lower)
        self.upper.setVisible(lower)
        self.ok.setEnabled(bool(text) and why is None)

    def name(self) -> str:
        return self.field.text()


def ask_label_name(parent, *, title: str, prompt: str, taken: Iterable[str] = (), initial: str = "") -> str | None:
    """The name the user typed (one a label can have), or None if cancelled."""
    dlg = LabelNameDialog(parent, title=title, prompt=prompt, taken=taken, initial=initial)
    try:
        return dlg.name() if dlg.exec() == QDialog.Accepted else None
    finally:
        dlg.deleteLater()


def ask_to_add(parent, names: list[str], *, total: int = 1, ours: int = 0) -> bool | None:
    """Ask whether to add ``names`` to the project's labels before accepting suggestions of
    them: True (Yes), False (No), None (Cancel, offered when accepting several)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Question)
    box.setWindowTitle("A label this project does not have")
    many = total > 1
    if len(names) == 1 and not many:
        box.setText(Msg.GUI_ADD_LABEL.format(label=names[0]))
        box.setInformativeText(Msg.GUI_ADD_LABEL_DETAIL.format(label=names[0]))
        box.setStandardButtons(QMessageBox.Yes | QMessageBox.No)
    else:
        box.setText(Msg.GUI_ADD_LABELS.format(labels=", ".join(names)))
        box.setInformativeText(Msg.GUI_ADD_LABELS_DETAIL.format(n=total, ours=ours))
        box.setStandardButtons(QMessageBox.Yes | QMessageBox.No | QMessageBox.Cancel)
    box.setDefaultButton(QMessageBox.No)
    try:
        answer = box.exec()
    finally:
        box.deleteLater()
    return {QMessageBox.Yes: True, QMessageBox.No: False}.get(QMessageBox.StandardButton(answer))


class DeleteDialog(QDialog):
    """Delete a label: first how many spans it has; remove them, or move them to another label."""

    def __init__(self, parent, name: str, spans: int, documents: int, others: list[str]):
        super().__init__(parent)
        self.setWindowTitle(f"Delete {name}")
        lay = QVBoxLayout(self)
        lay.addWidget(_note(Msg.GUI_LABEL_DELETE_SPANS.format(name=name, n=spans, docs=documents)
                            if spans else Msg.GUI_LABEL_DELETE.format(name=name)))
        self.remove = QRadioButton(Msg.GUI_LABEL_DELETE_REMOVE.format(n=spans))
        self.move = QRadioButton(Msg.GUI_LABEL_DELETE_MOVE)
        self.target = QComboBox()
        self.target.addItems(others)
        self.remove.setAccessibleName(f"Remove the {spans} spans")
        self.move.setAccessibleName("Move the spans to another label")
        self.target.setAccessibleName("Label to move the spans to")
        group = QButtonGroup(self)
        group.addButton(self.remove)
        group.addButton(self.move)
        self.remove.setChecked(True)
        self.move.setEnabled(bool(others))
        self.target.setEnabled(False)
        self.move.toggled.connect(self.target.setEnabled)
        if spans:
            lay.addWidget(self.remove)
            row = QHBoxLayout()
            row.addWidget(self.move)
            row.addWidget(self.target, 1)
            lay.addLayout(row)
        else:
            for w in (self.remove, self.move, self.target):
                w.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.ok = buttons.addButton(f"Delete {name}", QDialogButtonBox.AcceptRole)
        self.ok.setAccessibleName(f"Delete {name}")
        buttons.button(QDialogButtonBox.Cancel).setAccessibleName("Cancel")
        buttons.button(QDialogButtonBox.Cancel).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def move_to(self) -> str | None:
        return self.target.currentText() if self.move.isChecked() and self.target.count() else None


class LabelManager(QDialog):
    """The project's labels, each change one undo step (see the module's docstring)."""

    COLUMNS = ("Colour", "Label", "Key", "Spans")

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Labels")
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setAccessibleName("Labels of this project")
        self.table.setHorizontalHeaderLabels(self.COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.setSelectionMode(QTableWidget.SingleSelection)
        self.table.setIconSize(QSize(28, 16))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.cellDoubleClicked.connect(self._double_clicked)
        self.table.itemSelectionChanged.connect(self._sync)
        self.buttons: dict[str, QPushButton] = {}
        side = QVBoxLayout()
        for key, text, name, slot in (
                ("add", "&Add\u2026", "Add a label", self.add),
                ("rename", "&Rename\u2026", "Rename the selected label", self.rename),
                ("colour", "&Colour\u2026", "Change the selected label's colour", self.colour),
                ("key", "&Key\u2026", "Change the selected label's key", self.key),
                ("merge", "&Merge into\u2026", "Merge the selected label into another", self.merge),
                ("delete", "&Delete\u2026", "Delete the selected label", self.delete)):
            b = QPushButton(text)
            b.setAccessibleName(name)
            b.setToolTip(name)
            b.clicked.connect(lambda _=False, f=slot: f())
            side.addWidget(b)
            self.buttons[key] = b
        side.addStretch(1)
        stack = session.undo_stack
        self.undo = QPushButton("Undo")
        self.redo = QPushButton("Redo")
        self.undo.setShortcut(QKeySequence.Undo)
        self.redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.undo.clicked.connect(lambda: stack.undo())  # EditStack's own (see commands.py)
        self.redo.clicked.connect(lambda: stack.redo())
        # bound methods of this dialog and its buttons: Qt disconnects them when it is deleted
        for b, can, changed, text, text_changed, follow in (
                (self.undo, stack.canUndo, stack.canUndoChanged, stack.undoText, stack.undoTextChanged,
                 self._undo_text),
                (self.redo, stack.canRedo, stack.canRedoChanged, stack.redoText, stack.redoTextChanged,
                 self._redo_text)):
            b.setEnabled(can())
            follow(text())
            changed.connect(b.setEnabled)
            text_changed.connect(follow)
            side.addWidget(b)
        self.status = _note()
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.rejected.connect(self.reject)
        close.button(QDialogButtonBox.Close).setAccessibleName("Close")
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(side)
        lay = QVBoxLayout(self)
        lay.addLayout(body, 1)
        lay.addWidget(self.status)
        lay.addWidget(close)
        session.sig_labels.connect(self.refresh)
        session.sig_documents.connect(self.refresh)
        self.refresh()
        self.resize(620, 400)

    def _undo_text(self, step: str) -> None:
        self.undo.setText(f"Undo {step}" if step else "Undo")
        self.undo.setAccessibleName(self.undo.text())

    def _redo_text(self, step: str) -> None:
        self.redo.setText(f"Redo {step}" if step else "Redo")
        self.redo.setAccessibleName(self.redo.text())

    # ---- the table ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Fill the table from the store, keeping the selected label (or what it is now called)."""
        keep = self.selected()
        rows = core.all_labels(self.session.project)
        counts = core.span_counts(self.session.project)
        self.table.setRowCount(len(rows))
        for r, lab in enumerate(rows):
            swatch = QTableWidgetItem(lab.colour)
            swatch.setIcon(_swatch(lab.colour))  # an icon: it stays visible on the selected row
            swatch.setToolTip(lab.colour)
            swatch.setData(Qt.AccessibleTextRole, f"colour {lab.colour}")
            items = (swatch, QTableWidgetItem(lab.name), QTableWidgetItem(lab.shortcut or "\u2013"),
                     QTableWidgetItem(f"{counts.get(lab.name, 0):,}"))
            items[3].setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            items[2].setTextAlignment(Qt.AlignCenter)
            for c, item in enumerate(items):
                self.table.setItem(r, c, item)
        names = [lab.name for lab in rows]
        if keep in names:
            self.table.selectRow(names.index(keep))
        elif names and not self.table.selectedItems():
            self.table.selectRow(0)
        self._sync()

    def selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 1)
        return item.text() if item else None

    def select(self, name: str | None) -> None:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 1).text() == name:
                self.table.selectRow(r)
                return

    def names(self) -> list[str]:
        return [self.table.item(r, 1).text() for r in range(self.table.rowCount())]

    def _sync(self) -> None:
        have = self.selected() is not None
        for key in ("rename", "colour", "key", "delete"):
            self.buttons[key].setEnabled(have)
        self.buttons["merge"].setEnabled(have and self.table.rowCount() > 1)

    def _double_clicked(self, row: int, column: int) -> None:
        self.table.selectRow(row)
        act = {0: self.colour, 1: self.rename, 2: self.key}.get(column)
        if act is not None:
            act()

    def _apply(self, edit, done: str = "") -> bool:
        """Apply ``edit`` as one undo step; say what happened (or why not) below the table."""
        said: list[str] = []
        self.session.sig_message.connect(said.append)
        try:
            ok = self.session.apply(edit)
        finally:
            self.session.sig_message.disconnect(said.append)
        self.status.setText(done if ok else (said[-1] if said else ""))
        if ok and done:
            self.session.sig_message.emit(done)
        return ok

    # ---- the changes ---------------------------------------------------------------------------------
    def add(self) -> None:
        name = ask_label_name(self, title="Add a label", prompt="Name of the new label:", taken=self.names())
        if name and self._apply(core.AddLabel(text=f"Add label {name}", name=name)):
            self.select(name)

    def rename(self) -> None:
        old = self.selected()
        if old is None:
            return
        new = ask_label_name(self, title=f"Rename {old}", prompt=f"New name of {old} (its spans are renamed too):",
                             taken=[n for n in self.names() if n != old], initial=old)
        if new and new != old and self._apply(core.RenameLabel(text=f"Rename {old} to {new}", name=old, new=new)):
            self.select(new)

    def colour(self) -> None:
        name = self.selected()
        if name is None:
            return
        now = next(lab.colour for lab in core.all_labels(self.session.project) if lab.name == name)
        colour = QColorDialog.getColor(QColor(now), self, f"Colour of {name}")
        if colour.isValid() and colour.name() != now:
            self._apply(core.SetLabelColour(text=f"Colour {name} {colour.name()}", name=name, colour=colour.name()))

    def key(self) -> None:
        name = self.selected()
        if name is None:
            return
        rows = core.all_labels(self.session.project)
        mine = next(lab.shortcut for lab in rows if lab.name == name)
        holder = {lab.shortcut: lab.name for lab in rows if lab.shortcut and lab.name != name}
        items = [NO_KEY] + [f"{k}  ({holder[k]}'s: the two swap)" if k in holder else k for k in core.KEYS]
        current = core.KEYS.index(mine) + 1 if mine in core.KEYS else 0
        choice, ok = QInputDialog.getItem(self, f"Key of {name}", f"The key that labels with {name}:", items,
                                          current, False)
        if not ok:
            return
        key = None if choice == NO_KEY else choice[0]
        if key != mine:
            self._apply(core.SetLabelKey(text=f"Key {key or 'none'} for {name}", name=name, shortcut=key))

    def merge(self) -> None:
        name = self.selected()
        others = [n for n in self.names() if n != name]
        if name is None or not others:
            return
        into, ok = QInputDialog.getItem(self, f"Merge {name}", f"Merge {name} into:", others, 0, False)
        if not ok:
            return
        moved, dropped = core.merge_counts(self.session.project, name, into)
        extra = Msg.GUI_LABEL_MERGE_DROPPED.format(n=dropped, into=into) if dropped else ""
        if QMessageBox.question(self, f"Merge {name}", Msg.GUI_LABEL_MERGE.format(
                name=name, into=into, moved=moved, dropped=extra),
                QMessageBox.Yes | QMessageBox.No, QMessageBox.No) != QMessageBox.Yes:
            return
        if self._apply(core.MergeLabels(text=f"Merge {name} into {into}", name=name, move_to=into),
                       Msg.GUI_LABEL_MERGED.format(name=name, into=into, moved=moved, dropped=dropped)):
            self.select(into)

    def delete(self) -> None:
        name = self.selected()
        if name is None:
            return
        project = self.session.project
        spans = core.span_counts(project).get(name, 0)
        docs = project.count(Filter(label=name)) if spans else 0
        dlg = DeleteDialog(self, name, spans, docs, [n for n in self.names() if n != name])
        try:
            if dlg.exec() != QDialog.Accepted:
                return
            move_to = dlg.move_to() if spans else None
        finally:
            dlg.deleteLater()
        if move_to is None:
            done = Msg.GUI_LABEL_DELETED.format(name=name, n=spans)
            edit = core.DeleteLabel(text=f"Delete label {name}" + (f" ({spans} spans)" if spans else ""), name=name)
        else:
            moved, dropped = core.merge_counts(project, name, move_to)
            done = Msg.GUI_LABEL_MOVED.format(name=name, n=moved, into=move_to)
            edit = core.DeleteLabel(text=f"Delete label {name}, its spans to {move_to}", name=name, move_to=move_to)
        self._apply(edit, done)


def open_manager(window) -> None:
    """Edit > Labels: the label manager over the window's session (modal; its changes are the window's undo steps)."""
    dlg = LabelManager(window.session, window)
    if getattr(window, "controls", None) is not None:
        window.controls.cover(dlg)
    try:
        dlg.exec()
    finally:
        dlg.deleteLater()
