"""A fixed held-out share of the accepted documents, for per-label scores after each epoch.

A document is held out when a hash of its text falls in the first ``fraction`` of the hash
range, so the same document stays held out in every run (it is never trained on, and
scores of different runs compare like with like). Small projects hold out nothing: with
fewer than ``min_docs`` accepted documents every one of them is needed for training, and
the per-label F of a handful of documents would be noise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from .records import Record

FRACTION = 0.15
MIN_DOCS = 50
RETENTION_FRACTION = 0.2  # of the unannotated texts, never rehearsed: forgetting is measured on them
RETENTION_LIMIT = 300
RETENTION_MIN_TEXTS = 50


def _unit(key: str) -> float:
    """A stable number in [0, 1) for a string."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def is_held_out(record: Record, fraction: float = FRACTION) -> bool:
    """Whether ``record`` belongs to the held-out share (stable across runs and projects)."""
    key = record.input_hash or hashlib.blake2b(record.text.encode("utf-8", "surrogatepass"),
                                               digest_size=12).hexdigest()
    return _unit(key) < fraction


def retention_split(texts: Sequence[str], *, limit: int = RETENTION_LIMIT, fraction: float = RETENTION_FRACTION,
                    min_texts: int = RETENTION_MIN_TEXTS) -> tuple[list[str], list[str]]:
    """``(rehearsal, retention)``: unannotated texts to rehearse on, and those that forgetting
    is measured on, which are never rehearsed.

    A text is for retention when a hash of it falls in the first ``fraction`` of the hash
    range (at most ``limit`` of them, the lowest hashes), so the same text is held out by
    every run and by ``nergui evaluate --raw`` on the file it came from (one function for
    all). The rest of that share is not rehearsed either. Fewer than ``min_texts`` texts
    hold nothing out (the trainer then keeps a few of its rehearsal texts for the meter).
    """
    texts = list(dict.fromkeys(texts))
    if len(texts) < min_texts:
        return texts, []
    keyed = [(_unit(t), t) for t in texts]
    held = sorted((k, t) for k, t in keyed if k < fraction)[:limit]
    return [t for k, t in keyed if k >= fraction], [t for _, t in held]


def split(records: Sequence[Record], *, fraction: float = FRACTION,
          min_docs: int = MIN_DOCS) -> tuple[list[Record], list[Record]]:
    """``(train, held_out)``. Nothing is held out below ``min_docs`` records, or if either
    side would have no spans left to learn or score."""
    records = list(records)
    if len(records) < min_docs:
        return records, []
    held = [r for r in records if is_held_out(r, fraction)]
    train = [r for r in records if not is_held_out(r, fraction)]
    if not any(r.spans for r in held) or not any(r.spans for r in train):
        return records, []
    return train, held
