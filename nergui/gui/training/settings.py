"""The training settings form: rehearsal slider and source, strategy, auto-train, advanced fold."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QApplication, QButtonGroup, QCheckBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QPushButton, QRadioButton, QSlider, QSpinBox, QToolButton, QVBoxLayout,
                               QWidget)

from ...core import settings as core_settings
from ...core.training import TrainSettings
from ...errors import Msg, NerguiError

_STRATEGY_TEXT = {
    "new-component": ("New types in their own component (keeps the original intact)",
                      "A second recognizer learns the new types in front of the frozen original, "
                      "so the old types cannot be forgotten."),
    "in-place": ("Update the model in place (needed to correct old types)",
                 "The model's own recognizer learns everything; rehearsal keeps the old types, "
                 "but some forgetting is likely."),
}
# one entry per strategy the trainer knows (core.settings), in its order
STRATEGIES = tuple((key, *_STRATEGY_TEXT.get(key, (key, ""))) for key in core_settings.STRATEGIES)


class Hint(QLabel):
    """A one-line explanation: smaller, in the palette's placeholder colour (follows the theme)."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self.setWordWrap(True)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.setFont(font)
        self._tinting = False
        self._tint()

    def _tint(self) -> None:
        self._tinting = True
        pal = self.palette()
        pal.setColor(QPalette.WindowText, QApplication.palette().color(QPalette.PlaceholderText))
        self.setPalette(pal)
        self._tinting = False

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.ApplicationPaletteChange, QEvent.PaletteChange) and not self._tinting:
            self._tint()
        super().changeEvent(event)


def hint(text: str) -> Hint:
    return Hint(text)


class _ClickLabel(QLabel):
    def __init__(self, text: str, target: QRadioButton):
        super().__init__(text)
        self.target = target
        self.setWordWrap(True)

    def mousePressEvent(self, event) -> None:
        if self.target.isEnabled():
            self.target.click()
        super().mousePressEvent(event)


class Choice(QWidget):
    """A radio button whose text wraps (a QRadioButton's never does), with a one-line hint below."""

    def __init__(self, text: str, explain: str = "", parent=None):
        super().__init__(parent)
        self.button = QRadioButton()
        self.button.setAccessibleName(text)
        self.button.setToolTip(explain)
        self.label = _ClickLabel(text, self.button)
        self.label.setToolTip(explain)
        col = QVBoxLayout()
        col.setSpacing(0)
        col.addWidget(self.label)
        if explain:
            col.addWidget(hint(explain))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 2)
        lay.addWidget(self.button, 0, Qt.AlignTop)
        lay.addLayout(col, 1)

    def text(self) -> str:
        return self.label.text()

    def setEnabled(self, on: bool) -> None:  # noqa: N802 (Qt naming)
        self.button.setEnabled(on)
        self.label.setEnabled(on)


