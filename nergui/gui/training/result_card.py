"""The result card after a run: per label before -> after, retention, time; Keep or Discard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from ...core.holdout import MIN_DOCS
from .settings import hint

UP, DOWN = "#2e9d4f", "#d93025"


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _num(value) -> str:
    return "\u2013" if value is None else f"{value:.2f}"


class ResultCard(QFrame):
    sig_keep = Signal()
    sig_discard = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.title = QLabel()
        self.summary = hint("")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(2)
        self.note = hint("")
        self.keep = QPushButton("Keep")
        self.keep.setToolTip("Save this model as a new version and use it for predictions")
        self.keep.setDefault(True)
        self.discard = QPushButton("Discard")
        self.discard.setToolTip("Drop this model; the one in use stays")
        self.decision = QLabel()
        self.decision.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.decision, 1)
        buttons.addWidget(self.discard)
        buttons.addWidget(self.keep)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.summary)
        lay.addLayout(self.grid)
        lay.addWidget(self.note)
        lay.addLayout(buttons)
        self.keep.clicked.connect(self.sig_keep)
        self.discard.clicked.connect(self.sig_discard)
        self.rows: dict[str, tuple[float | None, float | None, float | None]] = {}

    def show_result(self, result, *, waiting: bool = True) -> None:
        """Fill the card from a ``workers.RunResult``; ``waiting``: offer Keep and Discard."""
        m, info = result.metrics, result.info
        self.title.setText(f"<b>Trained in {duration(result.seconds)}</b>")
        strategy = "own component" if info.strategy == "new-component" else "in place"
        parts = [f"{info.n_train:,} documents"]
        if info.n_dev:
            parts.append(f"{info.n_dev:,} held out for scores")
        parts += [f"{info.n_rehearsal:,} rehearsal texts", f"{info.epochs} epochs", f"new types {strategy}"]
        self.summary.setText(" \u00b7 ".join(parts))
        current = m.get("current") or {}
        self._clear_grid()
        headers = ["", "original"] + ([current["version"]] if current else []) + ["this run"]
        for col, text in enumerate(headers):
            lab = QLabel(f"<i>{text}</i>")
            lab.setAlignment(Qt.AlignRight if col else Qt.AlignLeft)
            self.grid.addWidget(lab, 0, col)
        self.rows = {}
        row = 1
        after = {k: v.get("f") for k, v in (m.get("per_type") or {}).items()}
        for label in m.get("labels", []):
            if label not in after:
                continue
            before = (m.get("before") or {}).get(label)
            cur = (current.get("per_type") or {}).get(label) if current else None
            self._row(row, f"F {label}", before, cur, after[label], bool(current))
            row += 1
        if m.get("retention") is not None:
            self._row(row, "Retention", 1.0, current.get("retention") if current else None, m["retention"],
                      bool(current))
            row += 1
        notes = []
        if not after:
            notes.append(f"Per-label F needs {MIN_DOCS} accepted documents (15 % are held out to score "
                         f"them); this run had {info.n_train:,}.")
        if m.get("retention") is None:
            notes.append("Retention: none measured (the base pipeline knows no entity types, or there was "
                         "no unannotated text to measure it on)." if not info.old_labels else
                         "Retention: none measured (no unannotated text to measure it on).")
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))
        self.keep.setVisible(waiting)
        self.discard.setVisible(waiting)
        self.keep.setEnabled(waiting)
        self.discard.setEnabled(waiting)
        self.decision.setText("Predictions now show this model. Keep it as a new version?" if waiting else "")
        self.show()

    def show_decided(self, text: str) -> None:
        self.keep.hide()
        self.discard.hide()
        self.decision.setText(text)

    def set_busy(self) -> None:
        self.keep.setEnabled(False)
        self.discard.setEnabled(False)
        self.decision.setText("Saving\u2026")

    def _row(self, row: int, name: str, original, current, new, with_current: bool) -> None:
        self.rows[name] = (original, current, new)
        self.grid.addWidget(QLabel(name), row, 0)
        cells = [original] + ([current] if with_current else [])
        for col, value in enumerate(cells, start=1):
            lab = QLabel(_num(value))
            lab.setAlignment(Qt.AlignRight)
            self.grid.addWidget(lab, row, col)
        ref = current if with_current and current is not None else original
        text = f"<b>{_num(new)}</b>"
        if new is not None and ref is not None and abs(new - ref) >= 0.005:
            colour = UP if new > ref else DOWN
            arrow = "\u25b2" if new > ref else "\u25bc"
            text += f" <span style='color:{colour}'>{arrow}{abs(new - ref):.2f}</span>"
        lab = QLabel(text)
        lab.setAlignment(Qt.AlignRight)
        self.grid.addWidget(lab, row, len(cells) + 1)

    def _clear_grid(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
