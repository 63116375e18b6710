"""Generated data for the replay annotator's tests: a small real pipeline that knows two old
types (PERSON, GPE), trained here, and documents in which a new type (FASHION_BRAND) is
marked, as rare as asked, with the old types' names around it left unmarked (as in the
fashion data)."""

from __future__ import annotations

import random
from pathlib import Path

import spacy
from spacy.training import Example

from nergui.bench.data import sentence
from nergui.core.records import Record, Span

LABEL = "FASHION_BRAND"
PEOPLE = ["Maria Lopez", "John Smith", "Aiko Tanaka", "Peter Brown", "Olga Ivanova", "Samuel Okafor"]
PLACES = ["Chicago", "London", "Berlin", "Tokyo", "Texas", "Lisbon", "Oslo"]
BRANDS = ["Uniqlo", "Patagonia", "Zara", "Everlane", "Barbour", "Filson", "Arket", "Muji", "Carhartt", "Mango"]
PATTERN_BRANDS = BRANDS[:4]  # the patterns name these; the model has to find the others itself

# a small recognizer (the default is four times wider): a test trains it in seconds
SMALL_NER = {"model": {"@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner",
                       "extra_state_tokens": False, "hidden_width": 32, "maxout_pieces": 2, "use_upper": True,
                       "nO": None,
                       "tok2vec": {"@architectures": "spacy.HashEmbedCNN.v2", "pretrained_vectors": None,
                                   "width": 48, "depth": 2, "embed_size": 1000, "window_size": 1,
                                   "maxout_pieces": 2, "subword_features": True}}}


def _old(rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    """A sentence naming a person and a place, with their offsets."""
    person, place = rng.choice(PEOPLE), rng.choice(PLACES)
    text = f"{person} moved to {place} last year."
    return text, [(0, len(person), "PERSON"), (text.index(place), text.index(place) + len(place), "GPE")]


def old_type_docs(n: int, *, seed: int = 0) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """Texts with their PERSON and GPE entities (what the base pipeline is trained on)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        head = sentence(rng, rng.randint(3, 8))
        middle, ents = _old(rng)
        text = f"{head} {middle} {sentence(rng, rng.randint(3, 8))}"
        shift = len(head) + 1
        out.append((text, [(a + shift, b + shift, label) for a, b, label in ents]))
    return out


def small_base(path: Path | None = None, *, docs: int = 150, epochs: int = 6, seed: int = 0):
    """A blank English pipeline with a small NER trained on PERSON and GPE (saved to ``path``
    if given, for a pipeline folder to pass as ``--base``)."""
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner", config=SMALL_NER)
    data = old_type_docs(docs, seed=seed)
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": ents}) for t, ents in data]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for i in range(0, len(examples), 8):
            nlp.update(examples[i:i + 8], sgd=optimizer, drop=0.2)
    assert set(ner.labels) == {"PERSON", "GPE"}
    if path is not None:
        nlp.to_disk(path)
    return nlp


def documents(n: int, *, rare: float, seed: int = 0, brands=BRANDS) -> list[Record]:
    """``n`` accepted documents; a share ``rare`` of them (spread at random) names a brand,
    marked FASHION_BRAND; every one names a person and a place, unmarked. The others talk
    about a shop without a name, so that the brand's context alone does not give it away."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        head, tail = sentence(rng, rng.randint(3, 9)), sentence(rng, rng.randint(3, 9))
        person, place = rng.choice(PEOPLE), rng.choice(PLACES)
        if rng.random() < rare:
            brand = rng.choice(brands)
            text = f"{head} I bought this from {brand} in {place} with {person}. {tail}"
            start = text.index(brand, len(head))
            spans = [Span(start, start + len(brand), LABEL)]
        else:
            text = f"{head} I bought this at a shop in {place} with {person}. {tail}"
            spans = []
        out.append(Record(text, spans, "accepted", line=i + 1))
    return out


def raw_texts(n: int, *, seed: int = 1) -> list[str]:
    """Unannotated texts of another domain, naming people and places (rehearsal, retention)."""
    return [t for t, _ in old_type_docs(n, seed=seed)]


def patterns():
    from nergui.core.patterns import Pattern

    return [Pattern(LABEL, b) for b in PATTERN_BRANDS]
