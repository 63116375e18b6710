"""Every saved model version with how it was trained and its scores; the current one is
marked; roll back to any of them, or to the original (base) pipeline."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ...core.pipeline import ModelStore
from ...errors import Msg, NerguiError

COLUMNS = ("Version", "Created", "F", "Retention", "Docs", "Strategy", "Rehearsal")
ORIGINAL = ""  # the row of the base pipeline: no saved version in use


def _f(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _created(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


class VersionsList(QWidget):
    sig_rolled_back = Signal(str)   # version name now current
    sig_failed = Signal(str)

    def __init__(self, models_dir: str | Path, parent=None, *, base: str | None = None):
        super().__init__(parent)
        self.store = ModelStore(models_dir)
        self.base = base or "the base pipeline"
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setMinimumHeight(90)
        self.tree.setMaximumHeight(200)
        self.rollback = QPushButton("Roll back to this version")
        self.rollback.setToolTip("Make the selected version the one in use (nothing is deleted)")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.rollback)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tree)
        lay.addLayout(row)
        self.rollback.clicked.connect(self.roll_back)
        self.tree.currentItemChanged.connect(lambda *_: self._sync())
        self.tree.itemDoubleClicked.connect(lambda *_: self.roll_back())
        self.locked = False
        self.refresh()

    def refresh(self) -> None:
        keep = self.selected()
        current = self.store.current_name()
        self.tree.clear()
        for v in reversed(self.store.versions()):
            m = v.info.get("metrics") or {}
            s = v.info.get("settings") or {}
            # F held out, else cross-validated (small projects); retention as the meter showed it
            f = _f(m.get("ents_f")) if m.get("ents_f") is not None else \
                f"{_f(m.get('cv_new_f'))} cv" if m.get("cv_new_f") is not None else ""
            kept = m.get("retention_excluding_relabelled", m.get("retention"))
            rehearsal = s.get("rehearsal")
            item = QTreeWidgetItem([
                f"{v.name} \u2713" if v.name == current else v.name, _created(v.created), f,
                _f(kept), str(m.get("documents", "")), s.get("strategy", ""),
                "" if rehearsal is None else f"{rehearsal:.0%}"])
            item.setData(0, Qt.UserRole, v.name)
            per = ", ".join(f"{k} {d.get('f', 0):.2f}" for k, d in (m.get("per_type") or {}).items())
            cv = ", ".join(f"{k} {d.get('f', 0):.2f} \u00b1 {(m.get('cv_spread') or {}).get(k, 0):.2f}"
                           for k, d in (m.get("cv_per_type") or {}).items())
            tip = [f"{v.name}{' (in use)' if v.name == current else ''}, {_created(v.created)}"]
            if per:
                tip.append(f"F per label: {per}")
            if cv:
                tip.append(f"F per label, {m.get('cv_folds')}-fold cross-validation on {m.get('cv_documents')} "
                           f"documents: {cv}")
            if kept is not None and m.get("retention") is not None and kept != m["retention"]:
                tip.append(f"retention {kept:.2f} counting entities taken by your types as kept, "
                           f"{m['retention']:.2f} counting them as lost")
            if s:
                tip.append(f"{s.get('strategy', '')}, rehearsal {s.get('rehearsal', 0):.0%}, "
                           f"{s.get('epochs', '')} epochs")
            if m.get("seconds"):
                tip.append(f"trained in {m['seconds']:.0f} s")
            for col in range(len(COLUMNS)):
                item.setToolTip(col, "\n".join(tip))
            if v.name == current:
                font = item.font(0)
                font.setBold(True)
                for col in range(len(COLUMNS)):
                    item.setFont(col, font)
            for col in (2, 3, 4, 6):  # the figures; the strategy reads as text
                item.setTextAlignment(col, Qt.AlignRight | Qt.AlignVCenter)
            self.tree.addTopLevelItem(item)
            if v.name == keep:
                self.tree.setCurrentItem(item)
        original = QTreeWidgetItem([f"original \u2713" if current is None else "original", self.base,
                                    "", "", "", "", ""])
        original.setData(0, Qt.UserRole, ORIGINAL)
        tip = (f"The pipeline the project started from ({self.base}), as it was: no training run's "
               f"weights. Roll back to it to predict with it again; no version is deleted.")
        for col in range(len(COLUMNS)):
            original.setToolTip(col, tip)
        if current is None:
            font = original.font(0)
            font.setBold(True)
            original.setFont(0, font)
        self.tree.addTopLevelItem(original)
        if keep == ORIGINAL:
            self.tree.setCurrentItem(original)
        for col in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(col)
        self._sync()

    def selected(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.UserRole) if item else None

    def set_locked(self, locked: bool) -> None:
        """No roll back while a model is being saved."""
        self.locked = locked
        self._sync()

    def roll_back(self) -> None:
        """Make the selected version (or the original pipeline) the one in use."""
        name = self.selected()
        if name is None or self.locked or name == (self.store.current_name() or ORIGINAL):
            return
        try:
            if name == ORIGINAL:
                self.store.use_original()
            else:
                self.store.set_current(name)
        except NerguiError as err:
            self.sig_failed.emit(str(err))
            return
        except OSError as err:
            self.sig_failed.emit(Msg.WRITE_FAILED.format(path=self.store.dir, detail=err.strerror or err))
            return
        self.refresh()
        self.sig_rolled_back.emit(name)

    def _sync(self) -> None:
        name = self.selected()
        self.rollback.setEnabled(name is not None and not self.locked
                                 and name != (self.store.current_name() or ORIGINAL))
