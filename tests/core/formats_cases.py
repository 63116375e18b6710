"""More format tests: Label Studio, TRAIN_DATA, CoNLL, plain text, DocBin, the training
bundle and the hypothesis properties.

tests/core/test_formats.py imports these functions, so ``pytest tests/core/test_formats.py``
runs every format test; this file's name does not start with ``test_``, so pytest does not
collect it a second time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nergui.core.formats import READ_FORMATS, read, write, write_training_bundle
from nergui.core.records import Problem, Record, Span
from nergui.errors import InputError, NerguiError

from .format_samples import (
    CONLL_2003,
    CONLL_BAD,
    SUFFIX,
    UNICODE_TEXT,
    collect,
    docbin_file,
    put,
    triples,
    unicode_offsets,
)


# ----------------------------------------------------------------------------- Label Studio, TRAIN_DATA


def test_label_studio(tmp_path):
    text = "I ❤ 😀 Nike"  # "Nike" is [6, 10) in code points, [7, 11) in UTF-16 units
    tasks = [
        {"id": 1, "data": {"text": "Apple Inc", "lang": "en"}, "annotations": [
            {"was_cancelled": True, "result": [{"type": "labels", "value": {"start": 0, "end": 9, "labels": ["X"]}}]},
            {"was_cancelled": False, "result": [
                {"type": "labels", "value": {"start": 0, "end": 5, "text": "Apple", "labels": ["ORG"]}},
                {"type": "choices", "value": {"choices": ["tech"]}}]}]},
        {"id": 2, "data": {"body": text}, "annotations": [{"result": [
            {"type": "labels", "value": {"start": 7, "end": 11, "text": "Nike", "labels": ["BRAND"]}}]}]},
        {"id": 3, "data": {"text": "plain"}},
        {"text": "Apple", "label": [{"start": 0, "end": 5, "labels": ["ORG"]}]},  # JSON-MIN
        {"data": {"a": "one", "b": "two"}},
        {"data": {"text": "Adidas"}, "annotations": [{"result": [
            {"type": "labels", "value": {"start": 0, "end": 3, "text": "Adidas", "labels": ["BRAND"]}}]}]},
        {"data": {"text": "Puma "}, "annotations": [{"result": [
            {"type": "labels", "value": {"start": 0, "end": 5, "text": "Puma ", "labels": ["BRAND"]}}]}]},
    ]
    path = put(tmp_path / "ls.json", json.dumps(tasks, ensure_ascii=False, indent=2))
    records, problems = collect(path)
    assert [(r.line, r.text, r.state, triples(r)) for r in records] == [
        (1, "Apple Inc", "accepted", [(0, 5, "ORG")]),
        (2, text, "accepted", [(6, 10, "BRAND")]),
        (3, "plain", "todo", []),
        (4, "Apple", "accepted", [(0, 5, "ORG")]),  # a JSON-MIN item
    ]
    assert records[0].meta == {"lang": "en", "id": 1}
    assert [(p.line, p.message) for p in problems] == [
        (5, 'item 5: cannot tell which field of "data" holds the text (fields: a, b); name it (Text field in the '
            "import dialog, --text-key on the command line). Export from Label Studio as JSON (or JSON-MIN)."),
        (6, "span 1 [0, 3) BRAND covers 'Adi', but the file says it covers 'Adidas'. Fix its offsets."),
        (7, "span [0, 5) BRAND starts or ends with whitespace. Trim it to [0, 4)."),
    ]
    records, problems = collect(path, "label_studio", text_key="b")
    assert [r.text for r in records] == ["two"] and len(problems) == 6
    assert problems[0].message.startswith("item 1: \"data\" has no field 'b' (fields: text, lang)")


def test_whole_file_json_errors(tmp_path):
    for fmt in ("label_studio", "train_json"):
        broken = put(tmp_path / f"broken-{fmt}.json", '[\n  ["a", {"entities": []}],\n  ["b" {}]\n]')
        (problem,) = list(read(broken, fmt))
        assert problem.line == 3
        assert problem.message == "not valid JSON (Expecting ',' delimiter at column 8). Fix or remove this line."
        (problem,) = list(read(put(tmp_path / "obj.json", '{"text": "a"}'), fmt))
        assert problem.message.startswith("expected a JSON list of") and "found an object" in problem.message


def test_train_json(tmp_path):
    data = [
        ["Uber blew through $1 million", {"entities": [[0, 4, "ORG"]]}],
        ["Android Pay expands", {"entities": [[0, 11, "PRODUCT"], [0, 7, "ORG"]]}],
        "just text",
        ["Nothing here", {}],
        ["Spotify steps up", {"entities": [[8, 5, "ORG"]]}],
    ]
    records, problems = collect(put(tmp_path / "train.json", json.dumps(data)))
    assert [(r.line, r.state, triples(r)) for r in records] == [(1, "accepted", [(0, 4, "ORG")]), (4, "accepted", [])]
    assert [(p.line, p.message) for p in problems] == [
        (2, "spans [0, 7) ORG and [0, 11) PRODUCT overlap. Entity spans may not overlap: keep one of them."),
        (3, 'item 3: expected [text, {"entities": [[start, end, label], ...]}], found the text \'just text\'. '
            "Fix or remove this item."),
        (5, "span 1 has end 5 before start 8. Swap or fix the offsets."),
    ]


# ----------------------------------------------------------------------------- CoNLL


def test_conll_documents(tmp_path):
    path = put(tmp_path / "eng.conll", CONLL_2003)
    records, problems = collect(path)
    assert problems == []
    first = "EU rejects German call . Peter Blackburn"
    assert [(r.line, r.text, r.state) for r in records] == [
        (3, first, "accepted"), (14, "BRUSSELS 1996-08-22", "accepted")]
    assert [(records[0].text[s.start:s.end], s.label) for s in records[0].spans] == [
        ("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER")]
    assert triples(records[1]) == [(0, 8, "LOC")]
    sentences, _ = collect(path, per_sentence=True)
    assert [(r.line, r.text) for r in sentences] == [
        (3, "EU rejects German call ."), (9, "Peter Blackburn"), (14, "BRUSSELS 1996-08-22")]


def test_conll_tag_schemes(tmp_path):
    iob1 = put(tmp_path / "iob1.iob", "Alice I-PER\nBob B-PER\nwent O\nto O\nNew I-LOC\nYork I-LOC\n\nX\tI-ORG\n")
    records, problems = collect(iob1)
    assert problems == [] and [r.line for r in records] == [1, 8]
    assert [(records[0].text[s.start:s.end], s.label) for s in records[0].spans] == [
        ("Alice", "PER"), ("Bob", "PER"), ("New York", "LOC")]
    biluo = put(tmp_path / "biluo.bio", "New B-LOC\nYork E-LOC\nis O\nbig S-ADJ\nand O\nU U-X\nB B-Y\nI I-Y\nL L-Y\n")
    (record,), problems = collect(biluo)
    assert problems == []
    assert [(record.text[s.start:s.end], s.label) for s in record.spans] == [
        ("New York", "LOC"), ("big", "ADJ"), ("U", "X"), ("B I L", "Y")]


def test_conll_bad_tags(tmp_path):
    path = put(tmp_path / "bad.conll", CONLL_BAD)
    records, problems = collect(path)
    # A one-token B- before a U- and an entity left open at the sentence's end are read as
    # their writer meant them (issue 15); an end tag of another type is a real contradiction.
    assert [(r.line, r.text, triples(r)) for r in records] == [
        (7, "Good Corp", [(0, 9, "ORG")]), (10, "A B", [(0, 1, "X"), (2, 3, "Y")]),
        (13, "C D E", [(0, 3, "Z"), (4, 5, "Z")])]
    where = "token in the first column, tag in the last"
    choose = "(Columns in the import dialog, --columns TOKEN,TAG on the command line)."
    assert [(p.line, p.message) for p in problems] == [
        (3, f"tag 'X-ORG' is not an entity tag (O, B-X, I-X, E-X, S-X, L-X, U-X; read with {where}). "
            f"Fix the tag, or choose the tag column {choose}"),
        (5, f"expected a token and a tag separated by whitespace ({where}), found 'lonely'. "
            f"Fix this line, or choose the columns {choose}"),
        (18, "tag 'E-V' cannot follow 'B-W': an end tag must close an entity of its own type. Fix the tag sequence."),
    ]


def test_conll_write_and_round_trip(tmp_path):
    record = Record("Apple's CEO Tim Cook visited New  York.\n",
                    [Span(0, 5, "ORG"), Span(12, 20, "PER"), Span(29, 38, "LOC")], "accepted")
    out = tmp_path / "out.conll"
    assert write(out, [record, Record("   "), Record("Second doc", [Span(7, 10, "X")])], "conll",
                 labels=["ORG", "PER", "LOC", "X"]) == 2
    assert out.read_text("utf-8") == (
        "Apple B-ORG\n's O\nCEO O\nTim B-PER\nCook I-PER\nvisited O\nNew B-LOC\nYork I-LOC\n. O\n"
        "\nSecond O\ndoc B-X\n"
    )
    # whitespace-tokenised text comes back with the same offsets
    texts = ["Alice met Bob in New York .", "Nothing here", "Zürich 😀 ACME\u200bCorp rocks"]
    spans = [[Span(0, 5, "PER"), Span(10, 13, "PER"), Span(17, 25, "LOC")], [], [Span(7, 8, "EMO"), Span(9, 18, "ORG")]]
    records = [Record(t, s, "accepted") for t, s in zip(texts, spans)]
    assert write(out, records, "conll", labels=["PER", "LOC", "EMO", "ORG"]) == 3
    back, problems = collect(out)
    assert problems == []
    assert [(r.text, r.spans) for r in back] == [(r.text, r.spans) for r in records]


# ----------------------------------------------------------------------------- plain text


def test_text_lines(tmp_path):
    records, problems = collect(put(tmp_path / "t.txt", "first\n\n  \nsecond \u2028 same line\r\nלא ריק\n"))
    assert problems == []
    assert [(r.line, r.text, r.state, r.spans) for r in records] == [
        (1, "first", "todo", []), (4, "second \u2028 same line", "todo", []), (5, "לא ריק", "todo", [])]


def test_text_files(tmp_path):
    folder = tmp_path / "docs"
    put(folder / "b.txt", "Second\r\ndoc 😀\r\n\r\n")
    put(folder / "a.txt", "\ufeffFirst doc\n")
    put(folder / "notes.md", "ignored")
    put(folder / "c.txt", b"Caf\xe9\n")
    put(folder / "d.txt", b"")
    put(folder / "e.txt", b"\x00\x01")
    records, problems = collect(folder)
    assert [(r.line, r.text, r.meta) for r in records] == [
        (1, "First doc", {"file": "a.txt"}), (2, "Second\ndoc 😀", {"file": "b.txt"})]
    assert [(p.path, p.line, p.message.split(" (")[0].split(".")[0]) for p in problems] == [
        (str(folder / "c.txt"), 1, "the file is not UTF-8"),
        (str(folder / "d.txt"), None, "the file is empty"),
        (str(folder / "e.txt"), None, "this looks like a binary file, not text"),
    ]


# ----------------------------------------------------------------------------- DocBin


def test_docbin_read(tmp_path):
    path = docbin_file(tmp_path / "d.spacy", [("Apple buys U.K. startup", [(0, 1, "ORG"), (2, 3, "GPE")]),
                                              ("nothing", [])])
    records, problems = collect(path)
    assert problems == []
    assert [(r.line, r.state, triples(r)) for r in records] == [
        (1, "accepted", [(0, 5, "ORG"), (11, 15, "GPE")]), (2, "accepted", [])]


@pytest.mark.parametrize(
    "content",
    [b"\x00garbage\xff" * 20, b'{"text": "not a docbin"}', b"x\x9c\x00\x00"],
    ids=["garbage", "json", "zlib-header"],
)
def test_docbin_corrupt(tmp_path, content):
    path = put(tmp_path / "bad.spacy", content)
    with pytest.raises(InputError) as err:
        list(read(path))
    assert str(err.value).startswith(f"{path}: not a readable spaCy DocBin (")
    assert str(err.value).endswith("Re-export it with 'DocBin.to_disk'.")


def test_docbin_truncated(tmp_path):
    path = docbin_file(tmp_path / "t.spacy", [("Apple buys U.K. startup", [(0, 1, "ORG")])] * 20)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(InputError, match="not a readable spaCy DocBin"):
        list(read(path))


def test_docbin_round_trip(tmp_path):
    records = [
        Record("Nike and Adidas", [Span(0, 4, "BRAND"), Span(9, 15, "BRAND")], "accepted", {"k": 1}, "42"),
        Record(UNICODE_TEXT, [Span(s, e, label) for s, e, label in unicode_offsets()], "accepted"),
        Record("Appl pie", [Span(0, 3, "X")], "accepted"),  # widened to the token "Appl"
    ]
    out = tmp_path / "out.spacy"
    assert write(out, records, "docbin", labels=["BRAND", "EMO", "ORG", "GREET", "X"]) == 3
    back, problems = collect(out)
    assert problems == []
    assert [(r.text, r.meta, r.input_hash) for r in back] == [(r.text, r.meta, r.input_hash) for r in records]
    assert triples(back[0]) == triples(records[0])
    # "עולם\u200bACME" is one token (a zero-width space does not split), so ACME widens to it
    widened = (UNICODE_TEXT.index("עולם"), UNICODE_TEXT.index("ACME") + 4, "ORG")
    assert triples(back[1]) == triples(records[1])[:3] + [widened]
    assert triples(back[2]) == [(0, 4, "X")]


@pytest.mark.slow
def test_training_bundle_trains_with_spacy(tmp_path):
    records = [Record(f"I bought {brand} shoes on day {i}.", [Span(9, 9 + len(brand), "FASHION_BRAND")], "accepted")
               for i, brand in enumerate(["Nike", "Adidas", "Gucci", "Prada", "Puma", "Zara"] * 2)]
    folder = tmp_path / "bundle"
    info = write_training_bundle(folder, records, ["FASHION_BRAND"], eval_fraction=0.25, seed=1)
    assert (info["train"], info["dev"]) == (9, 3)
    assert (info["train_path"], info["dev_path"], info["config"]) == (
        folder / "train.spacy", folder / "dev.spacy", folder / "config.cfg")
    assert sorted(p.name for p in folder.iterdir()) == ["README.txt", "config.cfg", "dev.spacy", "train.spacy"]
    config = spacy.util.load_config(folder / "config.cfg")
    assert (config["paths"]["train"], config["paths"]["dev"]) == ("train.spacy", "dev.spacy")
    assert config["nlp"]["pipeline"] == ["tok2vec", "ner"] and config["nlp"]["lang"] == "en"
    assert "python -m spacy train config.cfg" in (folder / "README.txt").read_text()
    train, _ = collect(folder / "train.spacy")
    assert len(train) == 9 and all(triples(r) for r in train)
    # as documented in README.txt: from the folder, with or without explicit --paths
    for name, paths in [("explicit", ["--paths.train", "train.spacy", "--paths.dev", "dev.spacy"]), ("plain", [])]:
        out = tmp_path / name
        proc = subprocess.run(
            [sys.executable, "-m", "spacy", "train", "config.cfg", *paths, "--output", str(out),
             "--training.max_steps", "5", "--training.eval_frequency", "5"],
            cwd=folder, capture_output=True, text=True, timeout=300,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        nlp = spacy.load(out / "model-last")
        assert "FASHION_BRAND" in nlp.get_pipe("ner").labels


def test_training_bundle_needs_records(tmp_path):
    with pytest.raises(NerguiError, match="no accepted documents with entity spans"):
        write_training_bundle(tmp_path / "b", [], ["X"])


# ----------------------------------------------------------------------------- properties

LABELS = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=6).filter(
    lambda s: not any(c.isspace() for c in s))


@st.composite
def texts_with_spans(draw):
    text = draw(st.text(max_size=40))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=8)))
    spans = [Span(a, b, draw(LABELS)) for a, b in zip(cuts[::2], cuts[1::2])
             if not text[a].isspace() and not text[b - 1].isspace()]
    return text, spans


@settings(max_examples=150, deadline=None)
@given(texts_with_spans(), st.sampled_from(["todo", "accepted", "rejected", "skipped"]))
def test_prodigy_round_trip_property(sample, state):
    text, spans = sample
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "p.jsonl"
        write(out, [Record(text, spans, state)], "prodigy", labels=[s.label for s in spans])
        (record,), problems = collect(out)
    assert problems == []
    assert (record.text, record.spans, record.state) == (text, spans, state)


FRAGMENTS = [b'{"text":', b'"a b"', b"[", b"]", b"{", b"}", b",", b":", b'"spans":', b'"label":', b'"start":',
             b'"end":', b"0", b"3", b"-1", b"true", b"null", b"\n", b"\r\n", b" ", b"\xff", b"\xef\xbb\xbf",
             b"O", b"B-X", b"I-X", b"U-Y", b"L-", b"-DOCSTART-", b'"data":', b'"annotations":', b'"result":',
             b'"value":', b'"labels":', b'"entities":', b"\\ud800", b'"\\u', b"\xf0\x9f\x98\x80", b"1e999"]
RANDOM_BYTES = st.one_of(st.binary(max_size=200), st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=RANDOM_BYTES, fmt=st.sampled_from(READ_FORMATS))
def test_random_bytes_only_raise_input_error(tmp_path, data, fmt):
    path = tmp_path / f"random{SUFFIX.get(fmt, '')}"
    if fmt == "text_files":
        path.mkdir(exist_ok=True)
        put(path / "one.txt", data)
    else:
        put(path, data)
    try:
        items = list(read(path, fmt))
    except InputError as err:
        assert str(err)
        return
    for item in items:
        assert isinstance(item, (Record, Problem))
        if isinstance(item, Record):
            assert all(0 <= s.start < s.end <= len(item.text) for s in item.spans)
