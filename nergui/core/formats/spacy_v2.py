"""spaCy's older training formats: v2 JSON ("spacy_json") and one-sentence-per-line IOB ("spacy_iob").

* **v2 JSON** (what ``spacy convert`` wrote for spaCy 2): a list of documents
  ``{"id", "paragraphs": [{"raw", "sentences": [{"tokens": [{"orth", "ner", ...}]}]}]}`` with
  BILUO ``ner`` tags. Each paragraph becomes a document, read by spaCy's own
  ``spacy.training.converters.json_to_docs``. Only ``orth``, ``ner`` and ``raw`` are passed to
  it (tags, heads and dependencies are not needed here, and spaCy refuses a file where some
  tokens have a tag and others not). Record.line is the 1-based document number.
* **IOB per line** (the input of ``spacy convert --converter iob``): one sentence per line,
  tokens separated by spaces, each ``word|TAG`` or ``word|POS|TAG``. Each line is a document
  whose text is its words joined by single spaces. The tokens are checked here, line by line
  (spaCy's ``read_iob`` silently ignores a tag it cannot read, so it cannot say which line is
  wrong), and the tags decoded by ``tags.TagDecoder`` like every other column format.

Documents are "accepted".
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import Msg
from ..records import Problem, Record
from ._common import describe, iter_lines, problem, validate_spans
from .tags import TagDecoder, is_tag
from .train_json import load_list


def _paragraph_problem(shown: str, number: int, detail: str) -> Problem:
    return problem(shown, number, Msg.SPACY_JSON_SHAPE, detail=detail)


def _slim_paragraph(shown: str, number: int, index: int, para: Any) -> tuple[dict | None, Problem | None]:
    """The paragraph with only what NER needs, or the Problem with its shape."""
    where = f"paragraph {index}"
    if not isinstance(para, dict) or not isinstance(para.get("sentences"), list):
        return None, _paragraph_problem(shown, number, f'{where} has no "sentences" list')
    sentences = []
    for s_index, sentence in enumerate(para["sentences"], start=1):
        tokens = sentence.get("tokens") if isinstance(sentence, dict) else None
        if not isinstance(tokens, list):
            return None, _paragraph_problem(shown, number, f'{where}, sentence {s_index} has no "tokens" list')
        slim = []
        for t_index, token in enumerate(tokens, start=1):
            orth = token.get("orth") if isinstance(token, dict) else None
            ner = token.get("ner", "O") if isinstance(token, dict) else None
            if not isinstance(orth, str) or not orth or not isinstance(ner, str):
                return None, _paragraph_problem(
                    shown, number, f'{where}, sentence {s_index}, token {t_index} is {describe(token)}; '
                    'expected {"orth": "word", "ner": "O"}')
            slim.append({"id": len(slim), "orth": orth, "ner": ner})
        sentences.append({"tokens": slim})
    out: dict[str, Any] = {"sentences": sentences}
    if isinstance(para.get("raw"), str):
        out["raw"] = para["raw"]
    return out, None


def read_json(path: Path, shown: str | None = None, **options: Any) -> Iterator[Record | Problem]:
    """Yield a Record per paragraph of a spaCy v2 JSON training file, a Problem per bad document."""
    from spacy.training.converters import json_to_docs

    shown = str(path) if shown is None else shown
    data, bad = load_list(Path(path), shown, 'documents ({"paragraphs": [...]})', "spaCy v2 JSON training")
    if bad is not None:
        yield bad
        return
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("paragraphs"), list):
            yield _paragraph_problem(shown, number, f'found {describe(item)}, expected {{"paragraphs": [...]}}')
            continue
        for index, para in enumerate(item["paragraphs"], start=1):
            slim, bad = _slim_paragraph(shown, number, index, para)
            if bad is not None:
                yield bad
                continue
            if not any(s["tokens"] for s in slim["sentences"]):
                continue
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    (doc,) = json_to_docs([{"id": number, "paragraphs": [slim]}])
            except Exception as err:  # noqa: BLE001 - spaCy raises ValueError, KeyError ... on bad tags
                yield _paragraph_problem(shown, number, f"paragraph {index}: spaCy could not read it "
                                                        f"({' '.join(str(err).split())[:200]})")
                continue
            text = doc.text.rstrip()
            raw = [{"start": e.start_char, "end": e.end_char, "label": e.label_} for e in doc.ents]
            spans, problems = validate_spans(shown, number, text, raw)
            if problems:
                yield from problems
                continue
            yield Record(text=text, spans=spans, state="accepted", line=number)


def iob_fields(token: str) -> list[str]:
    return token.split("|")


def looks_like_iob_line(line: str) -> bool:
    """Every token is shaped ``word|TAG`` or ``word|POS|TAG`` (whether the tags read is the reader's
    to say, line by line)."""
    tokens = line.split()
    if not tokens:
        return False
    widths = {len(iob_fields(t)) for t in tokens}
    return len(widths) == 1 and widths <= {2, 3}


def read_iob(path: Path, shown: str | None = None, *, notes: list[str] | None = None,
             **options: Any) -> Iterator[Record | Problem]:
    """Yield a Record per non-blank line of a one-sentence-per-line IOB file, a Problem per bad line."""
    shown = str(path) if shown is None else shown
    decoder = TagDecoder()
    for number, line in iter_lines(Path(path), shown):
        tokens = line.split()
        if not tokens:
            continue
        fields = [iob_fields(t) for t in tokens]
        width = len(fields[0])
        bad = next((i for i, f in enumerate(fields) if len(f) != width or len(f) not in (2, 3) or not f[0]), None)
        if bad is not None:
            yield problem(shown, number, Msg.SPACY_IOB_TOKEN, index=bad + 1, token=tokens[bad])
            continue
        bad = next((i for i, f in enumerate(fields) if not is_tag(f[-1])), None)
        if bad is not None:
            yield problem(shown, number, Msg.SPACY_IOB_TOKEN, index=bad + 1, token=tokens[bad])
            continue
        words = [f[0] for f in fields]
        token_spans, contradiction = decoder.decode([f[-1] for f in fields])
        if contradiction is not None:
            yield problem(shown, number, Msg.CONLL_SEQUENCE, tag=contradiction.tag, prev=contradiction.prev)
            continue
        starts, offset = [], 0
        for word in words:
            starts.append(offset)
            offset += len(word) + 1
        text = " ".join(words)
        raw = [{"start": starts[a], "end": starts[b - 1] + len(words[b - 1]), "label": label}
               for a, b, label in token_spans]
        spans, problems = validate_spans(shown, number, text, raw)
        if problems:
            yield from problems
            continue
        yield Record(text=text, spans=spans, state="accepted", line=number)
    if notes is not None:
        notes.append(f"tags read as {decoder.scheme()}")
