"""File > Import: shows how the file will be read (its format, the columns of a column file,
the tag scheme) and the first documents with their spans, before anything is imported.

The format, the encoding, the token and tag columns, Label Studio's text field and a CSV's
text column can be changed; the preview follows. When the file cannot be read as found, the
control that can fix it has the focus (the format, the encoding, the text column). Messages
are in the window's wording (``errors.in_window``). The reading itself is
``nergui.core.formats.preview``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QSpinBox, QTextBrowser, QVBoxLayout, QWidget)

from ..core.format_names import ENCODINGS, READ_FORMATS
from ..core.formats.csv_text import text_column
from ..core.formats.preview import Preview, preview_file
from ..errors import Msg, in_window, made_from

#: which control a message points to: the one focused when the file cannot be read so
FOCUS_FOR = (((Msg.NOT_UTF8, Msg.NOT_UTF8_BUT_UTF16, Msg.NOT_IN_ENCODING), "encoding"),
             ((Msg.UNKNOWN_FORMAT, Msg.NOT_DIR), "format"),
             ((Msg.CSV_NO_TEXT_COLUMN, Msg.CSV_NO_SUCH_COLUMN), "text_column"),
             ((Msg.CONLL_COLUMNS, Msg.CONLL_TAG), "columns"))


def said_here(message) -> str:
    """``message`` as this dialog says it: the window's wording, its controls "above"."""
    return in_window(message).replace(" in the import dialog", " above")


