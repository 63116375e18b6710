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
    return _prf(examples, labels)


def _prf(examples: list[Example], labels: Sequence[str]) -> dict[str, Any]:
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
    """Retention, and what became of the original model's old-type entities on ``texts``.

    Returns ``{"retention", "texts", "reference", "kept", "relabelled", "lost", "changes"}``
    (``texts``: how many texts were scored); of the
    ``reference`` entities, ``kept`` are predicted with the same span and label;
    ``relabelled`` overlap an entity of a type that is not an old one (a type the user
    taught: right for ORG -> ROASTER on coffee roasters, an overreach for PERSON -> ROASTER);
    the rest are ``lost``.
    ``changes`` counts the relabellings as ``{"ORG -> ROASTER": n}``.
    """
    wanted = set(old_labels)
    examples = []
    disable = non_ner_pipes(nlp)
    kept = relabelled = total = scored = 0
    changes: dict[str, int] = {}
    for ents, pred in zip(reference, nlp.pipe(texts, batch_size=64, disable=disable)):
        scored += 1
        predicted = [(e.start_char, e.end_char, e.label_) for e in pred.ents]
        for a, b, label in ents:
            if label not in wanted:
                continue
            total += 1
            if (a, b, label) in predicted:
                kept += 1
                continue
            new = next((lab for x, y, lab in predicted if x < b and a < y and lab not in wanted), None)
            if new is not None:
                relabelled += 1
                changes[f"{label} -> {new}"] = changes.get(f"{label} -> {new}", 0) + 1
        ref = Doc(pred.vocab, words=[t.text for t in pred], spaces=[bool(t.whitespace_) for t in pred])
        spans = [ref.char_span(a, b, label=l, alignment_mode="expand") for a, b, l in ents if l in wanted]
        ref.set_ents([s for s in spans if s is not None], default="outside")
        examples.append(Example(_filtered(pred, wanted), ref))
    if not any(len(e.reference.ents) for e in examples):
        value = 1.0 if not any(len(e.predicted.ents) for e in examples) else 0.0
    else:
        value = float(Scorer.score_spans(examples, "ents", has_annotation=lambda doc: True).get("ents_f") or 0.0)
    return {"retention": value, "texts": scored, "reference": total, "kept": kept, "relabelled": relabelled,
            "lost": total - kept - relabelled, "changes": dict(sorted(changes.items(), key=lambda kv: -kv[1]))}


def describe_retention(detail: dict[str, Any] | None) -> str:
    """One sentence on what became of the original's entities (for the forgetting meter)."""
    if not detail or not detail.get("reference"):
        return ""
    n, kept, moved, lost = detail["reference"], detail["kept"], detail["relabelled"], detail["lost"]
    text = f"Of the original model's {n} entities there: {kept} kept exactly"
    if moved:
        arrow = " \u2192 "
        top = ", ".join(f"{k.replace(' -> ', arrow)} {v}" for k, v in list(detail["changes"].items())[:3])
        text += f", {moved} now one of your new types ({top})"
    text += f", {lost} lost or changed." if lost else "."
    return text
