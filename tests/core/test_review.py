"""Review in a team's project (core/review.py), on both backends: the documents where the
annotators differ, a reviewer's pick or edit as the final version, agreed documents accepted
without review; training and export read the final versions only."""

from __future__ import annotations

import pytest
import srsly

from nergui.core import review, workflow
from nergui.core.records import Span
from nergui.core.store import Filter, Project
from nergui.core.versions import FINAL
from nergui.errors import Msg, ProjectError, StoreError
from tests.core.team_data import versions_project
from tests.core.test_roles import _as, team  # noqa: F401 - team: a fixture (a project and three login users)

TEXTS = ["Acme Widgets hired Jane Doe.", "Jane met Bob in Paris.", "Paris is big.", "Bob left Acme."]
VERSIONS = {  # annotator: {doc: (spans, verdict)}
    "ana": {1: ([(0, 12, "ORG"), (19, 27, "PERSON")], "accepted"),
            2: ([(0, 4, "PERSON"), (9, 12, "PERSON"), (16, 21, "GPE")], "accepted"),
            3: ([(0, 5, "GPE")], "accepted"),
            4: ([(0, 3, "PERSON")], "accepted")},
    "ben": {1: ([(0, 12, "ORG"), (19, 27, "PERSON")], "accepted"),  # as ana's: agreed
            2: ([(0, 4, "PERSON"), (16, 21, "LOC")], "accepted"),  # differs
            3: ([(0, 5, "GPE")], "todo"),  # not finished: neither agreed nor to review
            4: ([(0, 3, "PERSON")], "rejected")},  # same spans, another verdict: differs
}


def _project(location) -> None:
    versions_project(location, TEXTS, VERSIONS)


def _marks(spans) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in spans]


def test_review_settles_the_final_versions(store_backend, tmp_path):
    where = store_backend.location()
    _project(where)
    with Project.open(where) as p:
        p.annotator = "rev"
        assert review.differing(p) == [2, 4] and review.agreed(p) == [1]
        side = {v.annotator: (v.state, _marks(v.spans)) for v in review.versions_of(p, 2)}
        assert side == {"ana": ("accepted", [(0, 4, "PERSON"), (9, 12, "PERSON"), (16, 21, "GPE")]),
                        "ben": ("accepted", [(0, 4, "PERSON"), (16, 21, "LOC")])}
        assert [r.line for r in p.records(Filter(state="accepted"))] == []  # nothing final yet

        assert review.accept_agreed(p) == [1]
        review.pick(p, 4, "ben")  # ben's verdict: the document is rejected
        assert review.differing(p) == [2] and review.agreed(p) == []
        assert p.counts_by_state() == {"todo": 2, "accepted": 1, "rejected": 1, "skipped": 0}
        with pytest.raises(ProjectError, match=r"no finished version by 'cy'.*finished versions: ana, ben"):
            review.pick(p, 2, "cy")
        review.edit(p, 2, [Span(0, 4, "PERSON"), Span(9, 12, "PERSON"), Span(16, 21, "LOC")])
        assert review.reviews(p) == {1: ("ana", "agreed", "rev"), 2: (FINAL, "edited", "rev"),
                                     4: ("ben", "picked", "rev")}
        assert review.differing(p) == []
        assert p.counts_by_label(state="accepted") == {"ORG": 1, "PERSON": 3, "LOC": 1}  # final versions' spans
        assert p.counts_by_label(state=None) == {"ORG": 2, "PERSON": 9, "GPE": 3, "LOC": 2}  # every version's: ana 7, ben 6, the edit 3
        final = {r.line: (r.state, _marks(r.spans)) for r in p.records()}
        assert final == {1: ("accepted", [(0, 12, "ORG"), (19, 27, "PERSON")]),
                         2: ("accepted", [(0, 4, "PERSON"), (9, 12, "PERSON"), (16, 21, "LOC")]),
                         3: ("todo", []),  # not reviewed: no final version yet
                         4: ("rejected", [(0, 3, "PERSON")])}
        p.annotator = "ana"  # the annotators' own versions are untouched
        assert _marks(p.get_document(2).spans) == [(0, 4, "PERSON"), (9, 12, "PERSON"), (16, 21, "GPE")]

        # export and training read the final versions only
        out = tmp_path / "final.jsonl"
        assert workflow.export_project(p, out, fmt="doccano") == 2
        assert [(row["text"], sorted(map(tuple, row["label"]))) for row in srsly.read_jsonl(out)] == [
            (TEXTS[0], [(0, 12, "ORG"), (19, 27, "PERSON")]),
            (TEXTS[1], [(0, 4, "PERSON"), (9, 12, "PERSON"), (16, 21, "LOC")])]
        job = workflow.prepare_training(p, base="blank:en")
        learnt = job.trainer.data.train + job.trainer.data.dev + job.trainer.data.evaluation
        assert sorted((r.text, tuple(_marks(r.spans))) for r in learnt) == [
            (TEXTS[0], ((0, 12, "ORG"), (19, 27, "PERSON"))),
            (TEXTS[1], ((0, 4, "PERSON"), (9, 12, "PERSON"), (16, 21, "LOC")))]

        p.annotator = "rev"
        review.unpick(p, 2)  # taken back: to review again
        assert review.differing(p) == [2] and 2 not in {r.line for r in p.records(Filter(state="accepted"))}


def test_the_review_command_lists_and_accepts_the_agreed(store_backend, capsys):
    from nergui import cli

    where = store_backend.location()
    _project(where)
    assert cli.main(["review", str(where)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2 documents to review (their annotators differ): 2, 4",
        "1 document every annotator finished alike, not yet accepted"]
    assert cli.main(["review", str(where), "--accept-agreed"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == Msg.REVIEW_AGREED.format(n=1, s="")
    with Project.open(where) as p:
        assert review.reviews(p) == {1: ("ana", "agreed", p.annotator)}


def test_only_a_reviewer_settles_in_a_database(team):
    """PostgreSQL's roles: an annotator's connection cannot choose a final version; a reviewer's can."""
    from nergui import cli

    url, users = team
    for name, role in (("alice", "annotator"), ("bob", "annotator"), ("rev", "reviewer")):
        assert cli.main(["roles", url, users[name], role]) == 0
    for name, label in (("alice", "ORG"), ("bob", "PERSON")):
        with Project.open(_as(url, users[name])) as mine:
            mine.add_span(1, Span(0, 12, label))
            mine.set_state(1, "accepted")
    with Project.open(_as(url, users["alice"])) as alice:
        assert review.differing(alice) == [1]
        with pytest.raises(StoreError, match="may not do that"):
            review.pick(alice, 1, users["alice"])
        with pytest.raises(StoreError, match="may not do that"):
            review.edit(alice, 1, [Span(0, 12, "ORG")])
        assert review.reviews(alice) == {} and alice.get_document(1).spans[0].label == "ORG"
    with Project.open(_as(url, users["rev"])) as rev:
        review.edit(rev, 1, [Span(0, 4, "ORG")])
        assert [(r.state, _marks(r.spans)) for r in rev.records()] == [("accepted", [(0, 4, "ORG")])]
