"""File > Export: which documents (accepted, all, or those the document list shows), the
format (each said in one line), and where; the format's file suffix is added to a name
typed without one. The choices are remembered for the next export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPushButton, QRadioButton, QVBoxLayout, QWidget)

from ..core.format_names import EXPORT_FORMATS
from ..core.store import Filter, Project
from ..errors import Msg
from .dialogs import _error_label

SCOPES = ("accepted", "all", "filter")


def describe_filter(flt: Filter) -> str:
    parts = [f"state {flt.state}" if flt.state else "", f"label {flt.label}" if flt.label else "",
             f"search \u201c{flt.search}\u201d" if flt.search else ""]
    return ", ".join(p for p in parts if p) or "no filter: every document"


def with_suffix(path: str, fmt: str) -> str:
    """``path`` with the format's suffix when it was typed without one (a folder format: as typed)."""
    suffix = EXPORT_FORMATS[fmt][2]
    return path + suffix if path and suffix and not Path(path).suffix else path


class ExportDialog(QDialog):
    """Read the choice from ``values()`` once accepted: fmt, scope, path (suffix added)."""

    def __init__(self, parent, project: Project, shown: Filter, *, shown_count: int,
                 settings: QSettings | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.settings = settings
        self.shown = shown
        counts = project.counts_by_state()
        self.counts = {"accepted": counts.get("accepted", 0), "all": sum(counts.values()), "filter": shown_count}
        self.scope_box = QGroupBox("Documents")
        scope_lay = QVBoxLayout(self.scope_box)
        self.scope_group = QButtonGroup(self)
        self.scopes: dict[str, QRadioButton] = {}
        texts = {"accepted": f"Accepted documents ({self.counts['accepted']:,})",
                 "all": f"All documents ({self.counts['all']:,}), with their state",
                 "filter": f"The documents the list shows ({shown_count:,}; {describe_filter(shown)})"}
        for i, key in enumerate(SCOPES):
            button = QRadioButton(texts[key])
            self.scope_group.addButton(button, i)
            self.scopes[key] = button
            scope_lay.addWidget(button)
        self.format_box = QGroupBox("Format")
        fmt_lay = QVBoxLayout(self.format_box)
        self.format_group = QButtonGroup(self)
        self.formats: dict[str, QRadioButton] = {}
        self.explained: dict[str, QLabel] = {}
        for i, (key, (title, line_text, suffix)) in enumerate(EXPORT_FORMATS.items()):
            button = QRadioButton(f"{title} ({suffix or 'a folder'})")
            button.setAccessibleName(title)
            self.format_group.addButton(button, i)
            self.formats[key] = button
            line = QLabel(line_text)  # one line each
            line.setForegroundRole(QPalette.PlaceholderText)  # a hint's grey, in either theme
            line.setContentsMargins(22, 0, 0, 4)
            self.explained[key] = line
            fmt_lay.addWidget(button)
            fmt_lay.addWidget(line)
        self.path = QLineEdit()
        self.path.setPlaceholderText("a file name (the suffix is added) or, for a folder format, a new folder")
        self.path.setAccessibleName("Export to")
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(self.browse)
        where = QWidget()
        row = QHBoxLayout(where)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Export to", where)
        self.target = QLabel()
        self.target.setWordWrap(True)
        form.addRow("", self.target)
        self.error = _error_label()
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok = buttons.button(QDialogButtonBox.Ok)
        self.ok.setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.format_box)
        lay.addWidget(self.scope_box)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        fmt = str(self._remembered("format", "prodigy"))
        self.formats.get(fmt, self.formats["prodigy"]).setChecked(True)
        scope = str(self._remembered("scope", "accepted"))
        self.scopes.get(scope, self.scopes["accepted"]).setChecked(True)
        self.format_group.idToggled.connect(lambda *_: self._update())
        self.scope_group.idToggled.connect(lambda *_: self._update())
        self.path.textChanged.connect(lambda *_: self._update())
        self._update()

    def _remembered(self, key: str, default: str) -> str:
        return self.settings.value(f"export/{key}", default) if self.settings is not None else default

    def fmt(self) -> str:
        return next(k for k, b in self.formats.items() if b.isChecked())

    def scope(self) -> str:
        return next(k for k, b in self.scopes.items() if b.isChecked())

    def _update(self) -> None:
        pipeline = self.fmt() == "pipeline"
        self.scope_box.setEnabled(not pipeline)
        target = with_suffix(self.path.text().strip(), self.fmt())
        self.target.setText(f"Writes {target}" if target else "")

    def browse(self) -> None:
        fmt = self.fmt()
        title, _line, suffix = EXPORT_FORMATS[fmt]
        start = self.path.text().strip() or str(self._remembered("dir", ""))
        name_filter = f"{title} (*{suffix});;All files (*)" if suffix else ""
        path, _ = QFileDialog.getSaveFileName(self, "Export to", start, name_filter)
        if path:
            self.path.setText(path)

    def problem(self) -> str | None:
        if not self.path.text().strip():
            return Msg.GUI_EXPORT_NO_TARGET
        if self.fmt() != "pipeline" and self.counts[self.scope()] == 0:
            return Msg.GUI_EXPORT_EMPTY.format(scope=self.scopes[self.scope()].text())
        return None

    def accept(self) -> None:
        why = self.problem()
        self.error.setText(why or "")
        self.error.setVisible(bool(why))
        if why is not None:
            return
        if self.settings is not None:
            self.settings.setValue("export/format", self.fmt())
            self.settings.setValue("export/scope", self.scope())
            self.settings.setValue("export/dir", str(Path(self.values()["path"]).parent))
        super().accept()

    def values(self) -> dict:
        """``fmt``, ``scope`` (one of SCOPES), ``path`` (with the suffix), ``filter`` (the list's)."""
        return {"fmt": self.fmt(), "scope": self.scope(), "path": with_suffix(self.path.text().strip(), self.fmt()),
                "filter": self.shown}
