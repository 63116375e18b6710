"""Charts of a run (pyqtgraph): loss over steps, and per epoch the retention and per-label F.

Also the forgetting meter: the retention of the old types as a big number and a bar.
pyqtgraph is imported when the charts are first built (soon after the window shows, on the
GUI thread), not at start-up. Never in another thread: importing it walks PySide6's modules
(``pyqtgraph.Qt``), and an import in a background thread while the GUI thread collected
garbage crashed the process (SIGSEGV, both threads in shiboken; once in the test suite).
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from ...core.evaluate import retention_level

RETENTION_COLOUR = "#2b6cd4"
LOSS_COLOUR = "#e07b39"
SMOOTHING = 0.8
REDRAW_SECONDS = 1.0


def line_colour(colour: str, dark: bool) -> QColor:
    """A label's (pastel) colour made readable as a line on the chart background."""
    c = QColor(colour)
    return c.lighter(115) if dark else c.darker(150)


def is_dark() -> bool:
    return QApplication.palette().color(QPalette.Base).lightness() < 128


class _Plot(QWidget):
    """A pyqtgraph PlotWidget that follows the application palette."""

    def __init__(self, title: str, y_label: str, x_label: str, parent=None):
        super().__init__(parent)
        import pyqtgraph as pg

        self.pg = pg
        pg.setConfigOptions(antialias=True)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setFixedHeight(170)
        self.plot.setTitle(title)
        self.plot.setLabel("left", y_label)
        self.plot.setLabel("bottom", x_label)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)
        self._retheme()

    def _retheme(self) -> None:
        pal = QApplication.palette()
        fg = pal.color(QPalette.Text)
        self.plot.setBackground(pal.color(QPalette.Base))
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(self.pg.mkPen(pal.color(QPalette.Mid)))
            axis.setTextPen(self.pg.mkPen(fg))
        title = self.plot.getPlotItem().titleLabel
        title.setText(title.text, color=fg.name(), size="9pt")
        self.retheme()

    def retheme(self) -> None:
        """Subclasses recolour their lines here."""

    def changeEvent(self, event) -> None:
        # a theme change reaches a widget as PaletteChange (Qt 6 sends ApplicationPaletteChange
        # to the application only); pyqtgraph's colours are its own, so they are set again
        if event.type() in (QEvent.ApplicationPaletteChange, QEvent.PaletteChange):
            self._retheme()
        super().changeEvent(event)


class LossChart(_Plot):
    """The loss of every step (faint) and its moving average."""

    def __init__(self, parent=None):
        super().__init__("Loss", "loss", "step", parent)
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.smooth: list[float] = []
        self._avg = 0.0
        self._drawn = 0.0
        self.raw_line = self.plot.plot([], [])
        self.avg_line = self.plot.plot([], [])
        for line in (self.raw_line, self.avg_line):  # long runs: draw at most ~ one point per pixel
            line.setDownsampling(auto=True, method="peak")
            line.setClipToView(True)
        self.retheme()

    def retheme(self) -> None:
        if not hasattr(self, "raw_line"):
            return
        c = QColor(LOSS_COLOUR)
        faint = QColor(c)
        faint.setAlpha(70)
        self.raw_line.setPen(self.pg.mkPen(faint, width=1))
        self.avg_line.setPen(self.pg.mkPen(c, width=2))

    def reset(self, total_steps: int | None = None) -> None:
        if total_steps:
            self.plot.setXRange(0, total_steps, padding=0.02)
        else:
            self.plot.enableAutoRange(axis="x")
        self.steps, self.losses, self.smooth = [], [], []
        self._avg = 0.0
        self.raw_line.setData([], [])
        self.avg_line.setData([], [])

    def add(self, points: list[tuple[int, float]]) -> None:
        if not points:
            return
        for step, loss in points:  # an exponential moving average, bias-corrected (no lag from 0)
            loss = float(loss)
            self.steps.append(step)
            self.losses.append(loss)
            self._avg = SMOOTHING * self._avg + (1 - SMOOTHING) * loss
            self.smooth.append(self._avg / (1 - SMOOTHING ** len(self.steps)))
        if time.perf_counter() - self._drawn >= REDRAW_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Draw what has arrived. Redrawing a chart is Python work on the GUI thread that
        competes with training for the GIL, so ``add`` redraws at most every REDRAW_SECONDS."""
        self._drawn = time.perf_counter()
        self.raw_line.setData(self.steps, self.losses)
        self.avg_line.setData(self.steps, self.smooth)


class EpochChart(_Plot):
    """Per epoch: the retention of the old types (thick) and each label's F on held-out documents."""

    def __init__(self, parent=None):
        super().__init__("After each epoch", "score", "epoch", parent)
        self.plot.setYRange(-0.08, 1.1, padding=0)
        self.plot.getAxis("left").setTicks([[(v / 5, f"{v / 5:.1f}") for v in range(6)]])
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.layout().addWidget(self.legend)
        self.colours: dict[str, str] = {}
        self.series: dict[str, tuple[list[int], list[float]]] = {}
        self.lines: dict = {}

    def reset(self, colours: dict[str, str], epochs: int) -> None:
        self.colours = dict(colours)
        self.series.clear()
        for line in self.lines.values():
            self.plot.removeItem(line)
        self.lines.clear()
        self.legend.setText("")
        self.plot.setXRange(1, max(2, epochs), padding=0.04)
        step = max(1, math.ceil(epochs / 10))
        self.plot.getAxis("bottom").setTicks([[(e, str(e)) for e in range(1, max(2, epochs) + 1, step)]])

    def add(self, epoch: int, scores: dict) -> None:
        """``epoch`` counts from 1; ``scores`` as the trainer reports them after an epoch."""
        values = {}
        retention = scores.get("retention_excluding_relabelled", scores.get("retention"))
        if retention is not None:  # the meter's figure: an entity taken by the user's types is kept
            values["retention"] = float(retention)
        for label, prf in (scores.get("per_type") or {}).items():
            values[f"F {label}"] = float(prf.get("f", 0.0))
        for name, value in values.items():
            xs, ys = self.series.setdefault(name, ([], []))
            xs.append(epoch)
            ys.append(value)
            if name not in self.lines:
                self.lines[name] = self.plot.plot([], [], name=name)
                self._style(name)
            self.lines[name].setData(xs, ys)
        self._legend()

    def _legend(self) -> None:
        items = []
        for name in self.lines:
            if name == "retention":
                items.append(f"<span style='color:{RETENTION_COLOUR}'>\u2501\u25cf</span> retention (old types)")
            else:
                c = line_colour(self.colours.get(name[2:], "#888888"), is_dark()).name()
                items.append(f"<span style='color:{c}'>\u2504\u25b2</span> {name} (held-out documents)")
        self.legend.setText(" &nbsp; ".join(items))

    def _style(self, name: str) -> None:
        line = self.lines[name]
        if name == "retention":
            line.setPen(self.pg.mkPen(RETENTION_COLOUR, width=3))
            line.setSymbol("o")
            line.setSymbolSize(6)
            line.setSymbolBrush(QColor(RETENTION_COLOUR))
        else:
            c = line_colour(self.colours.get(name[2:], "#888888"), is_dark())
            line.setPen(self.pg.mkPen(c, width=2, style=Qt.DashLine))
            line.setSymbol("t1")
            line.setSymbolSize(6)
            line.setSymbolBrush(c)

    def retheme(self) -> None:
        for name in getattr(self, "lines", {}):
            self._style(name)
        if getattr(self, "lines", None):
            self._legend()


