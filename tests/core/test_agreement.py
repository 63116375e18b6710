"""Agreement between a team's annotators (core/agreement.py, ``nergui agreement``), on both
backends, with hand-made versions whose figures are worked out by hand below."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest

from nergui import cli
from nergui.core.agreement import ALL, agreement, cohen_kappa
from nergui.core.records import Record, Span
from nergui.core.store import Project
from nergui.core.versions import PER_TASK
from nergui.errors import Msg
from tests.core.team_data import versions_project

# spaCy's multi-language tokenizer (the project has no base pipeline):
# doc 1: Acme 0-4, Widgets 5-12, hired 13-18, Jane 19-23, Doe 24-27, in 28-30, Berlin 31-37 (7 tokens)
# doc 2: Jane 0-4, met 5-8, Bob 9-12, in 13-15, Paris 16-21 (5 tokens)
TEXTS = ["Acme Widgets hired Jane Doe in Berlin", "Jane met Bob in Paris", "Paris is big"]
VERSIONS = {  # annotator: {doc: (spans, accepted)}
    "ana": {1: ([(0, 12, "ORG"), (19, 27, "PERSON"), (31, 37, "GPE")], True),
            2: ([(0, 4, "PERSON"), (9, 12, "PERSON"), (16, 21, "GPE")], True),
            3: ([(0, 5, "GPE")], True)},
    "ben": {1: ([(0, 4, "ORG"), (19, 27, "PERSON"), (31, 37, "LOC")], True),
            2: ([(0, 4, "PERSON"), (16, 21, "GPE")], True),
            3: ([(0, 5, "LOC")], False)},  # not accepted: doc 3 is not compared
    "cy": {1: ([(0, 12, "ORG"), (19, 27, "PERSON"), (31, 37, "GPE")], True)},
}


def _project(location) -> None:
    versions_project(location, TEXTS, {name: {d: (spans, "accepted" if accepted else None)
                                              for d, (spans, accepted) in docs.items()}
                                       for name, docs in VERSIONS.items()})


def test_figures_per_label_and_pair(store_backend, capsys):
    where = store_backend.location()
    _project(where)
    with Project.open(where) as p:
        result = agreement(p)
    assert result.tokenization.startswith("spaCy's multi-language tokenizer")
    rows = {(r.a, r.b, r.label): r for r in result.rows}
    assert [k for k in rows if k[:2] == ("ana", "ben")] == [
        ("ana", "ben", lab) for lab in ("GPE", "LOC", "ORG", "PERSON", ALL)]
    assert {k[:2] for k in rows} == {("ana", "ben"), ("ana", "cy"), ("ben", "cy")}

    def figures(a, b, label):
        r = rows[(a, b, label)]
        return (r.documents, r.spans_a, r.spans_b, r.tokens), (r.f1_exact, r.f1_overlap, r.kappa)

    # 12 tokens over docs 1 and 2 (doc 3: ben did not accept it)
    # ORG: ana Acme Widgets, ben Acme: exact 0; they overlap: 1; tokens n11=1 n10=1 n00=10:
    #   p_o = 11/12, p_e = 2/12*1/12 + 10/12*11/12 = 112/144, kappa = (132-112)/(144-112) = 20/32
    # PERSON: ana 3 spans, ben 2, both Jane Doe and Jane: exact 2*2/5; overlap p=2/2 r=2/3 -> 4/5;
    #   tokens n11=3 n10=1 n00=8: p_e = (4*3 + 8*9)/144 = 84/144, kappa = (132-84)/(144-84) = 48/60
    # GPE: ana Berlin Paris, ben Paris (Berlin is ben's LOC): exact 2/3; overlap p=1 r=1/2 -> 2/3;
    #   tokens as ORG's: 20/32
    # LOC: ben's Berlin alone: 0, 0; p_o = p_e = 11/12: kappa 0
    # all labels: ana 6 spans, ben 5, 3 exact matches: 6/11; overlapping: ana 4 of 6, ben 4 of 5:
    #   2*(4/5)(2/3)/(4/5+2/3) = 8/11; tags alike on 9 tokens of 12; ana: ORG 2, none 4, PERSON 4,
    #   GPE 2; ben: ORG 1, none 6, PERSON 3, LOC 1, GPE 1: p_e = (2+24+12+2)/144 = 40/144,
    #   kappa = (108-40)/(144-40) = 68/104
    expected = {
        "ORG": ((2, 1, 1, 12), (0, 1, F(20, 32))),
        "PERSON": ((2, 3, 2, 12), (F(4, 5), F(4, 5), F(48, 60))),
        "GPE": ((2, 2, 1, 12), (F(2, 3), F(2, 3), F(20, 32))),
        "LOC": ((2, 0, 1, 12), (0, 0, 0)),
        ALL: ((2, 6, 5, 12), (F(6, 11), F(8, 11), F(68, 104))),
    }
    for label, (counts, values) in expected.items():
        got_counts, got = figures("ana", "ben", label)
        assert got_counts == counts, label
        assert got == pytest.approx([float(v) for v in values], abs=1e-12), label
    # ana and cy agree on doc 1 exactly; ben and cy as ana and ben on doc 1: 1 exact match of 3 + 3
    assert figures("ana", "cy", ALL) == ((1, 3, 3, 7), pytest.approx((1.0, 1.0, 1.0)))
    assert figures("ben", "cy", ALL)[1][0] == pytest.approx(2 / 6)

    assert cli.main(["agreement", str(where), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == result.to_json()
    assert cli.main(["agreement", str(where)]) == 0
    out = capsys.readouterr().out
    assert "tokens: spaCy's multi-language tokenizer" in out and "ana / ben" in out and "0.625" in out


def test_cohen_kappa_by_hand():
    # two raters, 10 items: yes/yes 4, yes/no 1, no/yes 1, no/no 4: p_o = 0.8, p_e = 0.5, kappa 0.6
    pairs = [(1, 1)] * 4 + [(1, 0), (0, 1)] + [(0, 0)] * 4
    assert cohen_kappa(pairs) == pytest.approx(0.6, abs=1e-12)
    assert cohen_kappa([("O", "O")] * 3) is None and cohen_kappa([]) is None  # undefined


def test_no_pair_yet_says_so(store_backend, capsys):
    where = store_backend.location()
    with Project.create(where) as p:
        p.import_records([Record("Nothing here.")], path="t")
        p.set_setting(PER_TASK, "2")
        p.annotator = "ana"
        p.set_state(1, "accepted")
    assert cli.main(["agreement", str(where)]) == 0
    assert Msg.AGREEMENT_NONE in capsys.readouterr().out


def test_a_project_with_one_annotator_per_document_has_nothing_to_compare(tmp_path, capsys):
    with Project.create(tmp_path / "solo") as p:
        p.import_records([Record("Acme hired Jane.", spans=[Span(0, 4, "ORG")], state="accepted")], path="t")
    assert cli.main(["agreement", str(tmp_path / "solo"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"pairs": [], "note": Msg.ONE_VERSION_PROJECT}
    assert cli.main(["agreement", str(tmp_path / "solo")]) == 0
    assert capsys.readouterr().out.strip() == Msg.ONE_VERSION_PROJECT
