"""What the annotator shows of a document (nergui.core.document_view), without Qt: real
documents, a real spaCy tokenizer."""

import pytest
import spacy

from nergui.core import document_view as dv
from nergui.core.records import Span
from nergui.core.store import Document
from nergui.core.text import TokenIndex

TEXT = "Acme Widgets hired Jane Doe in Berlin."  # tokens start at 0 5 13 19 24 28 31 37


@pytest.fixture(scope="module")
def tokens():
    return TokenIndex.from_text(TEXT, spacy.blank("en").tokenizer)


def _doc(spans=(), suggestions=()):
    return Document(id=1, text=TEXT, state="todo", meta={}, spans=list(spans), suggestions=list(suggestions))


def test_with_tokens_gives_token_offsets_only_on_token_boundaries(tokens):
    assert dv.with_tokens(0, 12, "ORG", "user", tokens) == Span(0, 12, "ORG", "user", 0, 1)
    assert dv.with_tokens(31, 37, "GPE", "model", tokens) == Span(31, 37, "GPE", "model", 6, 6)
    assert dv.with_tokens(2, 9, "ORG", "user", tokens) == Span(2, 9, "ORG", "user", None, None)  # inside words
    assert dv.with_tokens(0, 12, "ORG", "user", None) == Span(0, 12, "ORG", "user", None, None)  # no tokenizer


def test_span_at_prefers_the_span_holding_the_character_then_one_ending_there():
    acme, jane = Span(0, 12, "ORG"), Span(19, 27, "PERSON")
    spans = [acme, jane]
    assert dv.span_at(spans, 0) is acme and dv.span_at(spans, 11) is acme
    assert dv.span_at(spans, 12) is acme  # just after its last letter
    assert dv.span_at(spans, 13) is None  # inside "hired"
    assert dv.span_at(spans, 19) is jane and dv.span_at(spans, 27) is jane
    touching = [Span(0, 4, "ORG"), Span(4, 12, "PRODUCT")]
    assert dv.span_at(touching, 4) is touching[1]  # inside beats ending-at
    assert dv.span_at([], 3) is None


def test_visible_suggestions_model_first_then_imported_without_rejected_or_marked():
    model = [Span(0, 12, "ORG", "model"), Span(19, 27, "PERSON", "model"), Span(31, 37, "GPE", "model")]
    imported = [Span(31, 37, "GPE", "model"),  # the same as the model's: shown once
                Span(31, 37, "LOC", "model"),  # another label at the same place: shown
                Span(13, 18, "EVENT", "model")]
    doc = _doc(spans=[Span(19, 27, "PERSON")], suggestions=imported)
    rejected = {(0, 12, "ORG")}
    shown = dv.visible_suggestions(doc, model, rejected)
    assert [(s.start, s.end, s.label) for s in shown] == [(31, 37, "GPE"), (31, 37, "LOC"), (13, 18, "EVENT")]
    assert dv.visible_suggestions(None, model, set()) == []
    assert dv.suggestion_at(doc, model, rejected, 33).label == "GPE"
    assert dv.suggestion_at(doc, model, rejected, 37).label == "GPE"  # ends right there
    assert dv.suggestion_at(doc, model, rejected, 3) is None  # rejected
    assert dv.suggestion_at(doc, model, rejected, 20) is None  # marked already


def test_accepted_keeps_model_and_makes_everything_else_pattern(tokens):
    assert dv.accepted(Span(31, 37, "GPE", "model"), tokens) == Span(31, 37, "GPE", "model", 6, 6)
    assert dv.accepted(Span(0, 12, "BRAND", "pattern"), tokens) == Span(0, 12, "BRAND", "pattern", 0, 1)
    assert dv.accepted(Span(0, 4, "BRAND", "imported"), tokens).source == "pattern"


def test_accept_all_takes_the_longest_first_skips_overlaps_and_adds_tokens(tokens):
    doc = _doc(spans=[Span(19, 27, "PERSON")])
    model = [Span(0, 4, "ORG", "model"),  # shorter, same start as the next: loses
             Span(0, 12, "ORG", "model"),
             Span(24, 27, "PERSON", "model"),  # overlaps the user's span
             Span(31, 37, "GPE", "model")]
    chosen, skipped = dv.accept_all(doc, model, {(31, 37, "GPE")}, tokens)
    assert chosen == [Span(0, 12, "ORG", "model", 0, 1)]
    assert skipped == 2
    chosen, skipped = dv.accept_all(doc, model, set(), None)
    assert chosen == [Span(0, 12, "ORG", "model"), Span(31, 37, "GPE", "model")] and skipped == 2
    assert dv.accept_all(None, model, set(), tokens) == ([], 0)


def test_at_range_finds_the_span_or_the_visible_suggestion_exactly_there():
    """What a label key on the keyboard's selection labels: the span exactly there, else the
    suggestion exactly there (the one with that label first), never one merely overlapping."""
    acme = Span(0, 12, "ORG")
    suggestions = [Span(19, 27, "PERSON", "model"), Span(19, 27, "ORG", "pattern"), Span(31, 37, "GPE", "model")]
    doc = _doc([acme])
    assert dv.at_range(doc, suggestions, set(), 0, 12) == (acme, None)
    assert dv.at_range(doc, suggestions, set(), 0, 4) == (None, None)  # inside the span: a new one (refused)
    assert dv.at_range(doc, suggestions, set(), 19, 27) == (None, suggestions[0])
    assert dv.at_range(doc, suggestions, set(), 19, 27, "ORG") == (None, suggestions[1])
    assert dv.at_range(doc, suggestions, {(31, 37, "GPE")}, 31, 37) == (None, None)  # rejected: not shown
    assert dv.at_range(None, suggestions, set(), 0, 12) == (None, None)


def test_a_suggestion_accepted_as_another_label_is_the_users(tokens):
    s = Span(31, 37, "GPE", "model")
    assert dv.accepted(s, tokens) == Span(31, 37, "GPE", "model", 6, 6)
    assert dv.accepted(s, tokens, "GPE") == Span(31, 37, "GPE", "model", 6, 6)
    assert dv.accepted(s, tokens, "CITY") == Span(31, 37, "CITY", "user", 6, 6)
