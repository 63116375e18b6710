"""Token-and-tag column files: CoNLL-2002/2003, WNUT, GermEval, flair, doccano's CoNLL upload.

One token per line; a blank line ends a sentence; a "-DOCSTART-" line starts a new
document. By default (``per_sentence=False``) a document is everything between two
-DOCSTART- lines, or each blank-line block if the file has no -DOCSTART- at all;
``per_sentence=True`` makes every blank-line block a document. The text is the tokens
joined by single spaces.

Which column holds the token and which the tag is found from the content
(``sniff_columns``): an index column (GermEval) is skipped, a chunk column (CoNLL-2003's
B-NP) is not taken for the entity tags, and of two tag columns (GermEval's outer and
nested entities) the first is used, since entity spans may not overlap. ``columns=(token,
tag)`` (0-based) chooses them by hand. Without either, the token is the first column and
the tag the last. Columns are split at tabs when every line has one, else at whitespace.
A line starting with "#" that is not a token line is a comment (GermEval's source lines,
CoNLL-U's ``# sent_id``) and skipped.

Tags are read by ``tags.TagDecoder``: IOB1, BIO, BIOES/BILUO and mixtures, as their
writers mean them; the scheme it saw goes into ``notes``. Documents are "accepted";
Record.line is the line of the document's first token.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.training import biluo_to_iob, offsets_to_biluo_tags

from ...errors import Msg
from ..records import Problem, Record, Span
from ._common import iter_lines, keep_labels, problem, validate_spans, write_lines
from .docbin import aligned_ents, default_nlp
from .tags import CHUNK_LABELS, TagDecoder, is_tag, parse_tag

DOCSTART = "-DOCSTART-"
SNIFF_LINES = 400


@dataclass(frozen=True)
class Columns:
    """Where the token and the tag are on a line (0-based; ``tag=-1``: the last column)."""

    token: int = 0
    tag: int = -1
    sep: str | None = None  # "\t", or None for any run of whitespace
    count: int = 0  # columns on a token line, when known
    extra_tags: tuple[int, ...] = ()  # other columns that hold entity tags (not used)

    def split(self, line: str) -> list[str]:
        return [c.strip() for c in line.split(self.sep)] if self.sep else line.split()

    def describe(self) -> str:
        if self.tag < 0:
            return "token in the first column, tag in the last"
        words = f"token in column {self.token + 1}, tag in column {self.tag + 1}"
        if self.count:
            words += f" of {self.count}"
        if self.extra_tags:
            others = ", ".join(str(c + 1) for c in self.extra_tags)
            words += f"; column {others} also holds tags (nested entities?), not used: choose the columns to use it"
        return words


def _is_int(value: str) -> bool:
    return value.isdigit()


def _split_sample(lines: list[str]) -> tuple[str | None, list[list[str]]]:
    sep = "\t" if lines and all("\t" in line for line in lines) else None
    return sep, [([c.strip() for c in line.split(sep)] if sep else line.split()) for line in lines]


def sniff_columns(lines: list[str]) -> Columns | None:
    """The columns of a token-and-tag file from its first lines, or None if it is not one.

    ``lines`` are raw lines (comments, blank and -DOCSTART- lines are skipped here). It is one
    when nearly every token line has the same number (2 or more) of columns and one column
    holds only tags, at least one of them not "O".
    """
    body = [line for line in lines if line.strip() and not line.split()[0] == DOCSTART]
    if not body:
        return None
    sep, rows = _split_sample(body)
    counts = Counter(len(r) for r in rows if not (r and r[0].startswith("#")))
    if not counts:
        return None
    width, seen = counts.most_common(1)[0]
    if width < 2 or seen < 0.9 * sum(counts.values()):
        return None
    rows = [r for r in rows if len(r) == width]
    tag_columns = []
    for col in range(1, width):
        values = [r[col] for r in rows]
        good = sum(is_tag(v) for v in values)
        labels = {parse_tag(v)[1] for v in values if is_tag(v)} - {""}
        if good >= 0.98 * len(values) and labels and not labels <= CHUNK_LABELS:
            tag_columns.append(col)
    if not tag_columns:
        return None
    tag = tag_columns[0]
    token = next((c for c in range(tag) if not all(_is_int(r[c]) for r in rows)), 0)
    return Columns(token, tag, sep, width, tuple(tag_columns[1:]))


def first_lines(path: Path, shown: str, n: int = SNIFF_LINES) -> list[str]:
    """The file's first ``n`` lines (what format detection looks at)."""
    lines = []
    for _, line in iter_lines(path, shown):
        lines.append(line)
        if len(lines) >= n:
            break
    return lines


def sniff_file(path: Path, shown: str) -> Columns | None:
    return sniff_columns(first_lines(path, shown))


