"""Dialogs: start (first run), new project, keyboard shortcut sheet, about."""

from __future__ import annotations


from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (QApplication, QColorDialog, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.pipeline import installed_pipelines
from ..core.resources import bundled_pipelines
from ..core.store import _PALETTE, DISPLACY_COLOURS
from ..errors import Msg



_PROPOSED = Qt.UserRole + 1  # on a label's name: the file's label it was proposed as


class StartDialog(QDialog):
    """Nothing open: demo, new from a file, or open a folder. ``choice`` says which.

    ``error`` (the reason the last choice failed) is shown above the buttons.
    """

    def __init__(self, parent=None, error: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Welcome to nergui")
        self.choice = None
        self.buttons: dict[str, QPushButton] = {}
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<h3>Label entities, train a spaCy model as you go.</h3>"))
        self.error = _error_label(error)
        lay.addWidget(self.error)
        for text, choice in (("Open the demo project (coffee roasters)", "demo"),
                             ("Create a project from a file\u2026", "new"),
                             ("Open an existing project\u2026", "open")):
            b = QPushButton(text)
            b.setMinimumHeight(34)
            b.clicked.connect(lambda _=False, c=choice: self._pick(c))
            lay.addWidget(b)
            self.buttons[choice] = b

    def _pick(self, choice: str) -> None:
        self.choice = choice
        self.accept()


def visible_checks(view: QWidget) -> None:
    """Make the check boxes of an item view visible on the dark theme: Fusion outlines them in
    the Window colour darkened, which on the dark Base is the Base itself. A lighter Window
    (which an item view paints nothing else with) gives them an edge."""
    pal = view.palette()
    if pal.color(QPalette.Base).lightness() < 128:
        pal.setColor(QPalette.Window, QColor("#9a9ea6"))
        view.setPalette(pal)


def _error_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    dark = QApplication.palette().color(QPalette.Window).lightness() < 128
    label.setStyleSheet(f"color: {'#f28b82' if dark else '#c5221f'}; font-weight: bold;")
    label.setVisible(bool(text))
    return label


class NewProjectDialog(QDialog):
    """Texts, pipeline and labels of a new project. Read the result from ``values()``.

    OK is refused, with the reason shown in the dialog, while a label has no name (or one
    with spaces), two labels share a name or a key, or a key is longer than one character.

    When a file is chosen, the labels its spans carry are proposed, with their counts,
    ticked: the user unticks those that are not their types, and their spans are left out
    of the project (``values()["left_out"]``). "Add label" asks for a name.
    """

    def __init__(self, parent=None, file: str = ""):
        super().__init__(parent)
        self.setWindowTitle("New project")
        self.setAcceptDrops(True)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("a new or empty folder")
        self.file = QLineEdit(file)
        self.file.setPlaceholderText("a file to import (or drop it here)")
        self.pipeline = QComboBox(editable=True)
        bundled = [str(path) for path in bundled_pipelines().values()]  # folders shipped in the app
        self.pipeline.addItems(installed_pipelines() + bundled + ["blank:en"])
        self.pipeline.setToolTip("An installed pipeline, a pipeline folder (Browse\u2026), or blank:LANG "
                                 "(for example blank:de) to start from an empty pipeline")
        self.labels = QTableWidget(0, 4)
        self.labels.setHorizontalHeaderLabels(["Label", "Colour", "Key", "Spans in the file"])
        header = self.labels.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.Stretch)  # FASHION_BRAND in full
        self.labels.verticalHeader().hide()
        visible_checks(self.labels)
        self.labels.cellDoubleClicked.connect(self._pick_colour)
        self.labels.itemChanged.connect(self._renamed)
        self.found = QLabel()
        self.found.setWordWrap(True)
        self.add_button = QPushButton("Add label\u2026")
        self.add_button.clicked.connect(self._ask_label)
        remove = QPushButton("Remove label")
        remove.clicked.connect(lambda: self.labels.removeRow(self.labels.currentRow()))
        self.colour_button = QPushButton("Colour\u2026")
        self.colour_button.setToolTip("Choose the colour of the selected label (or double-click its colour)")
        self.colour_button.clicked.connect(lambda: self._pick_colour(max(0, self.labels.currentRow()), 1))
        for widget, name in ((self.folder, "Project folder"), (self.file, "Texts to import"),
                             (self.pipeline, "Pipeline"), (self.labels, "Labels of the new project"),
                             (self.add_button, "Add a label"), (remove, "Remove the selected label"),
                             (self.colour_button, "Colour of the selected label")):
            widget.setAccessibleName(name)
        form = QFormLayout()
        form.addRow("Project folder", self._with_browse(self.folder, self._browse_folder, "project folder"))
        form.addRow("Texts", self._with_browse(self.file, self._browse_file, "texts to import"))
        self.detected = QLabel()
        self.detected.setWordWrap(True)
        form.addRow("", self.detected)
        self.file.textChanged.connect(self._detect)
        self._detect(file)
        form.addRow("Pipeline", self._with_browse(self.pipeline, self._browse_pipeline, "pipeline folder"))
        hint = QLabel("An installed pipeline, a folder, or <b>blank:LANG</b> (e.g. blank:de) for an empty one.")
        hint.setWordWrap(True)
        form.addRow("", hint)
        form.addRow("Labels", self.labels)
        form.addRow("", self.found)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.colour_button)
        row.addWidget(remove)
        row.addStretch(1)
        form.addRow("", row)
        form.addRow("", QLabel("Standard types (PERSON, ORG, ...) get displaCy's colours."))
        self.error = _error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok = buttons.button(QDialogButtonBox.Ok)
        self.ok.setAccessibleName("Create the project")
        buttons.button(QDialogButtonBox.Cancel).setAccessibleName("Cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.resize(600, 500)

    def _detect(self, path: str) -> None:
        """Say how the texts will be read (File > Import shows more and lets it be changed)."""
        from ..core.formats import detect
        from ..errors import NerguiError, in_window

        path = path.strip()
        if not path:
            self.detected.setText("")
            self._propose("")
            return
        try:
            self.detected.setText(f"Read as: {detect(path).detected}")
        except NerguiError as err:
            self.detected.setText(in_window(err))  # the window's advice, not the command line's
            path = ""
        self._propose(path)

    def _propose(self, path: str) -> None:
        """The labels of the file's spans, with their counts, ticked; rows proposed for an
        earlier file (and left as they were) go."""
        from pathlib import Path

        from ..core.labels import file_labels
        from ..errors import NerguiError

        self.labels.blockSignals(True)
        for r in reversed(range(self.labels.rowCount())):
            name = self.labels.item(r, 0)
            if name.data(_PROPOSED) and name.data(_PROPOSED) == name.text():
                self.labels.removeRow(r)
            else:
                self.labels.item(r, 3).setText("")
        self.labels.blockSignals(False)
        self.found.setText("")
        if not path or not Path(path).is_file():
            return
        try:
            found = file_labels(path)
        except NerguiError:
            return  # the line above the table says why the file cannot be read
        if not found.counts:
            return
        rows = {self.labels.item(r, 0).text().strip(): r for r in range(self.labels.rowCount())}
        for name, n in found.counts.items():
            r = rows.get(name)
            if r is None:
                r = self.add_label(name)
                self.labels.item(r, 0).setData(_PROPOSED, name)
            self.labels.item(r, 3).setText(f"{n:,}")
        partial = "" if found.complete else Msg.GUI_FILE_LABELS_PARTIAL.format(docs=found.documents)
        self.found.setText(Msg.GUI_FILE_LABELS.format(n=len(found.counts), spans=sum(found.counts.values()),
                                                      docs=found.documents, partial=partial))

    def _ask_label(self) -> None:
        from .label_manager import ask_label_name

        taken = [self.labels.item(r, 0).text().strip() for r in range(self.labels.rowCount())]
        name = ask_label_name(self, title="Add a label", prompt="Name of the new label:", taken=taken)
        if name:
            self.labels.setCurrentCell(self.add_label(name), 0)

    def _with_browse(self, field, fn, what: str) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field, 1)
        b = QPushButton("Browse\u2026")
        b.setAccessibleName(f"Browse for the {what}")
        b.clicked.connect(fn)
        row.addWidget(b)
        return w

    def add_label(self, name: str, colour: str | None = None, key: str | None = None) -> int:
        """Add a row, ticked; returns its index. Without ``colour``: displaCy's for a standard
        type; without ``key``: the first of 1-9 no other row has."""
        r = self.labels.rowCount()
        if key is None:
            keys = {self.labels.item(i, 2).text().strip() for i in range(r)}
            key = next((k for k in "123456789" if k not in keys), "")
        self.labels.blockSignals(True)
        self.labels.insertRow(r)
        item = QTableWidgetItem(name)
        item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
        item.setCheckState(Qt.Checked)
        self.labels.setItem(r, 0, item)
        item = QTableWidgetItem()
        item.setFlags(item.flags() & ~Qt.ItemIsEditable)  # chosen with the colour dialog
        self.labels.setItem(r, 1, item)
        self._set_colour(r, colour or DISPLACY_COLOURS.get(name, _PALETTE[r % len(_PALETTE)]), picked=bool(colour))
        self.labels.setItem(r, 2, QTableWidgetItem(key))
        count = QTableWidgetItem("")
        count.setFlags(count.flags() & ~Qt.ItemIsEditable)
        count.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.labels.setItem(r, 3, count)
        self.labels.blockSignals(False)
        return r

    def _set_colour(self, row: int, colour: str, *, picked: bool) -> None:
        item = self.labels.item(row, 1)
        item.setText(QColor(colour).name())
        item.setBackground(QColor(colour))
        item.setForeground(QColor("#1a1a1a"))
        item.setData(Qt.UserRole, picked)

    def _renamed(self, item: QTableWidgetItem) -> None:
        """A standard type's name typed in gets displaCy's colour, unless one was picked."""
        if item.column() == 0 and not self.labels.item(item.row(), 1).data(Qt.UserRole):
            colour = DISPLACY_COLOURS.get(item.text().strip())
            if colour:
                self.labels.blockSignals(True)
                self._set_colour(item.row(), colour, picked=False)
                self.labels.blockSignals(False)

    def _pick_colour(self, row: int, col: int) -> None:
        if col != 1 or not 0 <= row < self.labels.rowCount():
            return
        colour = QColorDialog.getColor(QColor(self.labels.item(row, 1).text()), self)
        if colour.isValid():
            self.labels.blockSignals(True)
            self._set_colour(row, colour.name(), picked=True)
            self.labels.blockSignals(False)

    def _browse_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder for the new project")
        if path:
            self.folder.setText(path)

    def _browse_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Texts to import")
        if path:
            self.file.setText(path)

    def _browse_pipeline(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "A spaCy pipeline folder (holding config.cfg)")
        if path:
            self.pipeline.setEditText(path)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        path = event.mimeData().urls()[0].toLocalFile()
        if path:
            self.file.setText(path)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def problem(self) -> str | None:
        """Why OK is refused, or None."""
        v = self.values(all_rows=True)
        if not v["folder"]:
            return Msg.GUI_NEW_PROJECT_NO_NAME
        seen: dict[str, str] = {}
        names: set[str] = set()
        for i, lab in enumerate(v["labels"], 1):
            name, key = lab["name"], lab["shortcut"]
            if not name:
                return Msg.GUI_LABEL_EMPTY.format(row=i)
            if any(c.isspace() for c in name):
                return Msg.LABEL_SPACES.format(name=name, suggestion="_".join(name.split()))
            if name in names:
                return Msg.GUI_LABEL_TWICE.format(name=name)
            names.add(name)
            if key and len(key) != 1:
                return Msg.GUI_SHORTCUT_BAD.format(name=name, key=key)
            if key and key in seen:
                return Msg.GUI_SHORTCUT_TWICE.format(key=key, first=seen[key], second=name)
            if key:
                seen[key] = name
        return None

    def accept(self) -> None:
        why = self.problem()
        self.show_error(why or "")
        if why is None:
            super().accept()

    def values(self, *, all_rows: bool = False) -> dict:
        """The dialog as ``create_project`` takes it: the ticked labels, and the file's labels
        that were unticked (``left_out``: their spans are not imported), and those renamed here
        (``renamed``: file label -> name; their spans are imported under the new name)."""
        labels, left_out, renamed = [], [], {}
        for r in range(self.labels.rowCount()):
            item = self.labels.item(r, 0)
            name = (item.text() or "").strip()
            if item.checkState() != Qt.Checked:
                if self.labels.item(r, 3).text():  # a label of the file
                    left_out.append(item.data(_PROPOSED) or name)
                continue
            if name or all_rows:
                labels.append({"name": name, "colour": self.labels.item(r, 1).text(),
                               "shortcut": (self.labels.item(r, 2).text().strip() or None)})
            proposed = item.data(_PROPOSED)
            if proposed and name and proposed != name:
                renamed[proposed] = name
        return {"folder": self.folder.text().strip(), "file": self.file.text().strip(),
                "pipeline": self.pipeline.currentText().strip() or "blank:en", "labels": labels,
                "left_out": left_out, "renamed": renamed}


def shortcut_sheet(parent, rows: list[tuple[str, str, str]]) -> QDialog:
    """The keyboard shortcuts: ``rows`` of (keys, what it does, where), made from the actions
    and the text view's table (``actions.shortcut_rows``), so the sheet lists what the keys do."""
    dlg = QDialog(parent)
    dlg.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(len(rows), 3)
    table.setAccessibleName("Keyboard shortcuts")
    table.setHorizontalHeaderLabels(["Keys", "What it does", "Where"])
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.NoEditTriggers)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    close = QDialogButtonBox(QDialogButtonBox.Close)
    close.rejected.connect(dlg.reject)
    close.button(QDialogButtonBox.Close).setAccessibleName("Close")
    lay = QVBoxLayout(dlg)
    lay.addWidget(table)
    lay.addWidget(close)
    dlg.resize(820, 560)
    dlg.table = table
    return dlg


def show_about(parent, version: str) -> None:
    QMessageBox.about(parent, "About nergui",
                      f"<b>nergui {version}</b><p>Label named entities and train a spaCy model on your own "
                      "machine, without it forgetting what it knew.</p>")


