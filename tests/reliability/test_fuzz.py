"""Hypothesis fuzzing of the whole import path (reader, token alignment, store) with inputs
shaped like each format but wrong in every way, plus the Qt offset mapping's span round trips.

tests/core/formats_cases.py already feeds random bytes to every reader; these inputs get
further: valid JSON with wrong types and offsets, CoNLL with broken tags, DocBins whose
msgpack fields are mangled. The only exceptions allowed out are NerguiErrors; whatever is
imported must be in range and the database intact.
"""

from __future__ import annotations

import gc
import json
import tempfile
import zlib
from pathlib import Path

import srsly
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nergui.core import workflow
from nergui.core.store import Project
from nergui.core.text import OffsetMap
from nergui.errors import NerguiError

FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PIECES = ["a", "B", "Acme", " ", "  ", "\t", "\n", "\r\n", "\r", "\u2028", "\u00a0", "\u200b", "\u200d", "😀",
          "🇩🇪", "👨\u200d👩\u200d👧", "e\u0301", "שלום", "مرحبا", "𝔘", ".", ",", "-", "'", '"', "\\", "\x00"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
LEAF = st.one_of(st.none(), st.booleans(), st.integers(-3, 60), st.floats(allow_nan=False, allow_infinity=False),
                 st.text(max_size=8), st.sampled_from(["ORG", "", "NEW ORG", "accept"]))
JSON = st.recursive(LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                    max_leaves=6)
OFFSET = st.one_of(st.integers(-3, 45), st.integers(-3, 45), LEAF)
LABEL = st.one_of(st.sampled_from(["ORG", "PERSON", "", "NEW ORG", "x\ty"]), LEAF)
TEXT_FIELD = st.one_of(TEXTS, TEXTS, JSON)

SPAN = st.fixed_dictionaries({}, optional={"start": OFFSET, "end": OFFSET, "label": LABEL,
                                           "token_start": OFFSET, "token_end": OFFSET})
TRIPLE = st.one_of(st.tuples(OFFSET, OFFSET, LABEL).map(list), st.lists(OFFSET, max_size=4), SPAN)
PRODIGY = st.one_of(
    st.fixed_dictionaries({"text": TEXT_FIELD}, optional={
        "spans": st.one_of(st.lists(SPAN, max_size=4), JSON), "answer": st.one_of(st.sampled_from(
            ["accept", "reject", "ignore", "maybe"]), LEAF), "meta": JSON, "_input_hash": JSON}),
    JSON)
DOCCANO = st.one_of(st.fixed_dictionaries({}, optional={"text": TEXT_FIELD, "label": st.one_of(
    st.lists(TRIPLE, max_size=4), JSON), "id": JSON, "meta": JSON}), JSON)
TRAIN_ITEM = st.one_of(st.tuples(TEXT_FIELD, st.fixed_dictionaries({}, optional={
    "entities": st.one_of(st.lists(TRIPLE, max_size=4), JSON), "meta": JSON})).map(list), JSON)
LS_RESULT = st.fixed_dictionaries({}, optional={
    "type": st.one_of(st.just("labels"), LEAF),
    "value": st.one_of(st.fixed_dictionaries({}, optional={"start": OFFSET, "end": OFFSET, "text": TEXT_FIELD,
                                                           "labels": st.one_of(st.lists(LABEL, max_size=2), LEAF)}),
                       JSON)})
LS_TASK = st.one_of(st.fixed_dictionaries({}, optional={
    "id": JSON, "meta": JSON,
    "data": st.one_of(st.fixed_dictionaries({}, optional={"text": TEXT_FIELD, "other": TEXT_FIELD}), JSON),
    "annotations": st.one_of(st.lists(st.fixed_dictionaries({}, optional={
        "was_cancelled": LEAF, "result": st.one_of(st.lists(LS_RESULT, max_size=3), JSON)}), max_size=2), JSON)}), JSON)


def _line(value, mangle: int) -> str:
    line = json.dumps(value, ensure_ascii=bool(mangle % 2))
    return line[: len(line) // 2] if mangle == 3 else line


JSONL = st.lists(st.tuples(st.one_of(PRODIGY, DOCCANO), st.integers(0, 9)), min_size=1, max_size=6)


def import_and_check(fmt: str, suffix: str, content: bytes, partial: bool) -> None:
    """Import ``content`` into a fresh project: a NerguiError, or a sound import."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(content)
        with Project.create(Path(tmp) / "project") as project:
            project.set_setting("base_pipeline", "blank:en")
            try:
                report = workflow.import_file(project, path, fmt=fmt, partial=partial)
            except NerguiError as err:
                assert str(err)
                report = None
            event("refused" if report is None else "imported" if report.committed and report.imported
                  else "problems" if report.problems else "nothing new")
            assert project.integrity_check() == "ok"
            texts = {d.id: d for d in project.iter_documents()}
            if report is None or not report.committed:
                assert texts == {}
            else:
                assert len(texts) == report.imported
                assert partial or not report.problems
                for doc in texts.values():
                    assert isinstance(doc.text, str)
                    ends = [0]
                    for span in doc.spans:  # in range, and no two overlap
                        assert ends[-1] <= span.start < span.end <= len(doc.text)
                        ends.append(span.end)
    assert gc.isenabled()


@FUZZ
@given(JSONL, st.booleans())
def test_fuzz_prodigy_and_doccano_lines(rows, partial):
    content = "\n".join(_line(value, mangle) for value, mangle in rows).encode("utf-8", "surrogatepass")
    for fmt in ("prodigy", "doccano"):
        import_and_check(fmt, ".jsonl", content, partial)


@FUZZ
@given(st.one_of(st.lists(TRAIN_ITEM, max_size=5), JSON), st.booleans())
def test_fuzz_train_json(data, partial):
    import_and_check("train_json", ".json", json.dumps(data).encode(), partial)


@FUZZ
@given(st.one_of(st.lists(LS_TASK, max_size=4), JSON), st.booleans())
def test_fuzz_label_studio(data, partial):
    import_and_check("label_studio", ".json", json.dumps(data, ensure_ascii=False).encode(), partial)


TOKEN = st.text(st.characters(blacklist_categories=("Zs", "Zl", "Zp", "Cc", "Cs")), min_size=1, max_size=6)
TAG = st.one_of(st.sampled_from(["O", "B-ORG", "I-ORG", "L-ORG", "U-ORG", "S-PER", "E-PER", "B-PER", "I-PER",
                                 "B-", "X-ORG", "b-org", "IOB"]), st.text(max_size=4))
CONLL_LINE = st.one_of(st.tuples(TOKEN, TAG).map(" ".join), st.tuples(TOKEN, TOKEN, TAG).map("\t".join),
                       st.just(""), st.just("-DOCSTART- -X- O O"), TOKEN, st.text(max_size=10))


@FUZZ
@given(st.lists(CONLL_LINE, min_size=1, max_size=30), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_fuzz_conll(lines, newline, partial):
    import_and_check("conll", ".conll", newline.join(lines).encode("utf-8", "surrogatepass"), partial)


def _docbin_fields() -> dict:
    import spacy
    from spacy.tokens import DocBin
    from spacy.tokens import Span as SpacySpan

    nlp = spacy.blank("en")
    docs = []
    for text in ("Acme hired Ann in Paris .", "I ❤ 😀 Nike shoes", "שלום עולם ACME"):
        doc = nlp.make_doc(text)
        doc.ents = [SpacySpan(doc, 0, 1, "ORG")]
        doc.user_data["nergui_meta"] = "{}"
        docs.append(doc)
    return srsly.msgpack_loads(zlib.decompress(DocBin(docs=docs, store_user_data=True).to_bytes()))


DOCBIN = _docbin_fields()


@st.composite
def mangled_docbin(draw) -> bytes:
    """A real DocBin's msgpack fields, some of them replaced, cut, flipped or retyped."""
    msg = dict(DOCBIN)
    for key in draw(st.lists(st.sampled_from(sorted(msg)), min_size=1, max_size=2, unique=True)):
        value = msg[key]
        how = draw(st.sampled_from(["flip", "flip", "cut", "item", "retype"]))
        if isinstance(value, bytes) and value and how in ("flip", "cut"):
            data = bytearray(value)
            for i, b in draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)),
                                      min_size=1, max_size=3)):
                data[i] = b
            msg[key] = bytes(data[: draw(st.integers(0, len(data)))] if how == "cut" else data)
        elif isinstance(value, list) and value and how != "retype":
            items = list(value)
            items[draw(st.integers(0, len(items) - 1))] = draw(st.one_of(LEAF, st.binary(max_size=8), JSON))
            msg[key] = items[: draw(st.integers(0, len(items)))] if how == "cut" else items
        else:
            msg[key] = draw(st.one_of(LEAF, st.binary(max_size=16), JSON))
    return zlib.compress(srsly.msgpack_dumps(msg))