def columns_for(path: Path, found: Columns | None, chosen: tuple[int, int] | None) -> Columns:
    """The columns to read ``path`` with: those found in it (or sniffed now), with the token and
    tag columns the user chose, if any (0-based), keeping the separator found."""
    columns = found or sniff_file(path, str(path)) or Columns()
    if chosen is not None:
        columns = dataclasses.replace(columns, token=chosen[0], tag=chosen[1], extra_tags=())
    return columns


@dataclass
class _Sentence:
    lines: list[int] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _token_line(columns: Columns, values: list[str]) -> tuple[str, str] | None:
    """``(token, tag)`` of a split line, or None if it has too few columns."""
    needed = max(columns.token, columns.tag) + 1
    if len(values) < max(2, needed):
        return None
    return values[columns.token], values[columns.tag]


def _sentences(path: Path, shown: str, columns: Columns, notes: dict[str, int]) -> Iterator[tuple[bool, _Sentence]]:
    """``(starts_document, sentence)`` for every blank-line block; ``starts_document`` is
    True for the first sentence after a -DOCSTART- line."""
    current = _Sentence()
    after_docstart = False
    for number, line in iter_lines(path, shown):
        values = columns.split(line)
        if not values or not values[0] or values[0] == DOCSTART:
            if current.lines or current.problems:
                yield after_docstart, current
                after_docstart = False
                current = _Sentence()
            if values and values[0] == DOCSTART:
                after_docstart = True
            continue
        pair = _token_line(columns, values)
        if line.startswith("#") and (pair is None or not is_tag(pair[1])):
            notes["comments"] = notes.get("comments", 0) + 1
            continue
        current.lines.append(number)
        if pair is None:
            current.problems.append(problem(shown, number, Msg.CONLL_COLUMNS, found=line.strip(),
                                            columns=columns.describe()))
            continue
        token, tag = pair
        if not is_tag(tag):
            current.problems.append(problem(shown, number, Msg.CONLL_TAG, tag=tag, columns=columns.describe()))
            tag = "O"
        current.tokens.append(token)
        current.tags.append(tag)
    if current.lines or current.problems:
        yield after_docstart, current


def _has_docstart(path: Path, shown: str) -> bool:
    return any(line.split()[:1] == [DOCSTART] for _, line in iter_lines(path, shown))


def _documents(path: Path, shown: str, per_sentence: bool, columns: Columns,
               notes: dict[str, int]) -> Iterator[list[_Sentence]]:
    by_docstart = not per_sentence and _has_docstart(path, shown)
    document: list[_Sentence] = []
    for starts_document, sentence in _sentences(path, shown, columns, notes):
        if document and (not by_docstart or starts_document):
            yield document
            document = []
        document.append(sentence)
    if document:
        yield document


def _document_record(shown: str, sentences: list[_Sentence], decoder: TagDecoder) -> Record | list[Problem]:
    problems = [p for s in sentences for p in s.problems]
    if problems:
        return problems
    tokens: list[str] = []
    raw: list[dict[str, Any]] = []
    starts: list[int] = []
    offset = 0
    for sentence in sentences:
        first = len(tokens)
        for token in sentence.tokens:
            starts.append(offset)
            offset += len(token) + 1
            tokens.append(token)
        spans, contradiction = decoder.decode(sentence.tags)
        if contradiction is not None:
            return [problem(shown, sentence.lines[contradiction.index], Msg.CONLL_SEQUENCE,
                            tag=contradiction.tag, prev=contradiction.prev)]
        for start, end, label in spans:
            a, b = first + start, first + end - 1
            raw.append({"start": starts[a], "end": starts[b] + len(tokens[b]), "label": label})
    text = " ".join(tokens)
    line = sentences[0].lines[0]
    spans, problems = validate_spans(shown, line, text, raw)
    if problems:
        return problems
    return Record(text=text, spans=spans, state="accepted", line=line)


def read(
    path: Path, shown: str | None = None, *, per_sentence: bool = False, columns: Columns | None = None,
    notes: list[str] | None = None, **options: Any
) -> Iterator[Record | Problem]:
    """Yield a Record per document and the Problems of each bad document (which is skipped).

    ``columns`` (default: sniffed from the file, else first and last) says where token and
    tag are; ``notes`` gets what was assumed (columns, tag scheme, comment lines skipped).
    """
    shown = str(path) if shown is None else shown
    path = Path(path)
    if columns is None:
        columns = sniff_file(path, shown) or Columns()
    decoder = TagDecoder()
    counts: dict[str, int] = {}
    for sentences in _documents(path, shown, per_sentence, columns, counts):
        result = _document_record(shown, sentences, decoder)
        if isinstance(result, Record):
            yield result
        else:
            yield from result
    if notes is not None:
        notes.append(f"columns: {columns.describe()}")
        notes.append(f"tags read as {decoder.scheme()}")
        if counts.get("comments"):
            notes.append(f"{counts['comments']} comment line(s) starting with # skipped")


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
