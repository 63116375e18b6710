"""Sample files for tests/core/test_formats.py, written by the tests themselves."""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.tokens import Span as SpacySpan

from nergui.core.formats import read
from nergui.core.records import Problem, Record

SUFFIX = {
    "prodigy": ".jsonl",
    "doccano": ".jsonl",
    "docbin": ".spacy",
    "train_json": ".json",
    "spacy_json": ".json",
    "spacy_iob": ".iob",
    "label_studio": ".json",
    "conll": ".conll",
    "csv": ".csv",
    "text": ".txt",
}

# Text that must survive byte for byte: emoji (astral), a combining accent, a line
# separator, right-to-left text, a zero-width space and a CRLF inside the string.
UNICODE_TEXT = "Zu\u0308rich 😀 Ⓐpple\u2028שלום עולם\u200bACME\r\nEnd ❤️"
UNICODE_SPANS = [("😀", "EMO"), ("Ⓐpple", "ORG"), ("שלום", "GREET"), ("ACME", "ORG")]


def unicode_offsets() -> list[tuple[int, int, str]]:
    out = []
    for piece, label in UNICODE_SPANS:
        start = UNICODE_TEXT.index(piece)
        out.append((start, start + len(piece), label))
    return out


def put(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def collect(path, fmt=None, **options) -> tuple[list[Record], list[Problem]]:
    records, problems = [], []
    for item in read(path, fmt, **options):
        (records if isinstance(item, Record) else problems).append(item)
    return records, problems


def triples(record: Record) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in record.spans]


def docbin_file(path: Path, texts_and_ents) -> Path:
    """A DocBin made by spaCy itself; ``ents`` are token offsets ``(start, end, label)``."""
    nlp = spacy.blank("en")
    docs = []
    for text, ents in texts_and_ents:
        doc = nlp.make_doc(text)
        doc.ents = [SpacySpan(doc, s, e, label) for s, e, label in ents]
        docs.append(doc)
    DocBin(docs=docs).to_disk(path)
    return path


def jsonl(*objects, newline: str = "\n") -> str:
    return "".join(json.dumps(o, ensure_ascii=False) + newline for o in objects)


def document(fmt: str, text: str, spans: list[tuple[int, int, str]]):
    """One document with ``spans`` as a JSON value in ``fmt``'s shape (JSON formats only)."""
    if fmt == "prodigy":
        return {"text": text, "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans]}
    if fmt == "doccano":
        return {"text": text, "label": [[s, e, label] for s, e, label in spans]}
    if fmt == "train_json":
        return [text, {"entities": [[s, e, label] for s, e, label in spans]}]
    if fmt == "label_studio":
        result = [
            {"type": "labels", "from_name": "label", "to_name": "text",
             "value": {"start": s, "end": e, "text": text[s:e], "labels": [label]}}
            for s, e, label in spans
        ]
        return {"id": 7, "data": {"text": text}, "annotations": [{"was_cancelled": False, "result": result}]}
    raise ValueError(fmt)


def file_of(fmt: str, docs: list, *, newline: str = "\n") -> str:
    """The content of a file holding ``docs`` (from ``document``) in ``fmt``."""
    if fmt in ("prodigy", "doccano"):
        return jsonl(*docs, newline=newline)
    return json.dumps(docs, ensure_ascii=False, indent=1).replace("\n", newline)


PRODIGY_BAD_LINES = [
    # (line content, expected marker in the problem message or None for a good line)
    ('{"text": "Apple makes phones", "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": "accept"}', None),
    ('{broken', "not valid JSON"),
    ('{"spans": []}', 'no "text" field'),
    ('{"text": ["a"]}', "not a string. Store the text as a string"),
    ('{"text": "short", "spans": [{"start": 0, "end": 50, "label": "X"}]}',
     "is outside the text (length 5). Fix its offsets"),
    ('{"text": "short", "spans": [{"start": 4, "end": 1, "label": "X"}]}', "has end 1 before start 4. Swap"),
    ('{"text": "Apple makes", "spans": [{"start": 3, "end": 9, "label": "X"}, {"start": 0, "end": 5, "label": "ORG"}]}',
     "spans [0, 5) ORG and [3, 9) X overlap"),
    ('{"text": "Hello Apple Inc", "spans": [{"start": 5, "end": 11, "label": "ORG"}]}', "Trim it to [6, 11)"),
    ('{"text": "short", "spans": [{"start": 2, "end": 2, "label": "X"}]}', "is empty. Remove it"),
    ('{"text": "short", "spans": [{"start": 0, "end": 2, "label": "NEW ORG"}]}',
     "labels must be non-empty text without spaces"),
    ('{"text": "short", "spans": [{"start": true, "end": 2, "label": "X"}]}', '"start" is true, not an integer'),
    ('[1, 2]', "expected a JSON object"),
    ("", None),  # blank lines are skipped
    ('{"text": "Last one", "answer": "reject"}', None),
    ('{"text": "short", "answer": "maybe"}', '"answer" is the text \'maybe\'; expected "accept", "reject" or "ignore"'),
    ('{"text": "ab\\ud800"}', "unpaired surrogate (U+D800) at offset 2, which is not a character. Fix the \\u escape"),
]

CONLL_2003 = """\
-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC
call NN I-NP O
. . O O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP B-LOC
1996-08-22 CD I-NP O
"""

CONLL_BAD = """\
John B-PER
works O
at X-ORG

lonely

Good B-ORG
Corp I-ORG

A B-X
B U-Y

C B-Z
D L-Z
E B-Z

F B-W
G E-V
"""
