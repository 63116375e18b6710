"""Evaluation with spaCy's own scorer: per-label P/R/F, and retention of the old types.

*Retention* is the F1 of the updated model's old-type entities against the entities the
original (frozen) model finds on held-out unannotated text: 1.0 means nothing forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example

from ..errors import Msg
from . import uncertainty
from .records import Record


def non_ner_pipes(nlp: Language) -> list[str]:
    """Components that entity recognition does not need (tagger, parser, ...).

    A tok2vec or transformer that a NER listens to is kept.
    """
    ners = {name for name, pipe in nlp.pipeline if pipe.__class__.__name__ in ("EntityRecognizer", "BeamEntityRecognizer")}
    keep = set(ners)
    for name, pipe in nlp.pipeline:
        listening = set(getattr(pipe, "listening_components", None) or [])
        if listening & ners:
            keep.add(name)
        if pipe.__class__.__name__ in ("EntityRuler", "SpanRuler") and name not in keep:
            keep.add(name)
    return [name for name in nlp.pipe_names if name not in keep]


def _filtered(doc: Doc, labels: set[str] | None) -> Doc:
    if labels is None:
        return doc
    doc.set_ents([e for e in doc.ents if e.label_ in labels], default="outside")
    return doc


def score_records(nlp: Language, records: Sequence[Record], *, labels: Sequence[str]) -> dict[str, Any]:
    """Per-label and overall P/R/F of ``nlp`` on annotated records, for ``labels`` only.

    Returns ``{"ents_p", "ents_r", "ents_f", "per_type": {label: {"p", "r", "f"}}}``.
    Predicted entities of other labels are ignored (the records do not mark them).
    """
    return prf(ner_examples(nlp, records, labels=labels), labels)


def ner_examples(nlp: Language, records: Sequence[Record], *, labels: Sequence[str]) -> list[Example]:
    """``nlp``'s predictions on ``records`` against their spans, both restricted to ``labels``
    (``prf`` scores them; examples of several models can be pooled, as cross-validation does)."""
    wanted = set(labels)
    texts = [r.text for r in records]
    examples = []
    disable = non_ner_pipes(nlp)
    for record, pred in zip(records, nlp.pipe(texts, batch_size=64, disable=disable)):
        ref = Doc(pred.vocab, words=[t.text for t in pred], spaces=[bool(t.whitespace_) for t in pred])
        spans = [ref.char_span(s.start, s.end, label=s.label, alignment_mode="expand") for s in record.spans
                 if s.label in wanted]
        ref.set_ents([s for s in spans if s is not None], default="outside")
        examples.append(Example(_filtered(pred, wanted), ref))
    return examples


def prf(examples: list[Example], labels: Sequence[str]) -> dict[str, Any]:
    """spaCy's P/R/F over ``examples``, overall and for each of ``labels`` (0.0 where absent)."""
    scores = Scorer.score_spans(examples, "ents", has_annotation=lambda doc: True)
    per_type = scores.get("ents_per_type") or {}
    return {
        "ents_p": scores.get("ents_p") or 0.0,
        "ents_r": scores.get("ents_r") or 0.0,
        "ents_f": scores.get("ents_f") or 0.0,
        "per_type": {label: per_type.get(label, {"p": 0.0, "r": 0.0, "f": 0.0}) for label in labels},
    }


def mean_f(scores: dict[str, Any], labels: Sequence[str]) -> float:
    """Macro-average F over ``labels`` from a ``score_records`` result."""
    values = [scores["per_type"].get(label, {}).get("f", 0.0) for label in labels]
    return sum(values) / len(values) if values else 0.0


def teacher_entities(teacher: Language, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
    """The original model's entities on each text, as (start, end, label)."""
    disable = non_ner_pipes(teacher)
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents]
            for doc in teacher.pipe(texts, batch_size=64, disable=disable)]


def retention(nlp: Language, texts: Sequence[str], reference: Sequence[Sequence[tuple[int, int, str]]], *,
              old_labels: Sequence[str]) -> float:
    """F1 of ``nlp``'s old-type entities against the original model's entities on ``texts``."""
    return retention_detail(nlp, texts, reference, old_labels=old_labels)["retention"]


