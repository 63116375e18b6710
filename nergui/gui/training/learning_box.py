"""The training panel's "Learn as I annotate" box: the switch (the Training menu's action), what
the learner is doing, and when the next consolidation runs (every N accepted documents, or now).
It only shows ``gui.learning.LearnController``'s state and passes the user's choices to it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout

from .charts import LEVEL_COLOURS
from .settings import hint

EXPLAIN = ("Each document you accept or correct is learnt within a second or two, and the preview uses the "
           "new weights. Nothing is saved until a consolidation run trains from the original and keeps a version.")


class LearningBox(QGroupBox):
    def __init__(self, ctrl, toggle, now, parent=None):
        super().__init__("Learn as I annotate", parent)
        self.ctrl = ctrl
        self.toggle_action = toggle
        self.switch = QCheckBox("Learn from each document I accept")
        self.switch.setToolTip(EXPLAIN)
        self.switch.setAccessibleName("Learn as I annotate")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.status.setAccessibleName("What the learner is doing")
        self.status.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.every = QSpinBox()
        self.every.setRange(1, 10_000)
        self.every.setValue(ctrl.consolidation.every)
        self.every.setAccessibleName("Accepted documents between consolidation runs")
        self.every.setToolTip("A full training run from the original, kept as a new version, after this many "
                              "documents learnt; the learner then starts again from that version")
        self.now = QPushButton("Consolidate now")
        self.now.setToolTip(now.property("sheet"))
        self.consolidation = hint("")
        row = QHBoxLayout()
        row.addWidget(QLabel("Consolidate every"))
        row.addWidget(self.every)
        row.addWidget(QLabel("documents"), 1)
        below = QHBoxLayout()  # the hint wraps: the box is never wider than the panel's other rows
        below.addWidget(self.consolidation, 1)
        below.addWidget(self.now, 0, Qt.AlignTop)
        lay = QVBoxLayout(self)
        lay.addWidget(self.switch)
        lay.addWidget(self.status)
        lay.addLayout(row)
        lay.addLayout(below)

        self.switch.clicked.connect(lambda on: toggle.trigger() if toggle.isChecked() != on else None)
        toggle.toggled.connect(self.switch.setChecked)
        self.every.valueChanged.connect(ctrl.consolidation.set_every)
        self.now.clicked.connect(now.trigger)
        ctrl.sig_status.connect(self._status)
        ctrl.sig_state.connect(self._state)
        ctrl.sig_available.connect(self._available)
        ctrl.consolidation.sig_line.connect(self._consolidation)
        self.now_action = now
        # room for the usual texts, so that one replacing another (after every accepted document)
        # does not lay the whole panel out again while the previewer loads the new weights
        self.status.setMinimumHeight(self.status.fontMetrics().lineSpacing() * 3)
        self.consolidation.setMinimumHeight(self.consolidation.fontMetrics().lineSpacing() * 2)
        self.consolidation.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self._available(ctrl.available.ok)
        self._state(ctrl.state)
        self._status(ctrl.status)
        self._consolidation(ctrl.consolidation.line())

    def _available(self, ok: bool) -> None:
        self.switch.setEnabled(ok)
        self.toggle_action.setEnabled(ok)

    def _state(self, state: str) -> None:
        """The switch is on while a learner runs or starts; a failed one shows off (turn it on to restart)."""
        running = state in ("starting", "ready", "learning")
        self.toggle_action.setChecked(running)
        self.switch.setChecked(running)
        for w in (self.now, self.now_action):  # (the number is a setting: it can change any time)
            w.setEnabled(running)
        self.status.setStyleSheet(f"color: {LEVEL_COLOURS['poor']};" if state == "failed" else "")

    def _status(self, text: str) -> None:
        self.status.setText(text)

    def _consolidation(self, text: str) -> None:
        self.consolidation.setText(text)
