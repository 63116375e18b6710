"""Label edits (issue 12, a label set the user controls): each one on a real SQLite project,
and its inverse restoring the store exactly: the labels' rows (colour, key, position), every
span under its own row id, rejections, suggestions and states; random sequences of label
and span edits, undone and redone, compared after every step."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nergui.core import edits, labels
from nergui.core.labels import (AddLabel, DeleteLabel, MergeLabels, RenameLabel, SetLabelColour, SetLabelKey,
                                file_labels, leave_out, merge_counts)
from nergui.core.records import Record, Span
from nergui.core.store import Project
from nergui.errors import EditConflict, LabelError, NerguiError

TEXT = "Acme hired Jane Doe in Paris and Berlin last May for Globex."


def snapshot(project: Project) -> dict:
    """Everything a label edit could touch, as the store holds it."""
    c = project.conn
    return {
        "labels": c.execute("SELECT name, colour, shortcut, position FROM labels ORDER BY name").fetchall(),
        "spans": c.execute("SELECT id, doc_id, start, end, token_start, token_end, label, source, annotator"
                           " FROM spans ORDER BY id").fetchall(),
        "rejections": c.execute("SELECT * FROM rejections ORDER BY 1, 2, 3, 4").fetchall(),
        "suggestions": c.execute("SELECT * FROM suggestions ORDER BY 1, 2, 3, 4").fetchall(),
        "states": c.execute("SELECT id, state FROM documents ORDER BY id").fetchall(),
    }


def make(where) -> Project:
    """The test project, in a new folder under ``where`` or at a database URL."""
    project = Project.create(where if isinstance(where, str) else where / "p")
    for name in ("ORG", "PERSON", "GPE"):
        project.add_label(name)
    project.import_records([
        Record(TEXT, [Span(0, 4, "ORG", "user", 0, 0), Span(11, 19, "PERSON", "model", 2, 3),
                      Span(23, 28, "GPE")],
               rejections=[Span(33, 39, "ORG")], suggestions=[Span(53, 59, "ORG")], state="accepted"),
        Record("Globex met Acme in Paris.", [Span(0, 6, "ORG"), Span(11, 15, "ORG"), Span(19, 24, "GPE"),
                                             Span(19, 24, "ORG")]),  # two spans at one place (an old import)
    ], path="t")
    return project


@pytest.fixture
def project(store_backend):
    with make(store_backend.location()) as p:
        yield p


def undo_redo(project: Project, edit: edits.Edit) -> edits.Edit:
    """Apply ``edit``; its inverse restores the store exactly, and the inverse's inverse
    (redo) makes it again exactly. Returns the inverse of the redo."""
    before = snapshot(project)
    inverse = edit.apply(project)
    after = snapshot(project)
    assert after != before
    redo = inverse.apply(project)
    assert snapshot(project) == before
    again = redo.apply(project)
    assert snapshot(project) == after
    return again


def label_rows(project):
    return [(lab.name, lab.colour, lab.shortcut, lab.position) for lab in labels.all_labels(project)]


def test_add_a_label_gets_its_colour_the_first_free_key_and_the_last_place(project):
    DeleteLabel(name="PERSON").apply(project)  # key 2 and position 1 are free
    undo_redo(project, AddLabel(name="FASHION_BRAND"))
    assert label_rows(project)[-1] == ("FASHION_BRAND", "#b3e6a1", "2", 3)  # the palette's 4th
    AddLabel(name="DATE", shortcut=None).apply(project)
    assert label_rows(project)[-1] == ("DATE", "#bfe1d9", None, 4)  # displaCy's colour, no key
    for name, why in (("", "needs a name"), (" X", "cannot hold spaces"), ("A B", "A_B"), ("ORG", "already")):
        with pytest.raises(LabelError, match=why):
            AddLabel(name=name).apply(project)
    with pytest.raises(LabelError, match="1 to 9"):
        AddLabel(name="X", shortcut="1").apply(project)  # ORG has it
    with pytest.raises(LabelError, match="#rrggbb"):
        AddLabel(name="X", colour="red").apply(project)


def test_rename_takes_the_spans_along_and_keeps_colour_key_and_place(project):
    before = label_rows(project)
    undo_redo(project, RenameLabel(name="ORG", new="COMPANY"))
    assert label_rows(project)[0] == ("COMPANY",) + before[0][1:]
    assert project.counts_by_label(state=None) == {"COMPANY": 4, "PERSON": 1, "GPE": 2}
    assert project.rejections(1) == {(33, 39, "ORG")}  # the model's words stay the model's
    assert [s.label for s in project.get_document(1).suggestions] == ["ORG"]
    with pytest.raises(LabelError, match="already a label GPE"):
        RenameLabel(name="COMPANY", new="GPE").apply(project)
    with pytest.raises(EditConflict, match="no label ORG"):
        RenameLabel(name="ORG", new="X").apply(project)
    RenameLabel(name="COMPANY", new="company").apply(project)  # another case is another name


def test_colour_and_key(project):
    undo_redo(project, SetLabelColour(name="GPE", colour="#123456"))
    assert label_rows(project)[2][1] == "#123456"
    with pytest.raises(LabelError):
        SetLabelColour(name="GPE", colour="blue").apply(project)
    undo_redo(project, SetLabelKey(name="GPE", shortcut="1"))  # ORG had 1: the two swap
    assert [(n, k) for n, _c, k, _p in label_rows(project)] == [("ORG", "3"), ("PERSON", "2"), ("GPE", "1")]
    undo_redo(project, SetLabelKey(name="PERSON", shortcut=None))
    assert label_rows(project)[1][2] is None
    undo_redo(project, SetLabelKey(name="PERSON", shortcut="3"))  # ORG's: ORG takes PERSON's none
    assert [(n, k) for n, _c, k, _p in label_rows(project)] == [("ORG", None), ("PERSON", "3"), ("GPE", "1")]
    with pytest.raises(LabelError, match="1 to 9"):
        SetLabelKey(name="ORG", shortcut="0").apply(project)


def test_merge_moves_the_spans_and_drops_those_that_would_repeat(project):
    assert merge_counts(project, "ORG", "GPE") == (3, 1)  # Paris in document 2 is GPE and ORG
    undo_redo(project, MergeLabels(name="ORG", move_to="GPE"))
    assert project.label_names() == ["PERSON", "GPE"]
    assert [(s.start, s.end, s.label) for s in project.get_document(2).spans] == [
        (0, 6, "GPE"), (11, 15, "GPE"), (19, 24, "GPE")]
    assert project.get_document(1).spans[0] == Span(0, 4, "GPE", "user", 0, 0)  # source and tokens kept
    with pytest.raises(LabelError, match="into itself"):
        MergeLabels(name="GPE", move_to="GPE").apply(project)


def test_delete_removes_or_moves_the_spans_and_undo_puts_them_back_under_their_ids(project):
    assert labels.span_counts(project)["ORG"] == 4
    inverse = DeleteLabel(name="ORG").apply(project)
    assert len(inverse.removed) == 4 and project.counts_by_label(state=None) == {"PERSON": 1, "GPE": 2}
    inverse.apply(project)
    assert project.counts_by_label(state=None)["ORG"] == 4
    undo_redo(project, DeleteLabel(name="ORG"))
    undo_redo(project, DeleteLabel(name="PERSON", move_to="GPE"))  # ORG is gone (redone)
    assert project.get_document(1).spans[0] == Span(11, 19, "GPE", "model", 2, 3)


def test_a_batch_is_one_transaction(project):
    before = snapshot(project)
    bad = edits.Batch(1, "accept", (AddLabel(name="DATE"), edits.AddSpans(1, "x", (Span(1, 3, "DATE"),))))
    with pytest.raises(NerguiError, match="overlaps"):  # the span refused: the label is not added either
        bad.apply(project)
    assert snapshot(project) == before
    good = edits.Batch(1, "accept", (AddLabel(name="DATE"), edits.AddSpans(1, "x", (Span(40, 48, "DATE"),))))
    inverse = undo_redo(project, good)
    assert inverse.changes_labels() and good.labels() == {"DATE"}
    assert project.labels()[-1] == {"name": "DATE", "colour": "#bfe1d9", "shortcut": "4"}


def test_the_labels_of_a_file_with_their_counts_and_leaving_some_out(tmp_path, project):
    data = tmp_path / "f.jsonl"
    rows = [{"text": "Zara and Acme", "spans": [{"start": 0, "end": 4, "label": "FASHION_BRAND"},
                                                 {"start": 9, "end": 13, "label": "ORG"}]},
            {"text": "Zara again", "spans": [{"start": 0, "end": 4, "label": "FASHION_BRAND"}]},
            {"text": "nothing"}]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    found = file_labels(data)
    assert (found.counts, found.documents, found.complete) == ({"FASHION_BRAND": 2, "ORG": 1}, 3, True)
    assert list(found.counts) == ["FASHION_BRAND", "ORG"]  # most used first
    assert leave_out(project, ["ORG", "GPE"]) == 6
    assert project.label_names() == ["PERSON"] and project.counts_by_label(state=None) == {"PERSON": 1}


# ---- random sequences ------------------------------------------------------------------------------
NAMES = ["ORG", "PERSON", "GPE", "BRAND"]
WORDS = [(0, 4), (11, 19), (23, 28), (33, 39), (53, 59)]
STEP = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(NAMES)),
    st.tuples(st.just("rename"), st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES))),
    st.tuples(st.just("colour"), st.tuples(st.sampled_from(NAMES), st.sampled_from(["#000000", "#abcdef"]))),
    st.tuples(st.just("key"), st.tuples(st.sampled_from(NAMES), st.sampled_from([None, "1", "2", "5"]))),
    st.tuples(st.just("merge"), st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES))),
    st.tuples(st.just("delete"), st.tuples(st.sampled_from(NAMES), st.sampled_from([None, *NAMES]))),
    st.tuples(st.just("span"), st.tuples(st.sampled_from(WORDS), st.sampled_from(NAMES))),
    st.tuples(st.just("undo"), st.none()),
)


def _edit(kind, arg, project) -> edits.Edit:
    if kind == "add":
        return AddLabel(name=arg)
    if kind == "rename":
        return RenameLabel(name=arg[0], new=arg[1])
    if kind == "colour":
        return SetLabelColour(name=arg[0], colour=arg[1])
    if kind == "key":
        return SetLabelKey(name=arg[0], shortcut=arg[1])
    if kind == "merge":
        return MergeLabels(name=arg[0], move_to=arg[1])
    if kind == "delete":
        return DeleteLabel(name=arg[0], move_to=arg[1])
    (a, b), label = arg  # accepting a suggestion, as the session does: with its label if the project lacks it
    add = edits.AddSpans(1, "accept", (Span(a, b, label),))
    return add if label in project.label_names() else edits.Batch(1, "accept", (AddLabel(name=label), add))


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, min_size=1, max_size=20))
def test_every_inverse_restores_the_store_exactly(steps):
    with tempfile.TemporaryDirectory() as tmp, make(Path(tmp)) as project:
        _every_inverse_restores(project, steps)


def test_every_inverse_restores_the_store_exactly_on_postgres(pg_store):
    """The same on the PostgreSQL store (ids of spans put back, the NULL-id trigger, upserts):
    fewer examples, as each makes a project on the server."""

    @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(STEP, min_size=1, max_size=20))
    def check(steps):
        with make(pg_store.location()) as project:
            _every_inverse_restores(project, steps)

    check()


def _every_inverse_restores(project: Project, steps) -> None:
    """Apply the steps; after each, its inverse restores the store exactly, and redo remakes it."""
    history: list[tuple[edits.Edit, dict]] = []  # (inverse, the store before the edit)
    for kind, arg in steps:
        if kind == "undo":
            if history:
                inverse, before = history.pop()
                inverse.apply(project)
                assert snapshot(project) == before
            continue
        before = snapshot(project)
        try:
            inverse = _edit(kind, arg, project).apply(project)
        except NerguiError:
            assert snapshot(project) == before  # refused: nothing changed
            continue
        after = snapshot(project)
        redo = inverse.apply(project)
        assert snapshot(project) == before
        inverse = redo.apply(project)
        assert snapshot(project) == after
        history.append((inverse, before))
        assert project.integrity_check() == "ok"
