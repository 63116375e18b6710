"""Token tags (IOB1, BIO/IOB2, BIOES/BILUO and mixtures of them) read as their writers mean them.

    decoder = TagDecoder()
    spans, contradiction = decoder.decode(["B-Person", "I-Person", "O", "S-Occasion"])
    # spans == [(0, 2, "Person"), (3, 4, "Occasion")]; decoder.scheme() names what was seen

The rules, one tag at a time:

* ``B-X`` begins an X entity (closing any open one).
* ``I-X`` continues an open X entity; after ``O`` or another type it begins one (IOB1, and
  the lenient reading of a BIO file that starts an entity with I-).
* ``E-X`` / ``L-X`` ends an open X entity; with nothing open it is a one-token entity.
* ``S-X`` / ``U-X`` is a one-token entity.
* An entity still open at ``O``, at another ``B-``/``S-``, or at the sentence's end is closed there.

Only a real contradiction is refused: an end tag of one type closing an entity of another
(``B-PER E-ORG``). ``scheme()`` describes the file as read ("BIO", "IOB1", "BIOES",
"a mix of BIO and BIOES"), for the import report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TAG = re.compile(r"([BIESLU])[-_](\S+)")

#: chunk labels of CoNLL-2000/2003's third column, which look like entity tags but are not
CHUNK_LABELS = frozenset({"NP", "VP", "PP", "ADJP", "ADVP", "SBAR", "PRT", "CONJP", "INTJ", "LST", "UCP"})


def parse_tag(tag: str) -> tuple[str, str] | None:
    """``("O", "")`` or ``(prefix, label)`` with prefix one of B I E S (L and U read as E and S), or None."""
    if tag == "O":
        return "O", ""
    match = _TAG.fullmatch(tag)
    if not match:
        return None
    prefix, label = match.groups()
    return {"L": "E", "U": "S"}.get(prefix, prefix), label


def is_tag(value: str) -> bool:
    return parse_tag(value) is not None


@dataclass
class Contradiction:
    """Token ``index`` holds ``tag``, which cannot follow ``prev``."""

    index: int
    tag: str
    prev: str


@dataclass
class TagDecoder:
    """Turns tag sequences into token spans and remembers which scheme the tags followed."""

    prefixes: set[str] = field(default_factory=set)
    i_begins: int = 0        # I- tags that began an entity (IOB1)
    open_ended: int = 0      # entities closed without an E-/S- tag, in a file that has E-/S- tags
    b_singles: int = 0       # one-token entities written B-X (BIO); with E-/S- in use, a mix

    def decode(self, tags: list[str]) -> tuple[list[tuple[int, int, str]], Contradiction | None]:
        """Token spans ``(start, end_exclusive, label)`` of one sentence, or the first contradiction.

        Every tag must already pass ``parse_tag``.
        """
        spans: list[tuple[int, int, str]] = []
        open_label: str | None = None
        open_start = 0
        open_prefix = ""
        closed_by_tag = False

        def close(end: int) -> None:
            nonlocal open_label
            if open_label is not None:
                spans.append((open_start, end, open_label))
                if not closed_by_tag:
                    self._implicit_close(open_prefix, end - open_start)
            open_label = None

        for index, raw in enumerate(tags):
            prefix, label = parse_tag(raw)  # type: ignore[misc]
            self.prefixes.add(prefix)
            closed_by_tag = False
            if prefix == "O":
                close(index)
            elif prefix == "B":
                close(index)
                open_label, open_start, open_prefix = label, index, "B"
            elif prefix == "I":
                if open_label != label:
                    close(index)
                    if index == 0 or parse_tag(tags[index - 1])[1] != label:  # type: ignore[index]
                        self.i_begins += 1
                    open_label, open_start, open_prefix = label, index, "I"
            elif prefix == "E":
                if open_label is None:
                    spans.append((index, index + 1, label))
                elif open_label != label:
                    return spans, Contradiction(index, raw, tags[index - 1])
                else:
                    closed_by_tag = True
                    close(index + 1)
            else:  # S
                close(index)
                spans.append((index, index + 1, label))
        closed_by_tag = False
        close(len(tags))
        return spans, None

    def _implicit_close(self, opened_with: str, length: int) -> None:
        if opened_with == "B" and length == 1:
            self.b_singles += 1
        else:
            self.open_ended += 1

    def scheme(self) -> str:
        """What the tags seen so far were read as, in words."""
        ends = bool(self.prefixes & {"E", "S"})
        if not self.prefixes - {"O"}:
            return "no entity tags"
        if ends and (self.open_ended or self.b_singles or self.i_begins):
            return ("a mix of BIO and BIOES (each tag read as its writer means it: "
                    "B- begins, I- continues, E- ends, S- is a single token; an entity without E- ends at the next O)")
        if ends:
            return "BIOES/BILUO"
        if self.i_begins and "B" not in self.prefixes:
            return "IOB1 (I- begins an entity; B- only between two of the same type)"
        if self.i_begins:
            return "IOB1 (I- begins an entity after O or another type)"
        return "BIO (IOB2)"