def retention_detail(nlp: Language, texts: Sequence[str], reference: Sequence[Sequence[tuple[int, int, str]]], *,
                     old_labels: Sequence[str]) -> dict[str, Any]:
    """Retention with its 95 % interval, and what became of the original model's old-type
    entities on ``texts``.

    Returns ``{"retention", "retention_low", "retention_high", "excluding_relabelled",
    "excluding_relabelled_low", "excluding_relabelled_high", "texts", "reference", "kept",
    "relabelled", "lost", "changes"}`` (``texts``: how many texts were scored); of the
    ``reference`` entities, ``kept`` are predicted with the same span and label;
    ``relabelled`` overlap an entity of a type that is not an old one (a type the user
    taught: right for ORG -> ROASTER on coffee roasters, an overreach for PERSON -> ROASTER);
    the rest are ``lost``. ``changes`` counts the relabellings as ``{"ORG -> ROASTER": n}``.
    ``excluding_relabelled`` is retention with a relabelled entity counted as kept: the
    figure that relabelling into the user's types cannot lower. The intervals are
    ``uncertainty.f1_interval`` of the per-text counts.
    """
    wanted = set(old_labels)
    disable = non_ner_pipes(nlp)
    kept = relabelled = total = scored = 0
    changes: dict[str, int] = {}
    plain: list[tuple[int, int, int]] = []  # per text: matched, predicted, reference (old types, tokens)
    taken: list[tuple[int, int, int]] = []  # the same with relabelled entities counted as kept
    for ents, pred in zip(reference, nlp.pipe(texts, batch_size=64, disable=disable)):
        scored += 1
        predicted = [(e.start_char, e.end_char, e.label_) for e in pred.ents]
        moved = 0
        for a, b, label in ents:
            if label not in wanted:
                continue
            total += 1
            if (a, b, label) in predicted:
                kept += 1
                continue
            new = next((lab for x, y, lab in predicted if x < b and a < y and lab not in wanted), None)
            if new is not None:
                moved += 1
                changes[f"{label} -> {new}"] = changes.get(f"{label} -> {new}", 0) + 1
        relabelled += moved
        ref = Doc(pred.vocab, words=[t.text for t in pred], spaces=[bool(t.whitespace_) for t in pred])
        spans = [ref.char_span(a, b, label=l, alignment_mode="expand") for a, b, l in ents if l in wanted]
        ref.set_ents([s for s in spans if s is not None], default="outside")
        gold = {(e.start, e.end, e.label_) for e in ref.ents}
        guess = {(e.start, e.end, e.label_) for e in pred.ents if e.label_ in wanted}
        matched = len(gold & guess)
        plain.append((matched, len(guess), len(gold)))
        extra = min(moved, len(gold) - matched)
        taken.append((matched + extra, len(guess) + extra, len(gold)))
    out = {"retention": _f1_of(plain)}
    out["retention_low"], out["retention_high"] = uncertainty.f1_interval(plain)
    out["excluding_relabelled"] = _f1_of(taken)
    out["excluding_relabelled_low"], out["excluding_relabelled_high"] = uncertainty.f1_interval(taken)
    return {**out, "texts": scored, "reference": total, "kept": kept, "relabelled": relabelled,
            "lost": total - kept - relabelled, "changes": dict(sorted(changes.items(), key=lambda kv: -kv[1]))}


def _f1_of(counts: Sequence[tuple[int, int, int]]) -> float:
    """Micro F1 of per-text counts: spaCy's ``ents_f`` on the same entities (its scorer
    matches (start, end, label) token spans the same way)."""
    return uncertainty.f1(*(sum(c[i] for c in counts) for i in range(3)))


GOOD, FAIR = 0.9, 0.75  # the meter: green from GOOD, amber from FAIR, red below


def retention_level(scores: dict[str, Any]) -> str | None:
    """``"good"``, ``"fair"`` or ``"poor"``: the meter's colour, from the losses only.

    It reads the retention that counts an old-type entity taken by one of the user's types
    as kept (``retention_excluding_relabelled``), so ORG -> ROASTER alone never makes it
    poor; None when no retention was measured."""
    value = scores.get("retention_excluding_relabelled", scores.get("retention"))
    if value is None:
        return None
    return "good" if value >= GOOD else "fair" if value >= FAIR else "poor"


def describe_retention(detail: dict[str, Any] | None) -> str:
    """One sentence on what became of the original's entities (for the forgetting meter):
    kept, taken by the user's new types (apart: not forgetting), lost."""
    if not detail or not detail.get("reference"):
        return ""
    moved, lost = detail["relabelled"], detail["lost"]
    top = describe_changes(detail)
    return Msg.RETENTION_FATE.format(n=detail["reference"], kept=detail["kept"],
                                     moved=Msg.RETENTION_FATE_MOVED.format(moved=moved, top=top) if moved else "",
                                     lost=Msg.RETENTION_FATE_LOST.format(lost=lost) if lost else "")


def describe_changes(detail: dict[str, Any], most: int = 3) -> str:
    """The commonest relabellings, as "ORG \u2192 ROASTER 3, PERSON \u2192 ROASTER 1"."""
    arrow = " \u2192 "
    return ", ".join(f"{k.replace(' -> ', arrow)} {v}" for k, v in list((detail.get("changes") or {}).items())[:most])
