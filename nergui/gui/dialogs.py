"""Dialogs: start (first run), new project, keyboard shortcut sheet, about."""

from __future__ import annotations


from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QColorDialog, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.pipeline import installed_pipelines
from ..core.resources import bundled_pipelines
from ..core.store import DISPLACY_COLOURS

SHORTCUTS = [
    ("Drag over text", "mark a span (snaps to whole tokens)"),
    ("Alt + drag", "mark exact characters (or View > Select characters)"),
    ("1 \u2013 9", "choose the label; relabels the selected span"),
    ("Click a span", "select it"),
    ("Delete / Backspace", "remove the selected span"),
    ("Click a dashed suggestion", "accept that prediction"),
    ("Right-click a suggestion", "accept or reject it"),
    ("Enter", "accept all predictions on this document"),
    ("P", "show or hide predictions"),
    ("A / X / Space", "accept / reject / skip the document, then go to the next"),
    ("\u2190 \u2192, PgUp PgDn", "previous / next document"),
    ("Ctrl+F", "search the documents"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo"),
    ("Ctrl+N / Ctrl+O", "new project / open project"),
]


class StartDialog(QDialog):
    """Nothing open: demo, new from a file, or open a folder. ``choice`` says which."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Welcome to nergui")
        self.choice = None
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<h3>Label entities, train a spaCy model as you go.</h3>"))
        for text, choice in (("Open the demo project (coffee roasters)", "demo"),
                             ("Create a project from a file\u2026", "new"),
                             ("Open an existing project\u2026", "open")):
            b = QPushButton(text)
            b.setMinimumHeight(34)
            b.clicked.connect(lambda _=False, c=choice: self._pick(c))
            lay.addWidget(b)

    def _pick(self, choice: str) -> None:
        self.choice = choice
        self.accept()


class NewProjectDialog(QDialog):
    """Texts, pipeline and labels of a new project. Read the result from ``values()``."""

    def __init__(self, parent=None, file: str = ""):
        super().__init__(parent)
        self.setWindowTitle("New project")
        self.setAcceptDrops(True)
        self.folder = QLineEdit()
        self.file = QLineEdit(file)
        self.file.setPlaceholderText("a file to import (or drop it here)")
        self.pipeline = QComboBox(editable=True)
        bundled = [str(path) for path in bundled_pipelines().values()]  # folders shipped in the app
        self.pipeline.addItems(installed_pipelines() + bundled + ["blank:en"])
        self.labels = QTableWidget(0, 3)
        self.labels.setHorizontalHeaderLabels(["Label", "Colour", "Key"])
        self.labels.horizontalHeader().setStretchLastSection(True)
        self.labels.cellDoubleClicked.connect(self._pick_colour)
        add = QPushButton("Add label")
        add.clicked.connect(lambda: self.add_label(f"LABEL{self.labels.rowCount() + 1}"))
        form = QFormLayout()
        form.addRow("Project folder", self._with_browse(self.folder, self._browse_folder))
        form.addRow("Texts", self._with_browse(self.file, self._browse_file))
        form.addRow("Pipeline", self._with_browse(self.pipeline, self._browse_pipeline))
        form.addRow("Labels", self.labels)
        form.addRow("", add)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.resize(560, 420)

    def _with_browse(self, field, fn) -> QWidget:
        w = QWidget()
        row = QHBoxLayout(w)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field, 1)
        b = QPushButton("Browse\u2026")
        b.clicked.connect(fn)
        row.addWidget(b)
        return w

    def add_label(self, name: str) -> None:
        r = self.labels.rowCount()
        self.labels.insertRow(r)
        colour = DISPLACY_COLOURS.get(name, "#f4a3c0")
        self.labels.setItem(r, 0, QTableWidgetItem(name))
        item = QTableWidgetItem(colour)
        item.setBackground(QColor(colour))
        item.setForeground(QColor("#1a1a1a"))
        self.labels.setItem(r, 1, item)
        self.labels.setItem(r, 2, QTableWidgetItem(str(r + 1) if r < 9 else ""))

    def _pick_colour(self, row: int, col: int) -> None:
        if col != 1:
            return
        colour = QColorDialog.getColor(QColor(self.labels.item(row, 1).text()), self)
        if colour.isValid():
            self.labels.item(row, 1).setText(colour.name())
            self.labels.item(row, 1).setBackground(colour)

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
        self.file.setText(event.mimeData().urls()[0].toLocalFile())

    def values(self) -> dict:
        labels = []
        for r in range(self.labels.rowCount()):
            name = (self.labels.item(r, 0).text() or "").strip()
            if name:
                labels.append({"name": name, "colour": self.labels.item(r, 1).text(),
                               "shortcut": (self.labels.item(r, 2).text() or None)})
        return {"folder": self.folder.text().strip(), "file": self.file.text().strip(),
                "pipeline": self.pipeline.currentText().strip() or "blank:en", "labels": labels}


def shortcut_sheet(parent=None) -> QDialog:
    dlg = QDialog(parent)
    dlg.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(len(SHORTCUTS), 2)
    table.setHorizontalHeaderLabels(["Keys", "What it does"])
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.NoEditTriggers)
    for r, (keys, what) in enumerate(SHORTCUTS):
        table.setItem(r, 0, QTableWidgetItem(keys))
        table.setItem(r, 1, QTableWidgetItem(what))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    lay = QVBoxLayout(dlg)
    lay.addWidget(table)
    dlg.resize(560, 460)
    return dlg



def show_about(parent, version: str) -> None:
    QMessageBox.about(parent, "About nergui",
                      f"<b>nergui {version}</b><p>Label named entities and train a spaCy model on your own "
                      "machine, without it forgetting what it knew.</p>")


