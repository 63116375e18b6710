"""CoNLL-2003-style columns: the token in the first column, the NER tag in the last.

A blank line ends a sentence; a "-DOCSTART-" line starts a new document. By default
(``per_sentence=False``) a document is everything between two -DOCSTART- lines, or each
blank-line block if the file has no -DOCSTART- at all; ``per_sentence=True`` makes every
blank-line block a document. The text is the tokens joined by single spaces.

Tags may be IOB1, BIO/IOB2 or BILUO (S- and E- are read as U- and L-). A document that
uses any L-/U-/S-/E- tag is checked strictly as BILUO; otherwise spaCy's ``iob_to_biluo``
reads it, which accepts both IOB1 and IOB2. Documents are "accepted";
Record.line is the line of the document's first token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.tokens import Doc
from spacy.training import biluo_tags_to_spans, biluo_to_iob, iob_to_biluo, offsets_to_biluo_tags
from spacy.vocab import Vocab

from ...errors import Msg
from ..records import Problem, Record, Span
from ._common import iter_lines, keep_labels, problem, validate_spans, write_lines
from .docbin import aligned_ents, default_nlp

_TAG = re.compile(r"([BIESLU])-(\S+)")
_ALIASES = {"S": "U", "E": "L"}
DOCSTART = "-DOCSTART-"


@dataclass
class _Sentence:
    lines: list[int] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # normalised: O, B-X, I-X, L-X, U-X
    problems: list[Problem] = field(default_factory=list)


def _parse_tag(tag: str) -> str | None:
    if tag == "O":
        return "O"
    match = _TAG.fullmatch(tag)
    if not match:
        return None
    prefix, label = match.groups()
    return f"{_ALIASES.get(prefix, prefix)}-{label}"


def _sentences(path: Path, shown: str) -> Iterator[tuple[bool, _Sentence]]:
    """``(starts_document, sentence)`` for every blank-line block; ``starts_document`` is
    True for the first sentence after a -DOCSTART- line."""
    current = _Sentence()
    after_docstart = False
    for number, line in iter_lines(path, shown):
        columns = line.split()
        if not columns or columns[0] == DOCSTART:
            if current.lines or current.problems:
                yield after_docstart, current
                after_docstart = False
                current = _Sentence()
            if columns:
                after_docstart = True
            continue
        if len(columns) < 2:
            current.problems.append(problem(shown, number, Msg.CONLL_COLUMNS, found=line.strip()))
            current.lines.append(number)
            continue
        tag = _parse_tag(columns[-1])
        if tag is None:
            current.problems.append(problem(shown, number, Msg.CONLL_TAG, tag=columns[-1]))
            tag = "O"
        current.lines.append(number)
        current.tokens.append(columns[0])
        current.tags.append(tag)
    if current.lines or current.problems:
        yield after_docstart, current


def _has_docstart(path: Path, shown: str) -> bool:
    return any(line.split()[:1] == [DOCSTART] for _, line in iter_lines(path, shown))


def _documents(path: Path, shown: str, per_sentence: bool) -> Iterator[list[_Sentence]]:
    by_docstart = not per_sentence and _has_docstart(path, shown)
    document: list[_Sentence] = []
    for starts_document, sentence in _sentences(path, shown):
        if document and (not by_docstart or starts_document):
            yield document
            document = []
        document.append(sentence)
    if document:
        yield document


def _check_biluo(shown: str, sentence: _Sentence) -> list[Problem]:
    """Problems for a BILUO tag sequence that does not open and close entities properly."""
    problems: list[Problem] = []
    inside: str | None = None  # label of the open entity
    prev = "O"
    for number, tag in zip(sentence.lines, sentence.tags):
        prefix, label = (tag.split("-", 1) + [""])[:2]
        continues = prefix in ("I", "L")
        if (continues and inside != label) or (not continues and inside is not None):
            problems.append(problem(shown, number, Msg.CONLL_SEQUENCE, tag=tag, prev=prev))
            return problems
        inside = label if prefix in ("B", "I") else None
        prev = tag
    if inside is not None:
        problems.append(problem(shown, sentence.lines[-1], Msg.CONLL_UNFINISHED, tag=prev, label=inside))
    return problems


def _to_biluo(tags: list[str], strict: bool) -> list[str]:
    return list(tags) if strict else iob_to_biluo(tags)


def _document_record(shown: str, sentences: list[_Sentence], vocab: Vocab) -> Record | list[Problem]:
    problems = [p for s in sentences for p in s.problems]
    if problems:
        return problems
    strict = any(t[0] in "LU" for s in sentences for t in s.tags)
    tokens: list[str] = []
    biluo: list[str] = []
    for sentence in sentences:
        if strict:
            problems.extend(_check_biluo(shown, sentence))
        tokens.extend(sentence.tokens)
        biluo.extend(_to_biluo(sentence.tags, strict))
    if problems:
        return problems
    line = sentences[0].lines[0]
    doc = Doc(vocab, words=tokens, spaces=[True] * (len(tokens) - 1) + [False])
    raw = [
        {"start": s.start_char, "end": s.end_char, "label": s.label_}
        for s in biluo_tags_to_spans(doc, biluo)
    ]
    spans, problems = validate_spans(shown, line, doc.text, raw)
    if problems:
        return problems
    return Record(text=doc.text, spans=spans, state="accepted", line=line)


def read(
    path: Path, shown: str | None = None, *, per_sentence: bool = False, **options: Any
) -> Iterator[Record | Problem]:
    """Yield a Record per document and the Problems of each bad document (which is skipped)."""
    shown = str(path) if shown is None else shown
    vocab = Vocab()
    for sentences in _documents(Path(path), shown, per_sentence):
        result = _document_record(shown, sentences, vocab)
        if isinstance(result, Record):
            yield result
        else:
            yield from result


def token_tags(doc: Any, spans: Iterable[Span]) -> list[tuple[str, str]]:
    """``(token, BIO tag)`` pairs for a tokenised doc; whitespace tokens are left out and a
    token holding whitespace is split at it (the pieces after the first continue its tag)."""
    ents = aligned_ents(doc, spans)
    tags = biluo_to_iob(offsets_to_biluo_tags(doc, [(e.start_char, e.end_char, e.label_) for e in ents]))
    pairs: list[tuple[str, str]] = []
    for token, tag in zip(doc, tags):
        pieces = token.text.split()
        for i, piece in enumerate(pieces):
            if i == 0 or tag == "O":
                pairs.append((piece, tag))
            else:
                pairs.append((piece, "I-" + tag[2:]))
    return pairs


def write(
    path: Path, records: Iterable[Record], *, labels: Iterable[str], nlp: Any = None, **options: Any
) -> int:
    """Write "token TAG" lines in BIO, a blank line between documents.

    Texts are tokenised with ``nlp`` (default ``spacy.blank("en")``) and spans are widened to
    token boundaries. Spans whose label is not in ``labels`` are left out, as are documents
    without any token. Returns the number of documents written.
    """
    nlp = nlp or default_nlp()
    labels = list(labels)
    count = 0

    def lines() -> Iterator[str]:
        nonlocal count
        for record in records:
            pairs = token_tags(nlp.tokenizer(record.text), keep_labels(record.spans, labels))  # no max_length
            if not pairs:
                continue
            if count:
                yield ""
            count += 1
            for token, tag in pairs:
                yield f"{token} {tag}"

    write_lines(Path(path), lines())
    return count
