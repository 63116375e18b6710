"""Hand-made team projects for the agreement and review tests."""

from __future__ import annotations

from nergui.core.records import Record, Span
from nergui.core.store import Project
from nergui.core.versions import PER_TASK


def versions_project(location, texts: list[str], versions: dict) -> None:
    """A team's project (two annotators per document) at ``location`` holding ``texts`` and
    each annotator's version, ``{annotator: {doc_id: ([(start, end, label)], verdict)}}``;
    a verdict of None leaves that version to do."""
    with Project.create(location) as p:
        p.import_records([Record(t) for t in texts], path="t")
        p.set_setting(PER_TASK, "2")
        for name, docs in versions.items():
            p.annotator = name
            for doc_id, (spans, verdict) in docs.items():
                p.add_spans(doc_id, [Span(a, b, lab) for a, b, lab in spans])
                if verdict is not None:
                    p.set_state(doc_id, verdict)
