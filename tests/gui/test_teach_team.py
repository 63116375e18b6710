"""The review mode's background in a team's project: the candidates already decided, never
asked again, are those of the window's annotator (its name, not the login the worker's own
connection would default to). A real SQLite project, a real QObject worker."""

from __future__ import annotations

from nergui.core.decisions import Decide
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.core.versions import PER_TASK
from nergui.gui.teach_worker import TeachWorker

TEXT = "Acme Widgets hired Jane Doe in Berlin."


def test_the_worker_skips_what_this_annotator_decided(tmp_path, qapp, monkeypatch):
    monkeypatch.setenv("NERGUI_ANNOTATOR", "someone-else")
    where = tmp_path / "team"
    with Project.create(where) as p:
        p.add_label("ORG")
        p.import_records([Record(TEXT)], path="t")
        p.set_setting(PER_TASK, "2")
        p.annotator = "ana"
        Decide(1, "", 0, 12, "ORG", "reject").apply(p)
    seen = {}
    for name in ("ana", "ben"):
        worker = TeachWorker(where, ["ORG"], annotator=name)
        worker._start_stream()  # what ``load`` does in the worker's thread, here in this one
        try:
            seen[name] = (worker.project.annotator, worker.stream.decided)
        finally:
            worker.project.close()
    assert seen == {"ana": ("ana", {(1, 0, 12, "ORG")}), "ben": ("ben", set())}