@FUZZ
@given(mangled_docbin(), st.booleans())
def test_fuzz_docbin(content, partial):
    import_and_check("docbin", ".spacy", content, partial)


# ---------------------------------------------------------------------------- Qt offsets: span round trips
def _inside_crlf(text: str, i: int) -> bool:
    return 0 < i < len(text) and text[i - 1] == "\r" and text[i] == "\n"


@settings(max_examples=300, deadline=None, database=None)
@given(TEXTS, st.data())
def test_spans_round_trip_through_qt_positions(text, data):
    om = OffsetMap(text)
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    fix = lambda i: i + 1 if _inside_crlf(text, i) else i  # noqa: E731 - "\r|\n" is no boundary
    assert om.span_from_qt(*om.span_to_qt(a, b)) == (fix(a), fix(b))
    # any Qt selection, either direction, maps to the smallest code-point range covering it
    q1, q2 = data.draw(st.integers(0, om.qt_length)), data.draw(st.integers(0, om.qt_length))
    start, end = om.span_from_qt(q1, q2)
    assert (start, end) == om.span_from_qt(q2, q1)
    lo, hi = sorted((q1, q2))
    assert 0 <= start <= end <= len(text)
    assert om.to_qt(start) <= lo <= hi <= om.to_qt(end)
    assert om.to_qt(start) >= lo - 1 and om.to_qt(end) <= hi + 1  # at most half a surrogate pair more
    assert not _inside_crlf(text, start) and not _inside_crlf(text, end)
