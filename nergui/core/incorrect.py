"""Binary decisions as training examples: accepted spans entities, rejected ones spaCy's
"incorrect spans", every other token missing.

spaCy's entity recognizer learns from negative information through its
``incorrect_spans_key`` setting: the spans of ``reference.spans[key]`` are known *not* to be
entities of their label, and the oracle makes any action sequence that would predict one of
them costly (``BiluoPushDown``'s ``neg_key``; the greedy ``ner`` and ``beam_ner`` alike).
The key is read from the component's config when it is built, so the recognizers nergui
trains get it where they are made (``Trainer._build``: the new component ``ner_new``, a
recognizer added to a pipeline without one, the in-place one) through
``give_incorrect_key``, which sets it in the three places spaCy keeps it: the pipeline's
config of the component (written to ``config.cfg`` on save, so a saved version loads with
it), the component's ``cfg`` and its transition system's ``cfg``. A version saved before
(without the key) loads as it is; the learner, which copies such a version's weights (and
with them its ``cfg``), sets the key again.

A token of a binary document is missing unless a decision says otherwise: a document of
yes/no answers says nothing about the words no candidate covered (Prodigy's ``ner.teach``
trains the same way). No Qt.
"""

from __future__ import annotations

from collections.abc import Collection

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from .records import Record

INCORRECT_KEY = "nergui_incorrect"


def give_incorrect_key(nlp: Language, name: str, key: str = INCORRECT_KEY) -> None:
    """Make the recognizer ``name`` of ``nlp`` learn from ``reference.spans[key]``: in the
    pipeline's config of it (saved with the pipeline), its ``cfg`` and its moves'."""
    pipe = nlp.get_pipe(name)
    nlp.get_pipe_config(name)["incorrect_spans_key"] = key
    pipe.cfg["incorrect_spans_key"] = key
    pipe.moves.cfg["neg_key"] = key


def has_incorrect_key(nlp: Language, name: str, key: str = INCORRECT_KEY) -> bool:
    """Whether the recognizer ``name`` learns from the incorrect spans under ``key``."""
    pipe = nlp.get_pipe(name)
    return pipe.moves.neg_key == key and pipe.cfg.get("incorrect_spans_key") == key


def binary_example(nlp: Language, record: Record, labels: Collection[str], key: str = INCORRECT_KEY) -> Example:
    """A document of binary decisions as an ``Example``: its spans of ``labels`` are entities
    (an overlapping later one is dropped), its rejections of ``labels`` go to
    ``reference.spans[key]`` (one that names exactly an accepted entity is dropped: spaCy
    refuses the contradiction), and every other token is missing."""
    doc = nlp.make_doc(record.text)
    ref = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    ents, taken = [], set()
    for s in sorted(record.spans, key=lambda s: (s.start, s.end)):
        span = ref.char_span(s.start, s.end, label=s.label, alignment_mode="expand") if s.label in labels else None
        if span is not None and not taken & set(range(span.start, span.end)):
            ents.append(span)
            taken |= set(range(span.start, span.end))
    ref.set_ents(ents, default="missing")
    accepted = {(e.start, e.end, e.label_) for e in ents}
    negative, seen = [], set()
    for s in record.rejections:
        span = ref.char_span(s.start, s.end, label=s.label, alignment_mode="expand") if s.label in labels else None
        if span is not None and (span.start, span.end, span.label_) not in accepted | seen:
            negative.append(span)
            seen.add((span.start, span.end, span.label_))
    ref.spans[key] = negative
    return Example(doc, ref)