# the meter's colour for each level of ``evaluate.retention_level`` (losses only)
LEVEL_COLOURS = {"good": "#2e9d4f", "fair": "#e8a33d", "poor": "#d93025"}


class RetentionMeter(QWidget):
    """The forgetting meter: how much of the old types the model still finds (1.00 = all),
    with its 95 % interval. The figure counts an old-type entity taken by one of the user's
    new types as kept, and its colour follows the losses only (``evaluate.retention_level``):
    ORG -> ROASTER alone never paints it red."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.value: float | None = None
        self.low: float | None = None
        self.high: float | None = None
        self.level: str | None = None
        self.title = QLabel("Retention of the old types")
        self.number = QLabel("\u2013")
        font = self.number.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.number.setFont(font)
        self.number.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.interval = QLabel()
        self.interval.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.interval.setToolTip("95 % interval: bootstrap over the texts it was measured on")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.note = QLabel("Measured after each epoch on held-out unannotated text, against the original model.")
        self.note.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.number)
        top.addWidget(self.interval)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(top)
        lay.addWidget(self.bar)
        lay.addWidget(self.note)
        self.set_value(None)

    def set_unavailable(self, why: str) -> None:
        self.set_value(None)
        self.number.setText("n/a")
        self.number.setStyleSheet("")
        self.bar.hide()
        self.note.setText(why)

    def set_scores(self, scores: dict) -> None:
        """Show a scorer's figures (``nergui.core.train_data.Scorer``): retention with an
        entity taken by the user's types counted as kept, its interval, its level."""
        key = "retention_excluding_relabelled" if scores.get("retention_excluding_relabelled") is not None \
            else "retention"
        self.set_value(scores.get(key), low=scores.get(f"{key}_low"), high=scores.get(f"{key}_high"),
                       level=retention_level(scores))

    def set_value(self, value: float | None, *, low: float | None = None, high: float | None = None,
                  level: str | None = None) -> None:
        self.value, self.low, self.high = value, low, high
        self.bar.show()
        if value is None:
            self.level = None
            self.number.setText("\u2013")
            self.number.setStyleSheet("")
            self.interval.setText("")
            self.bar.setValue(0)
            self.setToolTip("")
            return
        self.level = level or retention_level({"retention": value})
        self.number.setText(f"{value:.2f}")
        has_interval = low is not None and high is not None
        self.interval.setText(f"({low:.2f}\u2013{high:.2f})" if has_interval else "")
        self.bar.setValue(round(value * 1000))
        colour = LEVEL_COLOURS[self.level]
        self.number.setStyleSheet(f"color: {colour};")
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; }}")
        forgot = max(0.0, 1.0 - value)
        tip = (f"The model still finds {value:.0%} of what the original found on held-out text "
               f"(F1 against the original; an entity now one of your types counts as found); "
               f"about {forgot:.0%} forgotten.")
        if has_interval:
            tip += f" 95 % interval: {low:.2f} to {high:.2f}."
        self.setToolTip(tip)
