"""Data for benchmarks: the shared real data when present, else generated text."""

from __future__ import annotations

import random
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"

_WORDS = ("the a of to and in is it that for on with as was at by this from but not or have are they "
          "sauce recipe pan oven butter garlic onion pepper salt heat minutes cook boil bake roast simmer "
          "jacket shirt shoes denim leather wool cotton fit size style wear brand store price quality").split()
_BRANDS = ["Uniqlo", "Levi's", "Patagonia", "Zara", "Red Wing", "Everlane", "Allen Edmonds", "J.Crew"]
_PEOPLE = ["Maria Lopez", "John Smith", "Aiko Tanaka", "Peter Brown"]
_PLACES = ["Chicago", "London", "Berlin", "Tokyo", "Texas"]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def generated_training(n: int = 400, *, seed: int = 0, label: str = "FASHION_BRAND"):
    """Generated annotated records: brands marked with ``label``; people and places unmarked."""
    from ..core.records import Record, Span

    rng = random.Random(seed)
    out = []
    for i in range(n):
        brand = rng.choice(_BRANDS)
        head = sentence(rng, rng.randint(4, 12))
        text = f"{head} I bought this from {brand} in {rng.choice(_PLACES)} with {rng.choice(_PEOPLE)}. " \
               f"{sentence(rng, rng.randint(4, 12))}"
        start = text.index(brand, len(head))
        out.append(Record(text=text, spans=[Span(start, start + len(brand), label)], state="accepted", line=i + 1))
    return out


def generated_raw(n: int = 400, *, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [f"{sentence(rng, rng.randint(5, 15))} {rng.choice(_PEOPLE)} moved to {rng.choice(_PLACES)} last year. "
            f"{sentence(rng, rng.randint(5, 15))}" for _ in range(n)]
