"""EntityRuler-style pattern suggestions: ``{"label": L, "pattern": [token dicts] | "phrase"}``.

Token patterns run through spaCy's ``Matcher``, phrase patterns through ``PhraseMatcher``;
overlapping matches keep the longest (``spacy.util.filter_spans``). The matcher belongs
to one vocab: build it in the thread that owns the ``nlp`` it matches with.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Msg


@dataclass(frozen=True)
class Pattern:
    label: str
    pattern: object  # a list of token dicts or a phrase string


def read_patterns(path: str | os.PathLike) -> list[Pattern]:
    """Every pattern of a JSONL file. Raises InputError naming file:line for a bad line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(Msg.READ_FAILED.format(path=path, detail=err)) from None
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            label, pattern = obj["label"], obj["pattern"]
            if not isinstance(label, str) or not label or not isinstance(pattern, (str, list)):
                raise ValueError("label must be text, pattern a string or a list of token objects")
        except (ValueError, KeyError, TypeError) as err:
            raise InputError(Msg.GUI_PATTERNS_BAD.format(path=path, line=n, detail=err)) from None
        out.append(Pattern(label, pattern))
    return out


class PatternMatcher:
    """Matches a list of patterns on ``Doc``s of one vocab."""

    def __init__(self, vocab, patterns: list[Pattern]):
        from spacy.matcher import Matcher, PhraseMatcher

        self.vocab = vocab
        self.matcher = Matcher(vocab)
        self.phrases = PhraseMatcher(vocab, attr="LOWER")
        self._make_doc = None
        for i, p in enumerate(patterns):
            if isinstance(p.pattern, list):
                self.matcher.add(p.label, [p.pattern])
            else:
                self._phrase(p, i)

    def _phrase(self, p: Pattern, i: int) -> None:
        from spacy.tokens import Doc

        words = p.pattern.split()
        if words:
            self.phrases.add(p.label, [Doc(self.vocab, words=words)])

    def __call__(self, doc) -> list[tuple[int, int, str]]:
        """Returns: non-overlapping ``(start_char, end_char, label)`` matches, in order."""
        from spacy.tokens import Span as SpacySpan
        from spacy.util import filter_spans

        found = list(self.matcher(doc)) if len(self.matcher) else []  # an empty Matcher warns (W036)
        found += list(self.phrases(doc)) if len(self.phrases) else []
        spans = [SpacySpan(doc, s, e, label=m) for m, s, e in found]
        return [(s.start_char, s.end_char, s.label_) for s in sorted(filter_spans(spans), key=lambda s: s.start)]
