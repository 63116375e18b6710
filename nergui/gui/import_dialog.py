"""File > Import: shows how the file will be read (its format, the columns of a column file,
the tag scheme) and the first documents with their spans, before anything is imported.

The format, the token and tag columns and Label Studio's text field can be changed; the
preview follows. The reading itself is ``nergui.core.formats.preview``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QSpinBox, QTextBrowser, QVBoxLayout, QWidget)

from ..core.format_names import READ_FORMATS
from ..core.formats.preview import Preview, preview_file

SHOWN_DOCUMENTS = 5
SHOWN_PROBLEMS = 5


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _error_colour() -> str:
    dark = QApplication.palette().color(QPalette.Window).lightness() < 128
    return "#f28b82" if dark else "#c5221f"


def _marked(text: str, spans, limit: int = 300) -> str:
    """The document's text as HTML with each span bracketed and labelled."""
    out, at = [], 0
    for s in spans:
        if s.start >= limit:
            break
        out.append(_esc(text[at:s.start]))
        out.append(f"<b>[{_esc(text[s.start:s.end])}</b> <i>{_esc(s.label)}</i><b>]</b>")
        at = s.end
    out.append(_esc(text[at:limit]) + ("\u2026" if len(text) > limit else ""))
    return "".join(out)


class ImportDialog(QDialog):
    """Choose how to read ``path``; ``values()`` gives the import options once accepted."""

    def __init__(self, parent=None, path: str = ""):
        super().__init__(parent)
        self.path = path
        self.setWindowTitle("Import texts")
        self.detected = QLabel()
        self.detected.setWordWrap(True)
        self.detected.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.fmt = QComboBox()
        self.fmt.setAccessibleName("Format")
        for key, words in READ_FORMATS.items():
            self.fmt.addItem(words, key)
        self.token_col, self.tag_col = QSpinBox(), QSpinBox()
        for box, name in ((self.token_col, "Token column"), (self.tag_col, "Tag column")):
            box.setRange(1, 50)
            box.setAccessibleName(name)
        columns = QWidget()
        row = QHBoxLayout(columns)
        row.setContentsMargins(0, 0, 0, 0)
        for text, box in (("token in column", self.token_col), ("tag in column", self.tag_col)):
            row.addWidget(QLabel(text))
            row.addWidget(box)
        row.addStretch(1)
        self.text_key = QLineEdit()
        self.text_key.setPlaceholderText('the field of "data" that holds the text (found by itself when empty)')
        self.text_key.setAccessibleName("Text field")
        self.partial = QCheckBox("Skip bad documents (import only the good ones)")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.sample = QTextBrowser()
        self.sample.setAccessibleName("First documents")
        self.form = QFormLayout()
        self.form.addRow("File", QLabel(_esc(path)))
        self.form.addRow("Detected", self.detected)
        self.form.addRow("Format", self.fmt)
        self.form.addRow("Columns", columns)
        self.form.addRow("Text field", self.text_key)
        self.form.addRow("", self.partial)
        self._columns_row, self._text_row = columns, self.text_key
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok = buttons.button(QDialogButtonBox.Ok)
        self.ok.setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.summary)
        lay.addWidget(self.sample, 1)
        lay.addWidget(buttons)
        self.resize(720, 560)
        self.shown: Preview = Preview()
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.refresh)
        self._first = preview_file(path)
        self._show(self._first, initial=True)
        self.fmt.currentIndexChanged.connect(self._changed)
        self.token_col.valueChanged.connect(self._changed)
        self.tag_col.valueChanged.connect(self._changed)
        self.text_key.textChanged.connect(self._changed)
        self.partial.toggled.connect(lambda: self._show(self.shown))

    # ---- reading ---------------------------------------------------------------------------
    def _changed(self) -> None:
        self._timer.start()

    def refresh(self) -> None:
        """Read the file again with the options as they are now."""
        self._timer.stop()
        fmt = self.fmt.currentData()
        columns = (self.token_col.value() - 1, self.tag_col.value() - 1) if fmt == "conll" else None
        self._show(preview_file(self.path, fmt, columns=columns, text_key=self.text_key.text().strip() or None))

    def _show(self, shown: Preview, *, initial: bool = False) -> None:
        self.shown = shown
        first = self._first
        if first.detection is not None:
            self.detected.setText(f"<b>{_esc(first.detection.detected)}</b>")
        else:
            self.detected.setText("<b>the format could not be told</b>: choose it below")
        if initial:
            self._set_controls(shown)
        fmt = self.fmt.currentData()
        self._columns_row.setVisible(fmt == "conll")
        self.form.labelForField(self._columns_row).setVisible(fmt == "conll")
        self._text_row.setVisible(fmt == "label_studio")
        self.form.labelForField(self._text_row).setVisible(fmt == "label_studio")
        lines = []
        if shown.error:
            lines.append(f"<span style='color:{_error_colour()}'>{_esc(shown.error)}</span>")
        else:
            whole = "" if shown.complete else " (the first part of a big file)"
            lines.append(f"Read{whole}: {len(shown.documents)} documents, {shown.spans} spans, "
                         f"{len(shown.problems)} problems.")
            lines += [_esc(n[:1].upper() + n[1:]) + "." for n in shown.notes]
            for p in shown.problems[:SHOWN_PROBLEMS]:
                lines.append(f"<span style='color:{_error_colour()}'>{_esc(str(p))}</span>")
            if shown.problems and not self.partial.isChecked():
                lines.append("Fix the file, choose another format or columns, or tick "
                             "\u201cSkip bad documents\u201d to import the good ones.")
        self.summary.setText("<br>".join(lines))
        self.sample.setHtml("".join(f"<p>{_marked(r.text, r.spans)}</p>" for r in shown.documents[:SHOWN_DOCUMENTS]))
        self.ok.setEnabled(not shown.error and bool(shown.documents)
                           and (not shown.problems or self.partial.isChecked()))

    def _set_controls(self, shown: Preview) -> None:
        if shown.fmt is not None:
            self.fmt.setCurrentIndex(self.fmt.findData(shown.fmt))
        if shown.columns is not None and shown.columns.tag >= 0:
            self.token_col.setValue(shown.columns.token + 1)
            self.tag_col.setValue(shown.columns.tag + 1)
        else:
            self.token_col.setValue(1)
            self.tag_col.setValue(2)

    # ---- result ----------------------------------------------------------------------------
    def accept(self) -> None:
        if self._timer.isActive():  # a change not yet previewed: read it before importing
            self.refresh()
        if self.ok.isEnabled():  # not while the file cannot be read as chosen
            super().accept()

    def values(self) -> dict:
        """Options for ``import_file``: the format, columns (0-based), text field, partial."""
        fmt = self.fmt.currentData()
        columns = (self.token_col.value() - 1, self.tag_col.value() - 1) if fmt == "conll" else None
        first = self._first.columns
        if fmt == "conll" and first is not None and columns == (first.token, first.tag):
            columns = None  # as detected: keep the sniffed separator and column count
        if self._first.fmt == fmt:
            fmt = None  # as detected: the report says how it was recognised
        return {"fmt": fmt, "columns": columns, "text_key": self.text_key.text().strip() or None,
                "partial": self.partial.isChecked()}
