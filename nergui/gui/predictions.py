"""Prediction preview off the GUI thread.

``PredictionWorker`` lives in its own QThread and owns its OWN ``nlp`` (loaded there; never
shared with another thread) and pattern matcher. ``Previewer`` (GUI thread) numbers each
request with a generation; a result is used only if it is for the document shown and is
the latest generation, so a stale result never lands on the wrong document.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal

from ..core.child import foreground
from ..core.records import Span
from ..errors import Msg, NerguiError


class PredictionWorker(QObject):
    sig_model = Signal(str)                    # name of the loaded model
    sig_result = Signal(int, int)              # doc id, generation; the spans wait in .results
    sig_failed = Signal(str)

    def __init__(self):
        super().__init__()
        self.nlp = None
        self.disable: list[str] = []
        self.matcher = None
        self.latest = 0  # written by the GUI thread: skip requests older than this
        self.results: dict[tuple[int, int], list[Span]] = {}  # plain Python objects, not sent through Qt
        self.lock = threading.Lock()


    def load(self, spec: str, name: str) -> None:
        from ..core.evaluate import non_ner_pipes
        from ..core.snapshot import load_for_preview

        try:
            self.nlp = load_for_preview(spec, self.nlp) if spec else None
            self.disable = non_ner_pipes(self.nlp) if self.nlp is not None else []
            self.matcher = None
            self.sig_model.emit(name)
        except NerguiError as err:
            self.nlp = None
            self.sig_failed.emit(Msg.GUI_MODEL_FAILED.format(detail=err))


    def load_patterns(self, path: str) -> None:
        from ..core.patterns import PatternMatcher, read_patterns

        if self.nlp is None:
            return
        try:
            self.matcher = PatternMatcher(self.nlp.vocab, read_patterns(path)) if path else None
        except NerguiError as err:
            self.sig_failed.emit(str(err))


    def predict(self, doc_id: int, generation: int, text: str, model: bool) -> None:
        if generation < self.latest or self.nlp is None:
            return
        if len(text) > self.nlp.max_length:  # spaCy refuses it (E088): say so, not "could not be loaded"
            self.sig_failed.emit(Msg.GUI_TOO_LONG.format(length=len(text), limit=self.nlp.max_length))
            return
        try:
            spans: list[Span] = []
            if model:
                with foreground():  # a training process waits meanwhile (nergui.core.child)
                    doc = self.nlp(text, disable=self.disable) if self.disable else self.nlp(text)
                spans = [Span(e.start_char, e.end_char, e.label_, "model") for e in doc.ents]
            else:
                doc = self.nlp.make_doc(text)
            if self.matcher is not None:  # the user's own patterns win over the model's guesses
                found = [Span(a, b, lab, "pattern") for a, b, lab in self.matcher(doc)]
                spans = [s for s in spans if not any(p.start < s.end and s.start < p.end for p in found)]
                spans = sorted(spans + found, key=lambda s: s.start)
        except Exception as err:  # never let a worker die silently
            self.sig_failed.emit(Msg.GUI_MODEL_FAILED.format(detail=err))
            return
        with self.lock:
            self.results = {(doc_id, generation): spans}
        self.sig_result.emit(doc_id, generation)


class Previewer(QObject):
    """GUI-side handle: request predictions, receive only the fresh ones."""

    sig_request = Signal(int, int, str, bool)
    sig_load = Signal(str, str)
    sig_patterns = Signal(str)
    sig_ready = Signal(int, object)   # doc id, [Span]: fresh results only
    sig_model = Signal(str)
    sig_failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.generation = 0
        self.current_doc: int | None = None
        self.model_on = True
        self.thread = QThread()
        self.thread.setObjectName("nergui-preview")
        self.worker = PredictionWorker()
        self.worker.moveToThread(self.thread)
        self.sig_request.connect(self.worker.predict)
        self.sig_load.connect(self.worker.load)
        self.sig_patterns.connect(self.worker.load_patterns)
        self.worker.sig_result.connect(self._result)
        self.worker.sig_model.connect(self.sig_model)
        self.worker.sig_failed.connect(self.sig_failed)
        self.thread.start()

    def load(self, spec: str, name: str) -> None:
        self.sig_load.emit(spec, name)

    def load_patterns(self, path: str) -> None:
        self.sig_patterns.emit(path)

    def request(self, doc_id: int | None, text: str) -> None:
        self.generation += 1
        self.current_doc = doc_id
        self.worker.latest = self.generation
        if doc_id is not None:
            self.sig_request.emit(doc_id, self.generation, text, self.model_on)

    def _result(self, doc_id: int, generation: int, spans=None) -> None:
        if spans is None:
            with self.worker.lock:
                spans = self.worker.results.pop((doc_id, generation), None)
        if spans is None:
            return
        if doc_id == self.current_doc and generation == self.generation:
            self.sig_ready.emit(doc_id, spans)

    def stop(self) -> None:
        """Disconnect, stop, wait (in that order)."""
        try:
            self.worker.sig_result.disconnect(self._result)
        except (RuntimeError, TypeError):
            pass
        self.thread.quit()
        self.thread.wait(10000)