class TrainForm(QWidget):
    """Everything the user sets before (and, for the slider, during) a run."""

    sig_rehearsal = Signal(float)    # 0..1, as the slider moves
    sig_auto = Signal()              # the auto-train switch or its N changed

    def __init__(self, parent=None):
        super().__init__(parent)
        defaults = TrainSettings()
        self.todo_count = 0
        self.file_count = 0
        self.file: str | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)

        # rehearsal
        row = QHBoxLayout()
        row.addWidget(QLabel("<b>Rehearsal</b>"))
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, 100)
        self.slider.setSingleStep(5)
        self.slider.setPageStep(10)
        self.slider.setValue(round(defaults.rehearsal * 100))
        self.slider.setAccessibleName("Rehearsal share")
        self.slider_value = QLabel()
        self.slider_value.setMinimumWidth(40)
        self.slider_value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        row.addWidget(self.slider, 1)
        row.addWidget(self.slider_value)
        lay.addLayout(row)
        lay.addWidget(hint("Mixes text labelled by the original model into each batch, so it keeps the "
                           "types it knew: more rehearsal forgets less but learns the new types slower."))
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        lay.addWidget(self.count_label)
        self.source_group = QButtonGroup(self)
        self.src_docs = QRadioButton("This project's unannotated documents")
        self.src_file = QRadioButton("\u2026 and the texts of a file")
        self.src_only = QRadioButton("Only the texts of a file")
        self.src_only.setToolTip("For rehearsal and for measuring forgetting, ignore the project's unannotated documents")
        self.src_docs.setChecked(True)
        self.choose = QPushButton("Choose\u2026")
        self.choose.setToolTip("Any file nergui imports; only its texts are used")
        self.file_label = QLabel()
        self.file_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        for i, b in enumerate((self.src_docs, self.src_file, self.src_only)):
            self.source_group.addButton(b, i)
        lay.addWidget(self.src_docs)
        frow = QHBoxLayout()
        frow.addWidget(self.src_file)
        frow.addWidget(self.choose)
        frow.addStretch(1)
        lay.addLayout(frow)
        lay.addWidget(self.src_only)
        lay.addWidget(self.file_label)
        self.file_label.hide()

        # strategy
        lay.addSpacing(6)
        lay.addWidget(QLabel("<b>How to learn new types</b>"))
        self.strategy_group = QButtonGroup(self)
        self.strategy_buttons: dict[str, QRadioButton] = {}
        self.strategy_choices: list[Choice] = []
        for i, (key, text, explain) in enumerate(STRATEGIES):
            choice = Choice(text, explain)
            self.strategy_choices.append(choice)
            choice.button.setChecked(key == defaults.strategy)
            self.strategy_group.addButton(choice.button, i)
            self.strategy_buttons[key] = choice.button
            lay.addWidget(choice)

        # auto-train
        lay.addSpacing(6)
        self.auto = QCheckBox("Auto-train")
        self.auto.setToolTip("Starts a run by itself (never while one is going) and keeps its result; "
                             "roll back under Model versions")
        self.auto_n = QSpinBox()
        self.auto_n.setRange(1, 10_000)
        self.auto_n.setValue(10)
        self.auto_n.setAccessibleName("Newly accepted documents per auto-train run")
        arow = QHBoxLayout()
        arow.setContentsMargins(22, 0, 0, 0)
        arow.addWidget(QLabel("after every"))
        arow.addWidget(self.auto_n)
        arow.addWidget(QLabel("newly accepted documents"), 1)
        lay.addWidget(self.auto)
        lay.addLayout(arow)
        self.auto_status = hint("")
        lay.addWidget(self.auto_status)

        # advanced fold
        self.advanced_toggle = QToolButton(text="Advanced", checkable=True)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.RightArrow)
        self.advanced_toggle.setAutoRaise(True)
        self.advanced = QWidget()
        form = QFormLayout(self.advanced)
        form.setContentsMargins(16, 0, 0, 0)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 200)
        self.epochs.setValue(defaults.epochs)
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 1024)
        self.batch_size.setValue(defaults.batch_size)
        self.dropout = QDoubleSpinBox()
        self.dropout.setRange(0.0, 0.9)
        self.dropout.setSingleStep(0.05)
        self.dropout.setDecimals(2)
        self.dropout.setValue(defaults.dropout)
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Dropout", self.dropout)
        self.cross_validate = QCheckBox("Cross-validate small projects")
        self.cross_validate.setChecked(defaults.cross_validate)
        self.cross_validate.setToolTip(
            "Below 50 accepted documents none are held out to score your types: train 5 more models, each "
            "scored on the documents it did not see (about four times the training's time)")
        form.addRow(self.cross_validate)
        self.advanced.setVisible(False)
        lay.addWidget(self.advanced_toggle)
        lay.addWidget(self.advanced)

        self.slider.valueChanged.connect(self._slider_moved)
        self.choose.clicked.connect(self.choose_file)
        self.source_group.idToggled.connect(lambda *_: self._update_count())
        self.advanced_toggle.toggled.connect(self._fold)
        self.auto.toggled.connect(lambda *_: self.sig_auto.emit())
        self.auto_n.valueChanged.connect(lambda *_: self.sig_auto.emit())
        self._slider_moved(self.slider.value())
        self._update_count()

    # ---- values ------------------------------------------------------------------------------
    def rehearsal(self) -> float:
        return self.slider.value() / 100.0

    def strategy(self) -> str:
        return next(k for k, b in self.strategy_buttons.items() if b.isChecked())

    def settings(self) -> TrainSettings:
        return TrainSettings(strategy=self.strategy(), rehearsal=self.rehearsal(), epochs=self.epochs.value(),
                             batch_size=self.batch_size.value(), dropout=round(self.dropout.value(), 3),
                             cross_validate=self.cross_validate.isChecked())

    def raw_file(self) -> str | None:
        return self.file if (self.src_file.isChecked() or self.src_only.isChecked()) and self.file else None

    def project_raw(self) -> bool:
        """Whether the project's unannotated documents are rehearsal text (not with "only a file")."""
        return not (self.src_only.isChecked() and self.file)

    def set_running(self, running: bool) -> None:
        """While a run goes on only the slider changes it; the rest applies to the next run."""
        for w in (self.src_docs, self.src_file, self.src_only, self.choose, self.advanced):
            w.setEnabled(not running)
        for choice in self.strategy_choices:
            choice.setEnabled(not running)

    # ---- rehearsal text ----------------------------------------------------------------------------
    def set_todo_count(self, n: int) -> None:
        self.todo_count = n
        self._update_count()

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Texts for rehearsal (any importable file)")
        if path:
            self.set_file(path)

    def set_file(self, path: str) -> str | None:
        """Use the texts of ``path`` for rehearsal; returns an error message, or None."""
        from ...core.workflow import read_texts

        try:
            n = len(read_texts(path))
        except NerguiError as err:
            return Msg.GUI_REHEARSAL_FILE.format(path=path, detail=err)
        self.file, self.file_count = path, n
        self.file_label.setText(f"{Path(path).name}: {n:,} texts")
        self.file_label.show()
        if not self.src_only.isChecked():
            self.src_file.setChecked(True)
        self._update_count()
        return None

    def rehearsal_count(self) -> int:
        return (self.todo_count if self.project_raw() else 0) + (self.file_count if self.raw_file() else 0)

    def _update_count(self) -> None:
        n = self.rehearsal_count()
        if not self.project_raw():
            parts = f"from {Path(self.file).name} only"
        else:
            parts = f"{self.todo_count:,} unannotated documents"
            if self.raw_file():
                parts += f" + {self.file_count:,} from {Path(self.file).name}"
        if n:
            self.count_label.setText(f"<b>{n:,}</b> texts available for rehearsal ({parts})")
        else:
            self.count_label.setText("<b>No rehearsal text yet</b>: import unannotated texts or choose a file, "
                                     "or the model may forget the types it knew.")
        self.choose.setText("Change\u2026" if self.file else "Choose\u2026")

    def _slider_moved(self, value: int) -> None:
        self.slider_value.setText(f"{value} %")
        self.sig_rehearsal.emit(value / 100.0)

    def _fold(self, open_: bool) -> None:
        self.advanced.setVisible(open_)
        self.advanced_toggle.setArrowType(Qt.DownArrow if open_ else Qt.RightArrow)
