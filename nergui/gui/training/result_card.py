"""The result card after a run: per label before -> after, retention, time; Keep or Discard."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from ...core.crossval import MIN_DOCS as CV_MIN_DOCS
from ...core.evaluate import describe_changes, describe_retention
from ...core.evaluation_sample import MIN_SCORED as EVAL_MIN_SCORED, SOURCE as EVAL_SOURCE
from ...core.holdout import MIN_DOCS
from ...errors import Msg
from .settings import hint

FEW_RETENTION_TEXTS = 30  # below this many held-out texts the note says the figure is uncertain

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


def _shown(m: dict) -> tuple[float | None, float | None, float | None]:
    """The retention shown, with its interval: an old-type entity taken by one of the user's
    types counts as kept (the plain figure when that one is absent)."""
    key = "retention_excluding_relabelled" if m.get("retention_excluding_relabelled") is not None else "retention"
    return m.get(key), m.get(f"{key}_low"), m.get(f"{key}_high")


def _retention(m: dict) -> float | None:
    return _shown(m)[0]


def _interval(m: dict) -> str:
    _, low, high = _shown(m)
    return "" if low is None or high is None else f" ({low:.2f}\u2013{high:.2f})"


def _figure(value: float, low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return f"{value:.2f}"
    return Msg.RETENTION_INTERVAL.format(value=value, low=low, high=high)


def retention_note(scores: dict, *, epoch: int | None = None, fate: bool = True) -> str:
    """What a retention figure means: the texts it was measured on and its 95 % interval, what
    became of the original's entities (``fate``), and relabelling into the user's types apart."""
    value, low, high = _shown(scores)
    n = scores.get("retention_texts")
    if value is None or not n:
        return ""
    figure = _figure(value, low, high)
    parts = [Msg.RETENTION_MEASURED.format(figure=figure, n=n, when=f" after epoch {epoch}" if epoch else "")]
    if n < FEW_RETENTION_TEXTS:
        parts.append(Msg.RETENTION_FEW_TEXTS)
    detail = scores.get("retention_detail") or {}
    plain = _figure(scores["retention"], scores.get("retention_low"), scores.get("retention_high"))
    if fate:  # the fate says which were taken by the user's types, apart from the lost
        parts.append(describe_retention(detail))
        if detail.get("relabelled"):
            parts.append(Msg.RETENTION_AS_LOST.format(figure=plain))
    elif detail.get("relabelled"):
        parts.append(Msg.RETENTION_RELABELLED.format(moved=detail["relabelled"], top=describe_changes(detail),
                                                     figure=plain))
    return " ".join(p for p in parts if p)


def evaluation_note(m: dict) -> str:
    """What the figures owe to the evaluation sample: the F rows are taken on it, or (too few
    accepted yet) its own rough figures."""
    n = m["evaluation_documents"]
    if m.get("dev_source") == EVAL_SOURCE:
        return Msg.EVAL_SAMPLE_CAPTION.format(n=n) + "."
    figures = ", ".join(f"{label} {s['f']:.2f}" for label, s in (m.get("evaluation_per_type") or {}).items())
    text = Msg.EVAL_SAMPLE_APART.format(caption=Msg.EVAL_SAMPLE_CAPTION.format(n=n), figures=figures or "none")
    return text + (" " + Msg.EVAL_SAMPLE_FEW.format(min_docs=EVAL_MIN_SCORED) if n < EVAL_MIN_SCORED else "")


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
        self.cv = hint("")  # says the F rows are cross-validated (small projects)
        self.cv.hide()
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
        lay.addWidget(self.cv)
        lay.addWidget(self.note)
        lay.addLayout(buttons)
        self.keep.clicked.connect(self.sig_keep)
        self.discard.clicked.connect(self.sig_discard)
        self.rows: dict[str, tuple[float | None, float | None, float | None]] = {}
        self.cv_lines: dict[str, str] = {}  # label -> its cross-validated figure, as shown
        self.cells: dict[str, str] = {}  # row name -> its "this run" cell, as shown

    def show_result(self, result, *, waiting: bool = True) -> None:
        """Fill the card from a ``workers.RunResult``; ``waiting``: offer Keep and Discard."""
        m, info = result.metrics, result.info
        self.title.setText(f"<b>Trained in {duration(result.seconds)}</b>")
        strategy = "own component" if info.strategy == "new-component" else "in place"
        parts = [f"{info.n_train:,} documents"]
        if info.n_dev:
            parts.append(f"{info.n_dev:,} evaluation documents never trained on" if info.dev_source == EVAL_SOURCE
                         else f"{info.n_dev:,} held out for scores")
        parts += [f"{info.n_rehearsal:,} rehearsal texts", f"{info.epochs} epochs", f"new types {strategy}"]
        if m.get("cv_seconds") is not None:
            parts.append(f"cross-validated in {duration(m['cv_seconds'])}")
        self.summary.setText(" \u00b7 ".join(parts))
        current = m.get("current") or {}
        self._clear_grid()
        headers = ["", "original"] + ([current["version"]] if current else []) + ["this run"]
        for col, text in enumerate(headers):
            lab = QLabel(f"<i>{text}</i>")
            lab.setAlignment(Qt.AlignRight if col else Qt.AlignLeft)
            self.grid.addWidget(lab, 0, col)
        self.rows, self.cells = {}, {}
        row = 1
        after = {k: v.get("f") for k, v in (m.get("per_type") or {}).items()}
        for label in m.get("labels", []):
            if label not in after:
                continue
            before = (m.get("before") or {}).get(label)
            cur = (current.get("per_type") or {}).get(label) if current else None
            self._row(row, f"F {label}", before, cur, after[label], bool(current))
            row += 1
        row = self._cv_rows(row, m, bool(current))
        retention = _retention(m)
        if retention is not None:
            cur = _retention(current) if current else None
            self._row(row, "Retention", 1.0, cur, retention, bool(current), extra=_interval(m))
            row += 1
        notes = [evaluation_note(m)] if m.get("evaluation_documents") else []
        if self.cv_lines:
            notes.append(Msg.CV_NOTE.format(min_docs=MIN_DOCS, folds=m["cv_folds"], epochs=m["cv_epochs"]))
            if m["cv_epochs"] < info.epochs:
                notes.append(Msg.CV_FEWER_EPOCHS.format(epochs=m["cv_epochs"], run=info.epochs))
        elif not after:
            notes.append(Msg.CV_TOO_FEW.format(cv_min=CV_MIN_DOCS, min_docs=MIN_DOCS, n=info.n_train))
        if m.get("retention") is None:
            notes.append("Retention: none measured (the base pipeline knows no entity types, or there was "
                         "no unannotated text to measure it on)." if not info.old_labels else
                         "Retention: none measured (no unannotated text to measure it on).")
        else:
            notes.append(retention_note(m, fate=False))
        self.note.setText("\n".join(notes))
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

    def _cv_rows(self, row: int, m, with_current: bool) -> int:
        """A row per label with its cross-validated F and spread (``nergui.core.crossval``),
        captioned as such; returns the next row."""
        self.cv_lines = {}
        for label in m.get("labels", []) if m.get("cv_per_type") else []:
            f = m["cv_per_type"].get(label, {}).get("f")
            if f is None:
                continue
            spread = m["cv_spread"].get(label, 0.0)
            self.cv_lines[label] = Msg.CV_FIGURE.format(f=f, spread=spread, folds=m["cv_folds"], n=m["cv_documents"])
            self._row(row, f"F {label}", None, None, f, with_current, extra=f" \u00b1 {spread:.2f}",
                      tip=Msg.CV_TIP.format(figure=self.cv_lines[label],
                                            marked=(m.get("cv_support") or {}).get(label, 0), label=label))
            row += 1
        if self.cv_lines:
            self.cv.setText(Msg.CV_CAPTION.format(folds=m["cv_folds"], n=m["cv_documents"]))
        self.cv.setVisible(bool(self.cv_lines))
        return row

    def _row(self, row: int, name: str, original, current, new, with_current: bool,
             extra: str = "", tip: str = "") -> None:
        """One figure: original, the model in use, this run (``extra`` after it: its interval
        or spread), with the change since the model in use (else the original)."""
        self.rows[name] = (original, current, new)
        title = QLabel(name)
        title.setToolTip(tip)
        self.grid.addWidget(title, row, 0)
        cells = [original] + ([current] if with_current else [])
        for col, value in enumerate(cells, start=1):
            lab = QLabel(_num(value))
            lab.setAlignment(Qt.AlignRight)
            self.grid.addWidget(lab, row, col)
        ref = current if with_current and current is not None else original
        text = f"<b>{_num(new)}</b>{extra}"
        if new is not None and ref is not None and abs(new - ref) >= 0.005:
            colour = UP if new > ref else DOWN
            arrow = "\u25b2" if new > ref else "\u25bc"
            text += f" <span style='color:{colour}'>{arrow}{abs(new - ref):.2f}</span>"
        lab = QLabel(text)
        lab.setAlignment(Qt.AlignRight)
        lab.setToolTip(tip)
        self.grid.addWidget(lab, row, len(cells) + 1)
        self.cells[name] = text

    def rows_text(self, name: str) -> str:
        """The "this run" cell of row ``name`` as shown (rich text)."""
        return self.cells.get(name, "")

    def _clear_grid(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
