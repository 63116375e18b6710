"""What a window remembers of its project between sessions, in the app's settings under the
project's own keys (``projects.project_key``): the document list's filter, the open document
and how far its text was scrolled, the docks' places and sizes, the training settings, and
the last training run's result card.

The result card comes from the project's run log (``Project.runs``: also a run made with
``nergui train``); the figures the run had in the window (how many documents it trained on)
are kept with it when it ran here. "No training run yet" shows only when the log holds no run.

``WindowState(window).restore()`` once the window is built; ``save()`` when it closes.
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

from PySide6.QtCore import QByteArray, QPoint
from PySide6.QtGui import QTextDocument

from ..core.evaluation_sample import SOURCE as EVAL_SOURCE
from ..core.events import RunInfo, RunResult, decode, encode
from ..core.store import Filter, Project
from ..errors import Msg
from . import projects

TITLE_SETTING = "display_name"  # a project's name in the window title, instead of its folder's
FINISHED = ("kept", "discarded")
ANCHOR_SECONDS = 2.0  # the remembered scroll position holds while the window settles this long


def window_title(project: Project) -> str:
    """What the window calls the project: its display name (the demo's), else its folder's name."""
    return project.get_setting(TITLE_SETTING) or project.name


def _when(seconds: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds or time.time()))


def result_from_run(run: dict[str, Any]) -> RunResult:
    """A run of the project's log as the result card shows it. The log has no counts of the
    texts trained on; the card's summary says what it has instead (``run_summary``)."""
    m, st = run["metrics"], run.get("settings") or {}
    base = str(st.get("base") or "")
    info = RunInfo(labels=list(m.get("labels") or []), old_labels=[] if base.startswith("blank:") else [base],
                   n_train=0, n_dev=int(m.get("documents_scored") or 0), n_rehearsal=0,
                   n_retention=int(m.get("retention_texts") or 0), strategy=str(st.get("strategy") or "new-component"),
                   epochs=int(st.get("epochs") or 0), total_steps=0, run_id=run["id"],
                   dev_source=str(m.get("dev_source") or ""))
    seconds = m.get("seconds") or max(0.0, (run.get("finished") or 0) - (run.get("started") or 0))
    return RunResult(metrics=m, seconds=float(seconds), info=info)


def run_summary(result: RunResult) -> str:
    info = result.info
    scored = (f"{info.n_dev:,} evaluation documents never trained on" if info.n_dev and info.dev_source == EVAL_SOURCE
              else f"{info.n_dev:,} documents held out for scores" if info.n_dev else
              f"{result.metrics['cv_documents']:,} documents cross-validated" if result.metrics.get("cv_documents")
              else "no documents held out")
    return Msg.GUI_LAST_RUN_SUMMARY.format(epochs=info.epochs, scored=scored,
                                           strategy="own component" if info.strategy == "new-component" else "in place")


def line_top(document: QTextDocument, position: int) -> int:
    """Where the line holding ``position`` begins, in the document's pixels (the scroll value
    that shows it at the top). Laid out up to there first: a long text is laid out in pieces."""
    position = max(0, min(position, document.characterCount() - 1))
    block = document.findBlock(position)
    rect = document.documentLayout().blockBoundingRect(block)  # lays the text out up to this block
    line = block.layout().lineForTextPosition(position - block.position()) if block.layout() else None
    return round(rect.top() + (line.y() if line is not None and line.isValid() else 0))


def top_position(view) -> int:
    """The first character shown at the top of ``view`` (laid out in full first: a position
    read from a text laid out in part is wrong)."""
    document = view.document()
    document.documentLayout().blockBoundingRect(document.lastBlock())
    return view.cursorForPosition(QPoint(0, 0)).position()


class WindowState:
    def __init__(self, window):
        self.w = window
        self.settings = window.settings
        self.project: Project = window.session.project
        self._scroll_pending: tuple[int, int] | None = None
        window.training.runner.sig_event.connect(self._run_event)

    def key(self, name: str) -> str:
        return projects.project_key(self.project.path, name)

    def _json(self, name: str) -> Any:
        try:
            return json.loads(str(self.settings.value(self.key(name)) or "null"))
        except ValueError:
            return None

    # ---- restore ---------------------------------------------------------------------------
    def restore(self) -> None:
        """Everything remembered, in an order that shows the right document once."""
        layout = self.settings.value(self.key("layout"))
        if isinstance(layout, (QByteArray, bytes)):
            self.w.restoreState(QByteArray(layout))
        self.restore_filter()
        self.restore_document()
        self.restore_training()
        self.restore_result()

    def restore_filter(self) -> None:
        saved = self._json("filter") or {}
        docs = self.w.docs
        for box, value in ((docs.state, saved.get("state")), (docs.label, saved.get("label"))):
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(value)))
            box.blockSignals(False)
        docs.search.blockSignals(True)
        docs.search.setText(str(saved.get("search") or ""))
        docs.search.blockSignals(False)
        flt = Filter(state=docs.state.currentData(), label=docs.label.currentData(),
                     search=docs.search.text().strip() or None)
        if flt != docs.model.filter:
            docs.model.set_filter(flt)
            docs.update_counts()

    def restore_document(self) -> None:
        """The document open when the project was last closed (else the first one shown), and
        its scroll position once its text is laid out."""
        docs = self.w.docs
        last = self.settings.value(self.w._doc_key)
        row = docs.model.row_of(int(last)) if str(last or "").isdigit() else -1
        docs.go_to_row(max(row, 0))
        saved = self._json("scroll") or {}
        doc = self.w.session.doc
        if doc is not None and saved.get("doc") == doc.id and saved.get("top"):
            self._scroll_pending = (doc.id, int(saved["top"]))
            self._anchored_width = -1
            self._anchor_until = time.monotonic() + ANCHOR_SECONDS
            self.w.view.sig_painted.connect(self._keep_scroll)

    def _keep_scroll(self) -> None:
        """Scroll so that the remembered first visible character is at the top, once the text
        is painted (its lines' width known), and again whenever that width changes while the
        window settles (docks restored, geometry fitted to the screen): ``ANCHOR_SECONDS``."""
        view, doc = self.w.view, self.w.session.doc
        pending = self._scroll_pending
        if (pending is None or doc is None or doc.id != pending[0] or time.monotonic() > self._anchor_until):
            self._scroll_pending = None
            self.w.view.sig_painted.disconnect(self._keep_scroll)
            return
        width = view.viewport().width()
        if width == self._anchored_width:
            return
        self._anchored_width = width
        view.verticalScrollBar().setValue(line_top(view.document(), pending[1]))

    def restore_training(self) -> None:
        saved = self._json("training")
        if not isinstance(saved, dict):
            return
        form = self.w.training.form
        if saved.get("strategy") in form.strategy_buttons:
            form.strategy_buttons[saved["strategy"]].setChecked(True)
        numbers = {"rehearsal": (form.slider, lambda v: round(v * 100)), "epochs": (form.epochs, round),
                   "batch_size": (form.batch_size, round), "dropout": (form.dropout, float),
                   "auto_n": (form.auto_n, round)}
        for name, (widget, convert) in numbers.items():
            if isinstance(saved.get(name), (int, float)) and not isinstance(saved[name], bool):
                widget.setValue(convert(saved[name]))  # the widget keeps it in its range
        for name, box in (("cross_validate", form.cross_validate), ("auto", form.auto),
                          ("advanced", form.advanced_toggle)):
            if isinstance(saved.get(name), bool):
                box.setChecked(saved[name])

    def restore_result(self) -> None:
        """The last finished run's result card (none: the panel says "No training run yet")."""
        runs = [r for r in self.project.runs() if r["status"] in FINISHED and r["metrics"]
                and "error" not in r["metrics"]]
        if not runs:
            return
        run = runs[-1]
        stored = self._stored_result()
        exact = stored is not None and stored.info.run_id == run["id"]
        result = stored if exact else result_from_run(run)
        panel = self.w.training
        panel.card.show_result(result, waiting=False)
        if not exact:
            panel.card.summary.setText(run_summary(result))
        when = _when(run.get("finished"))
        panel.card.show_decided(Msg.GUI_LAST_RUN_KEPT.format(when=when, version=run["model_version"])
                                if run["status"] == "kept" else Msg.GUI_LAST_RUN_DISCARDED.format(when=when))
        panel.bar.setValue(panel.bar.maximum())
        from .training.result_card import duration

        panel.detail.setText(Msg.GUI_LAST_RUN_DETAIL.format(when=when, epochs=result.info.epochs,
                                                            seconds=duration(result.seconds)))
        panel.progress_box.show()  # the panel then says nothing of "no training run yet"

    def _stored_result(self) -> RunResult | None:
        raw = self.settings.value(self.key("last_result"))
        try:
            result = decode(str(raw)) if raw else None
        except (ValueError, KeyError, TypeError):
            return None
        return result if isinstance(result, RunResult) else None

    def _run_event(self, ev) -> None:
        """Keep a finished run's result as the window had it (its counts are not in the log)."""
        if isinstance(ev, RunResult) and ev.info.run_id is not None:
            kept = dataclasses.replace(ev, history=[])
            self.settings.setValue(self.key("last_result"), encode(kept).decode("utf-8"))

    # ---- save ------------------------------------------------------------------------------
    def save(self) -> None:
        w, docs = self.w, self.w.docs
        s = self.settings
        s.setValue(self.key("layout"), w.saveState())
        flt = docs.model.filter
        s.setValue(self.key("filter"), json.dumps({"state": flt.state, "label": flt.label, "search": flt.search}))
        doc = w.session.doc
        if doc is not None:
            top = top_position(w.view)
            s.setValue(self.key("scroll"), json.dumps({"doc": doc.id, "top": top}))
        form = w.training.form
        st = form.settings()
        s.setValue(self.key("training"), json.dumps({
            "strategy": st.strategy, "rehearsal": st.rehearsal, "epochs": st.epochs, "batch_size": st.batch_size,
            "dropout": st.dropout, "cross_validate": st.cross_validate, "auto": form.auto.isChecked(),
            "auto_n": form.auto_n.value(), "advanced": form.advanced_toggle.isChecked()}))