def focus_for(message) -> str | None:
    """The import dialog's control that can fix what ``message`` says, or None."""
    return next((name for templates, name in FOCUS_FOR if any(made_from(t, message) for t in templates)), None)

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

    def __init__(self, parent=None, path: str = "", *, encoding: str | None = None, focus: str | None = None):
        super().__init__(parent)
        self.path = path
        self.setWindowTitle("Import texts")
        self.encoding = QComboBox()
        self.encoding.setAccessibleName("Encoding")
        self.encoding.setToolTip("How the file's characters are stored; UTF-8 unless the file says otherwise")
        for key, words in ENCODINGS.items():
            self.encoding.addItem(words, key)
        self.encoding.setCurrentIndex(max(0, self.encoding.findData(encoding or _bom_encoding(path))))
        self.text_column = QComboBox()
        self.text_column.setAccessibleName("Text column")
        self.text_column.setToolTip("The column that holds each document's text; the others are kept as meta")
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
        self.form.addRow("Encoding", self.encoding)
        self.form.addRow("Columns", columns)
        self.form.addRow("Text field", self.text_key)
        self.form.addRow("Text column", self.text_column)
        self.form.addRow("", self.partial)
        self._columns_row, self._text_row = columns, self.text_key
        self._focus: str | None = None
        self.controls = {"format": self.fmt, "encoding": self.encoding, "columns": self.token_col,
                         "text_column": self.text_column, "text_field": self.text_key, "partial": self.partial}
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
        self._first = preview_file(path, encoding=self.encoding.currentData())
        self._show(self._first, initial=True)
        self.fmt.currentIndexChanged.connect(self._changed)
        self.token_col.valueChanged.connect(self._changed)
        self.tag_col.valueChanged.connect(self._changed)
        self.text_key.textChanged.connect(self._changed)
        self.text_column.currentIndexChanged.connect(self._changed)
        self.encoding.currentIndexChanged.connect(self._encoding_changed)
        self.partial.toggled.connect(lambda: self._show(self.shown))
        self.focus_on(focus or focus_for(self._first.failure or self._first.error))

    def focus_on(self, name: str | None) -> None:
        """Give the focus to the control ``name`` (a key of ``controls``), now and once shown."""
        widget = self.controls.get(name or "")
        if widget is not None:
            self._focus = name
            widget.setFocus(Qt.OtherFocusReason)

    def focused(self) -> str | None:
        """The name of the control the dialog gives its focus to."""
        return self._focus

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        if self._focus is not None:  # after the dialog's own choice (its default button)
            QTimer.singleShot(0, self, lambda: self.controls[self._focus].setFocus(Qt.OtherFocusReason))

    # ---- reading ---------------------------------------------------------------------------
    def _changed(self) -> None:
        self._timer.start()

    def _encoding_changed(self) -> None:
        """Another encoding: tell the format again (it may be readable now), then preview."""
        self._timer.stop()
        self._first = preview_file(self.path, encoding=self.encoding.currentData())
        self.fmt.blockSignals(True)
        self._set_controls(self._first)
        self.fmt.blockSignals(False)
        self.refresh()

    def _text_key(self) -> str | None:
        if self.fmt.currentData() == "csv":
            return self.text_column.currentText() or None
        return self.text_key.text().strip() or None

    def refresh(self) -> None:
        """Read the file again with the options as they are now."""
        self._timer.stop()
        fmt = self.fmt.currentData()
        columns = (self.token_col.value() - 1, self.tag_col.value() - 1) if fmt == "conll" else None
        self._show(preview_file(self.path, fmt, columns=columns, text_key=self._text_key(),
                                encoding=self.encoding.currentData()))

    def _show(self, shown: Preview, *, initial: bool = False) -> None:
        self.shown = shown
        first = self._first
        if first.detection is not None:
            self.detected.setText(f"<b>{_esc(first.detection.detected)}</b>")
        else:
            self.detected.setText("<b>the format could not be told</b>: choose it below")
        if initial:
            self._set_controls(shown)
        elif focus_for(shown.failure or "") == "text_column":
            self.focus_on("text_column")  # CSV chosen: its text column is what is left to choose
        fmt = self.fmt.currentData()
        self._columns_row.setVisible(fmt == "conll")
        self.form.labelForField(self._columns_row).setVisible(fmt == "conll")
        self._text_row.setVisible(fmt == "label_studio")
        self.form.labelForField(self._text_row).setVisible(fmt == "label_studio")
        self._set_header(shown.header)
        self.text_column.setVisible(fmt == "csv")
        self.form.labelForField(self.text_column).setVisible(fmt == "csv")
        lines = []
        if shown.error:
            lines.append(f"<span style='color:{_error_colour()}'>{_esc(said_here(shown.error))}</span>")
        else:
            whole = "" if shown.complete else " (the first part of a big file)"
            lines.append(f"Read{whole}: {len(shown.documents)} documents, {shown.spans} spans, "
                         f"{len(shown.problems)} problems.")
            lines += [_esc(n[:1].upper() + n[1:]) + "." for n in shown.notes]
            for p in shown.problems[:SHOWN_PROBLEMS]:
                lines.append(f"<span style='color:{_error_colour()}'>{_esc(said_here(p))}</span>")
            if shown.problems and not self.partial.isChecked():
                lines.append("Fix the file, choose another format or columns, or tick "
                             "\u201cSkip bad documents\u201d to import the good ones.")
        self.summary.setText("<br>".join(lines))
        self.sample.setHtml("".join(f"<p>{_marked(r.text, r.spans)}</p>" for r in shown.documents[:SHOWN_DOCUMENTS]))
        self.ok.setEnabled(not shown.error and bool(shown.documents)
                           and (not shown.problems or self.partial.isChecked()))

    def _set_header(self, header: tuple[str, ...]) -> None:
        """A CSV's columns in the Text column list, keeping the choice (else the one named like a text)."""
        names = [self.text_column.itemText(i) for i in range(self.text_column.count())]
        if list(header) == names:
            return
        chosen = self.text_column.currentText()
        self.text_column.blockSignals(True)
        self.text_column.clear()
        self.text_column.addItems(list(header))
        found = text_column(header, chosen) if chosen else None
        found = found if found is not None else text_column(header)
        self.text_column.setCurrentIndex(found if found is not None else -1)
        self.text_column.blockSignals(False)

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
        """Options for ``import_file``: the format, columns (0-based), text field (or CSV text
        column), partial, encoding (None: UTF-8)."""
        fmt = self.fmt.currentData()
        columns = (self.token_col.value() - 1, self.tag_col.value() - 1) if fmt == "conll" else None
        first = self._first.columns
        if fmt == "conll" and first is not None and columns == (first.token, first.tag):
            columns = None  # as detected: keep the sniffed separator and column count
        if self._first.fmt == fmt:
            fmt = None  # as detected: the report says how it was recognised
        encoding = self.encoding.currentData()
        return {"fmt": fmt, "columns": columns, "text_key": self._text_key(), "partial": self.partial.isChecked(),
                "encoding": None if encoding == "utf-8" else encoding}


def _bom_encoding(path: str) -> str | None:
    """UTF-16 for a file that starts with its byte-order mark, else None (UTF-8)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
    except OSError:
        return None
    return "utf-16" if head in (b"\xff\xfe", b"\xfe\xff") else None
