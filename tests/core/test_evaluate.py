"""Retention and what became of the original model's entities, on a pipeline whose
predictions the test sets (an entity ruler), against reference entities given by hand."""

import pytest
import spacy

from nergui.core import evaluate

TEXTS = ["Harbor Lane Roasters opened a shop in Paris.", "Tim Cook met Jane at noon."]
REFERENCE = [[(0, 20, "ORG"), (38, 43, "GPE")], [(0, 8, "PERSON"), (13, 17, "PERSON"), (21, 25, "TIME")]]
OLD = ["ORG", "GPE", "PERSON"]  # TIME is not an old type here: ignored


def _model(patterns):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    return nlp


def test_kept_relabelled_and_lost_are_told_apart():
    nlp = _model([{"label": "ROASTER", "pattern": "Harbor Lane Roasters"}, {"label": "GPE", "pattern": "Paris"},
                  {"label": "PERSON", "pattern": [{"LOWER": "tim"}, {"LOWER": "cook"}]}])
    detail = evaluate.retention_detail(nlp, TEXTS, REFERENCE, old_labels=OLD)
    assert {k: detail[k] for k in ("reference", "kept", "relabelled", "lost")} == \
        {"reference": 4, "kept": 2, "relabelled": 1, "lost": 1}
    assert detail["changes"] == {"ORG -> ROASTER": 1}
    # the headline number is unchanged: F1 of old-type entities (P 2/2, R 2/4)
    assert detail["retention"] == pytest.approx(2 / 3)
    assert evaluate.retention(nlp, TEXTS, REFERENCE, old_labels=OLD) == detail["retention"]
    text = evaluate.describe_retention(detail)
    assert "4 entities" in text and "2 kept" in text and "ORG \u2192 ROASTER 1" in text and "1 lost" in text


def test_a_wrong_old_label_is_lost_not_relabelled():
    nlp = _model([{"label": "GPE", "pattern": "Harbor Lane Roasters"}])  # an old type, but the wrong one
    detail = evaluate.retention_detail(nlp, TEXTS[:1], REFERENCE[:1], old_labels=OLD)
    assert (detail["kept"], detail["relabelled"], detail["lost"]) == (0, 0, 2)


def test_nothing_to_compare_says_nothing():
    assert evaluate.describe_retention(None) == ""
    assert evaluate.describe_retention({"reference": 0, "kept": 0, "relabelled": 0, "lost": 0, "changes": {}}) == ""
