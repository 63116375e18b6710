"""``Edit.patch`` changes a document in memory exactly as ``Edit.apply`` changed the store.

The window patches the shown document after each edit, undo and redo instead of reading it
back (a 1,000-span document took 10 ms to read), so the two must never disagree: random
sequences of edits, undos and redos on a real SQLite project, compared after every step.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nergui.core import edits
from nergui.core.records import Record, Span
from nergui.core.store import Project
from nergui.errors import NerguiError

TEXT = "Acme hired Jane Doe in Paris and Berlin last May for Globex."
# few places, some overlapping, so that steps often meet the same span
WORDS = [(0, 4), (11, 15), (11, 19), (16, 19), (23, 28)]
LABELS = ["ORG", "PERSON", "GPE"]

STEP = st.one_of(
    st.tuples(st.just("add"), st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(LABELS)), min_size=1,
                                       max_size=3)),
    st.tuples(st.just("remove"), st.sampled_from(WORDS)),
    st.tuples(st.just("relabel"), st.tuples(st.sampled_from(WORDS), st.sampled_from(LABELS))),
    st.tuples(st.just("replace"), st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS))),
    st.tuples(st.just("state"), st.sampled_from(["todo", "accepted", "rejected", "skipped"])),
    st.tuples(st.just("reject"), st.tuples(st.sampled_from(WORDS), st.sampled_from(LABELS), st.booleans())),
    st.tuples(st.just("undo"), st.none()),
)


def _edit(kind, arg, doc) -> edits.Edit | None:
    if kind == "add":
        return edits.AddSpans(1, "add", tuple(Span(a, b, lab, "model", a, b) for (a, b), lab in arg))
    if kind == "remove":
        match = [s for s in doc.spans if (s.start, s.end) == arg]
        return edits.RemoveSpans(1, "remove", tuple(match)) if match else None
    if kind == "relabel":
        (a, b), lab = arg
        return edits.Relabel(1, "relabel", a, b, lab)
    if kind == "replace":
        old = next((s for s in doc.spans if (s.start, s.end) == arg[0]), None)
        return edits.ReplaceSpan(1, "replace", old, Span(*arg[1], "ORG")) if old else None
    if kind == "state":
        return edits.SetState(1, "state", arg)
    (a, b), lab, on = arg
    return edits.Reject(1, "reject", a, b, lab, on)


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, min_size=1, max_size=25))
def test_patch_matches_the_store(steps):
    with tempfile.TemporaryDirectory() as tmp, Project.create(Path(tmp) / "p") as project:
        _patch_matches(project, steps)


def test_patch_matches_the_store_on_postgres(pg_store):
    """The same on the PostgreSQL store, with fewer examples (each makes a project on the server)."""

    @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(STEP, min_size=1, max_size=25))
    def check(steps):
        with Project.create(pg_store.location()) as project:
            _patch_matches(project, steps)

    check()


def _patch_matches(project: Project, steps) -> None:
    """Apply the steps; after each, the document patched in memory is the one the store holds."""
    project.import_records([Record(TEXT, [Span(0, 4, "ORG")])], path="t")
    doc = project.get_document(1)
    rejected = project.rejections(1)
    undo: list[edits.Edit] = []
    for kind, arg in steps:
        edit = undo.pop() if kind == "undo" and undo else _edit(kind, arg, doc) if kind != "undo" else None
        if edit is None:
            continue
        try:
            inverse = edit.apply(project)
        except NerguiError:
            continue  # refused (an overlap, a span that is not there): nothing changed, nothing to patch
        if kind != "undo":
            undo.append(inverse)
        edit.patch(doc, rejected)
        stored = project.get_document(1)
        assert (doc.spans, doc.state) == (stored.spans, stored.state)
        assert rejected == project.rejections(1)
