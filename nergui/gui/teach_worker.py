"""The review mode's background: candidates found ahead, and a learner fed with the decisions.

``TeachWorker`` lives in a QThread of its own with its OWN ``nlp`` (loaded there with
``snapshot.load_for_preview``; never shared with another thread, as the previewer's) and its
own connection to the project (opened there: a connection belongs to one thread). It keeps
a ``core.teach.CandidateStream`` over the project's to-do documents and answers
``fetch(n)`` with the next ``n`` candidates (``sig_candidates``), scoring more documents
when the stream runs low, so the window always holds the next candidates before they are
asked for. Decisions made in the window reach it as ``decided``/``undone`` (never asked
again, or again); new weights as ``reload(path)``: the candidates not handed out yet are
scored again by them.

``TeachLearning`` runs the warm learner (``core.learn_child.LearnerRun``: a process of its
own, so its updates never hold this process's GIL) and relays its events from a thread;
each document decided in the window is sent to it as a document of binary decisions, and
each ``Learnt`` snapshot goes to the worker.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.events import Failed, LearnerReady, Learnt
from ..errors import Msg, NerguiError, detail as error_detail

FETCH_FILLS = 6  # at most this many batches of documents scored per fetch before answering


class TeachWorker(QObject):
    sig_candidates = Signal(object, bool)  # [TeachCandidate] (the next ones; may be fewer), nothing left at all
    sig_status = Signal(object)      # {"scored": documents scored, "exhausted": bool, "model": name}
    sig_failed = Signal(str)

    def __init__(self, project_path, labels: list[str], *, seed: int = 0, annotator: str | None = None):
        super().__init__()
        self.project_path = str(project_path)
        self.annotator = annotator  # the window's (its "already decided" are this annotator's in a team's project)
        self.labels = list(labels)
        self.seed = seed
        self.nlp = None
        self.model_name = ""
        self.component: str | None = None  # the recognizer that predicts the labels (None: patterns only)
        self.patterns_path = ""
        self.matcher = None
        self.stream = None
        self.project = None

    # ---- in the worker's thread ----------------------------------------------------------------
    @Slot(str, str, str)
    def load(self, spec: str, name: str, patterns: str) -> None:
        """Load the model (and the patterns) this thread scores with; start the stream."""
        from ..core.active import new_types_component
        from ..core.snapshot import load_for_preview

        try:
            self.nlp = load_for_preview(spec, self.nlp)
            self.model_name = name
            try:
                self.component = new_types_component(self.nlp, self.labels)
            except NerguiError:
                self.component = None  # the model does not know the types yet: the patterns ask
            self._load_patterns(patterns)
            if self.stream is None:
                self._start_stream()
            else:
                self.stream.refresh()
        except NerguiError as err:
            self.sig_failed.emit(str(err))
        except Exception as err:  # never let the worker die silently
            self.sig_failed.emit(Msg.GUI_MODEL_FAILED.format(detail=error_detail(err)))
        self._status()

    def _load_patterns(self, path: str) -> None:
        from ..core.patterns import PatternMatcher, read_patterns

        self.patterns_path = path
        self.matcher = PatternMatcher(self.nlp.vocab, read_patterns(path)) if path else None

    def _start_stream(self) -> None:
        from ..core.decisions import decided_keys
        from ..core.store import Project
        from ..core.teach import CandidateStream
        from ..core.teach_setup import project_docs

        self.project = Project.open(self.project_path)
        if self.annotator:
            self.project.annotator = self.annotator
        self.stream = CandidateStream(project_docs(self.project, seed=self.seed), labels=self.labels,
                                      decided=decided_keys(self.project),
                                      again=lambda n: project_docs(self.project, seed=self.seed + n),
                                      terms=self.project.span_texts(labels=self.labels))

    @Slot(int)
    def fetch(self, n: int) -> None:
        """Hand out the next ``n`` candidates (scoring more documents if needed)."""
        if self.stream is None or self.nlp is None:
            self.sig_candidates.emit([], False)
            return
        out, fills = [], 0
        try:
            while len(out) < n:
                cand = self.stream.next()
                if cand is not None:
                    out.append(cand)
                    continue
                if self.stream.exhausted or fills >= FETCH_FILLS:
                    break
                self._fill()
                fills += 1
        except NerguiError as err:
            self.sig_failed.emit(str(err))
        except Exception as err:
            self.sig_failed.emit(Msg.GUI_MODEL_FAILED.format(detail=error_detail(err)))
        self.sig_candidates.emit(out, not out and self.stream.exhausted)
        self._status()

    def _fill(self) -> None:
        # a model that does not know the types yet (no version, the learner not ready): patterns only
        self.stream.fill(self.nlp, patterns=self.matcher, component=self.component, model=self.component is not None)

    @Slot(object, str)
    def decided(self, key, answer: str) -> None:
        if self.stream is not None:
            self.stream.mark_decided(tuple(key), answer)

    @Slot(object)
    def undone(self, key) -> None:
        if self.stream is not None:
            self.stream.unmark(tuple(key))

    @Slot(str, str)
    def reload(self, spec: str, name: str) -> None:
        """New weights (a learner's snapshot): score what is queued again with them."""
        self.load(spec, name, self.patterns_path)

    @Slot()
    def close(self) -> None:
        if self.project is not None:
            self.project.close()
            self.project = None

    def _status(self) -> None:
        s = self.stream
        self.sig_status.emit({"scored": s.scored_docs if s is not None else 0,
                              "exhausted": s is not None and s.exhausted,
                              "model": self.model_name, "asks_model": self.component is not None})


class TeachLearning(QObject):
    """The learner process for the review window: started on the project, sent every document
    decided (as binary decisions), its snapshots relayed (``sig_snapshot``)."""

    sig_snapshot = Signal(str, str)  # path, name
    sig_ready = Signal(object)       # LearnerReady
    sig_failed = Signal(str)
    sig_event = Signal(object)       # from the relay thread

    def __init__(self, project_path, labels: list[str], parent=None):
        super().__init__(parent)
        from ..core.learn_child import LearnerRun, LearnRequest
        from ..core.teach_setup import teach_learn_settings, teach_settings

        self.dir = Path(tempfile.mkdtemp(prefix="nergui-teach-"))
        self.run = LearnerRun(LearnRequest(Path(project_path), str(self.dir / "snapshots"), labels=list(labels),
                                           settings=teach_settings(), learn=teach_learn_settings()))
        self.learnt = 0
        self.sent = 0
        self.run.start()  # here, not in the relay thread: a stop right after cannot miss the process
        self.thread = QThread()
        self.thread.setObjectName("nergui-teach-learner")
        self.relay = _Relay(self.run)
        self.relay.moveToThread(self.thread)
        self.thread.started.connect(self.relay.run)
        self.relay.sig_event.connect(self._event)
        self.thread.start()

    def learn(self, record) -> None:
        self.sent += 1
        self.run.learn(record)

    def _event(self, ev) -> None:
        if isinstance(ev, Learnt):
            self.learnt += 1
            if ev.snapshot_path:
                self.sig_snapshot.emit(ev.snapshot_path, f"learnt from {self.learnt} decided documents")
        elif isinstance(ev, LearnerReady):
            self.sig_ready.emit(ev)
        elif isinstance(ev, Failed):
            self.sig_failed.emit(ev.message)

    def stop(self) -> None:
        """Close the learner (it ends with its input), then the relay thread; remove the snapshots."""
        try:
            self.relay.sig_event.disconnect(self._event)
        except (RuntimeError, TypeError):
            pass
        self.run.close(timeout=10)
        self.thread.quit()
        self.thread.wait(10000)
        shutil.rmtree(self.dir, ignore_errors=True)


class _Relay(QObject):
    """Relays the learner's events, in the relay thread (``events()`` blocks)."""

    sig_event = Signal(object)

    def __init__(self, handle):
        super().__init__()
        self.handle = handle

    @Slot()
    def run(self) -> None:
        try:
            for ev in self.handle.events():
                self.sig_event.emit(ev)
        except Exception as err:  # never leave the window waiting for a learner that cannot come
            self.handle.kill()
            self.sig_event.emit(Failed(str(err) if isinstance(err, NerguiError) else
                                       Msg.LEARN_FAILED.format(detail=error_detail(err))))
