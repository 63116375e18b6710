"""Readers and writers of nergui.core.formats, on real files written by the tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import srsly

from nergui.core.formats import READ_FORMATS, WRITE_FORMATS, detect_format, read, write
from nergui.core.formats._common import FORMAT_NAMES
from nergui.core.records import Problem, Record, Span
from nergui.errors import InputError, NerguiError

from .format_samples import (
    PRODIGY_BAD_LINES,
    SUFFIX,
    UNICODE_TEXT,
    collect,
    docbin_file,
    document,
    file_of,
    jsonl,
    put,
    triples,
    unicode_offsets,
)

# The Label Studio, TRAIN_DATA, CoNLL, text, DocBin and hypothesis tests live in formats_cases.py
# (to keep files short); importing them here makes pytest run them as part of this file.
from .formats_cases import (  # noqa: F401
    test_conll_bad_tags,
    test_conll_documents,
    test_conll_tag_schemes,
    test_conll_write_and_round_trip,
    test_docbin_corrupt,
    test_docbin_read,
    test_docbin_round_trip,
    test_docbin_truncated,
    test_label_studio,
    test_prodigy_round_trip_property,
    test_random_bytes_only_raise_input_error,
    test_text_files,
    test_text_lines,
    test_train_json,
    test_training_bundle_needs_records,
    test_training_bundle_trains_with_spacy,
    test_whole_file_json_errors,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
JSON_FORMATS = ("prodigy", "doccano", "train_json", "label_studio")
FILE_FORMATS = tuple(f for f in READ_FORMATS if f != "text_files")


# ----------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("a.jsonl", jsonl({"text": "x", "spans": []}), "prodigy"),
        ("a.jsonl", jsonl({"text": "x"}), "prodigy"),
        ("a.JSONL", "\n" + jsonl({"text": "x", "label": [[0, 1, "X"]]}), "doccano"),
        ("a.jsonl", jsonl({"text": "x", "label": [], "spans": []}), "prodigy"),
        ("a.json", json.dumps([{"data": {"text": "x"}}]), "label_studio"),
        ("a.json", json.dumps([{"annotations": [], "data": {}}]), "label_studio"),
        ("a.json", json.dumps([["x", {"entities": []}]]), "train_json"),
        ("a.json", '[\n {"data": {"text": "x"}},\n  oops', "label_studio"),  # broken: reader says where
        ("a.conll", "A O\n", "conll"),
        ("a.iob", "A O\n", "conll"),
        ("a.tsv", "A\tO\n", "conll"),
        ("a.bio", "A O\n", "conll"),
        ("a.txt", "hello\n", "text"),
    ],
)
def test_detect_format(tmp_path, name, content, expected):
    assert detect_format(put(tmp_path / name, content)) == expected


def test_detect_format_docbin_and_folder(tmp_path):
    assert detect_format(docbin_file(tmp_path / "d.spacy", [("a b", [])])) == "docbin"
    (tmp_path / "folder").mkdir()
    assert detect_format(tmp_path / "folder") == "text_files"


@pytest.mark.parametrize(
    "name, content, seen",
    [("a.csv", "words\nx\n", "the first lines are neither JSON nor token-and-tag columns"),
     ("a.json", "[1, 2]", "a JSON list whose first item is neither"), ("a.json", "oops", "broken JSON")],
)
def test_detect_format_unknown(tmp_path, name, content, seen):
    with pytest.raises(InputError) as err:
        detect_format(put(tmp_path / name, content))
    assert f"{tmp_path / name}: could not tell the format: {seen}" in str(err.value)
    assert "Choose the format (Format in the import dialog, --format on the command line): prodigy, doccano" in str(
        err.value)


def test_detect_format_from_content_not_name(tmp_path):
    assert detect_format(put(tmp_path / "noext", "x")) == "text"  # no suffix, no tags: plain text
    assert detect_format(put(tmp_path / "a.json", '{"text": "x"}')) == "prodigy"  # one JSONL line named .json
    assert detect_format(put(tmp_path / "train.txt", "EU B-ORG\nrejects O\n")) == "conll"
    assert detect_format(put(tmp_path / "notes.txt", "[Draft] a note\nsecond line\n")) == "text"


# ----------------------------------------------------------------------------- path checks


@pytest.mark.parametrize("fmt", (None,) + READ_FORMATS)
def test_missing_file(tmp_path, fmt):
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(InputError) as err:
        read(missing, fmt)
    assert str(err.value) == f"{missing}: no such file. Check the path and try again."
    assert err.value.problems == [Problem(str(missing), None, "no such file. Check the path and try again.")]
    with pytest.raises(InputError, match="no such file"):
        detect_format(missing)


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_directory_where_file_expected(tmp_path, fmt):
    folder = tmp_path / f"data{SUFFIX[fmt]}"
    folder.mkdir()
    with pytest.raises(InputError, match="is a folder, but a file was expected. Pick the file itself"):
        read(folder, fmt)


def test_file_where_folder_expected(tmp_path):
    with pytest.raises(InputError, match="folder of .txt files was expected"):
        read(put(tmp_path / "a.txt", "x\n"), "text_files")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no .txt files"):
        list(read(tmp_path / "empty"))


@pytest.mark.parametrize(
    "fmt, content",
    [(fmt, content) for fmt in FILE_FORMATS for content in (b"", b"\n\n  \r\n", b"\xef\xbb\xbf")
     if fmt != "docbin" or not content],  # a DocBin is binary: only a zero-byte one is "empty"
)
def test_empty_file(tmp_path, fmt, content):
    path = put(tmp_path / f"empty{SUFFIX[fmt]}", content)
    with pytest.raises(InputError) as err:
        read(path, fmt)
    assert str(err.value) == f"{path}: the file is empty. Pick a file that holds documents."
    with pytest.raises(InputError, match="the file is empty"):
        read(path)  # with detection too


@pytest.mark.parametrize("fmt", [f for f in FILE_FORMATS if f != "docbin"])
def test_binary_file(tmp_path, fmt):
    path = put(tmp_path / f"data{SUFFIX[fmt]}", b"PK\x03\x04\x00\x00binary\x00stuff\n" * 10)
    with pytest.raises(InputError) as err:
        read(path, fmt)
    assert str(err.value) == (
        f"{path}: this looks like a binary file, not text. Export your data as {FORMAT_NAMES[fmt]} and try again."
    )


def test_unknown_format_names():
    with pytest.raises(InputError, match="Unknown import format 'xlsx'. Use one of: prodigy"):
        read("x.xlsx", "xlsx")
    with pytest.raises(NerguiError, match="Unknown export format 'csv'. Use one of: prodigy, docbin, conll, doccano"):
        write("x.csv", [], "csv", labels=[])


def test_problem_path_is_the_path_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    put(tmp_path / "sub" / "a.jsonl", '{"text": "x"}\n{"nope": 1}\n')
    records, problems = collect("sub/a.jsonl")
    assert [r.line for r in records] == [1]
    assert problems == [Problem("sub/a.jsonl", 2, 'no "text" field. Every document needs its text as a string.')]
    assert str(problems[0]) == 'sub/a.jsonl:2: no "text" field. Every document needs its text as a string.'


# ----------------------------------------------------------------------------- encodings


LATIN1 = {
    "prodigy": (b'{"text": "a"}\n{"text": "b"}\n{"text": "Caf\xe9"}\n', 3),
    "doccano": (b'{"text": "a", "label": []}\n\n{"text": "Caf\xe9", "label": []}\n', 3),
    "conll": (b"A O\n\nB O\nCaf\xe9 B-LOC\n", 4),
    "text": (b"one\ntwo\nthree\nCaf\xe9\n", 4),
    "train_json": (b'[\n ["a", {"entities": []}],\n ["Caf\xe9", {"entities": []}]\n]', 3),
    "label_studio": (b'[\n {"data": {"text": "a"}},\n {"data": {"text": "b"}},\n {"data": {"text": "Caf\xe9"}}\n]', 4),
}


@pytest.mark.parametrize("fmt", sorted(LATIN1))
def test_not_utf8_names_the_line(tmp_path, fmt):
    content, line = LATIN1[fmt]
    path = put(tmp_path / f"latin1{SUFFIX[fmt]}", content)
    with pytest.raises(InputError) as err:
        list(read(path, fmt))
    message, offset = str(err.value), content.index(b"\xe9")
    assert message.startswith(f"{path}:{line}: the file is not UTF-8 (byte 0xe9 at offset {offset}). ")
    assert "Save it as UTF-8 (for example 'iconv -f latin1 -t utf-8') and import again." in message
    assert err.value.problems[0].line == line


@pytest.mark.parametrize("fmt", ["prodigy", "text"])
def test_utf16_is_not_utf8(tmp_path, fmt):
    path = put(tmp_path / f"utf16{SUFFIX[fmt]}", '{"text": "a"}\n'.encode("utf-16"))
    with pytest.raises(InputError) as err:
        read(path)
    assert str(err.value).startswith(f"{path}:1: the file is not UTF-8 (byte 0xff at offset 0). Save it as UTF-8")


@pytest.mark.parametrize("fmt", JSON_FORMATS + ("conll", "text"))
def test_bom_and_crlf_accepted(tmp_path, fmt):
    if fmt == "conll":
        content, texts = "EU B-ORG\r\nsays O\r\n\r\nOK O\r\n", ["EU says", "OK"]
    elif fmt == "text":
        content, texts = "first line\r\n\r\nsecond line\r\n", ["first line", "second line"]
    else:
        docs = [document(fmt, "Apple Inc", [(0, 5, "ORG")]), document(fmt, "two", [])]
        content, texts = file_of(fmt, docs, newline="\r\n"), ["Apple Inc", "two"]
    path = put(tmp_path / f"bom{SUFFIX[fmt]}", b"\xef\xbb\xbf" + content.encode("utf-8"))
    records, problems = collect(path)  # detection must cope with the BOM too
    assert problems == []
    assert [r.text for r in records] == texts
    expected_lines = {"conll": [1, 4], "text": [1, 3], "prodigy": [1, 2], "doccano": [1, 2]}.get(fmt, [1, 2])
    assert [r.line for r in records] == expected_lines
    if fmt not in ("text",):
        assert triples(records[0])[:1] == [(0, 5 if fmt != "conll" else 2, "ORG")]


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_unicode_text_kept_exactly(tmp_path, fmt):
    spans = unicode_offsets()
    path = put(tmp_path / f"uni{SUFFIX[fmt]}", file_of(fmt, [document(fmt, UNICODE_TEXT, spans)]))
    if fmt in ("prodigy", "doccano"):
        assert "\u2028".encode() in path.read_bytes()  # raw U+2028 inside a JSONL line
    (record,), problems = collect(path, fmt)
    assert problems == []
    assert record.text == UNICODE_TEXT
    assert triples(record) == spans
    assert [record.text[s.start:s.end] for s in record.spans] == ["😀", "Ⓐpple", "שלום", "ACME"]


SPAN_CASES = [
    ([(0, 50, "ORG")], "span 1 [0, 50) ORG is outside the text (length 16). Fix its offsets or remove it."),
    ([(-1, 3, "ORG")], "span 1 [-1, 3) ORG is outside the text (length 16). Fix its offsets or remove it."),
    ([(4, 1, "ORG")], "span 1 has end 1 before start 4. Swap or fix the offsets."),
    ([(3, 3, "ORG")], "span 1 [3, 3) ORG is empty. Remove it."),
    ([(0, 5, "ORG"), (3, 9, "X")],
     "spans [0, 5) ORG and [3, 9) X overlap. Entity spans may not overlap: keep one of them."),
    ([(5, 16, "ORG")], "span [5, 16) ORG starts or ends with whitespace. Trim it to [6, 16)."),
    ([(5, 6, "ORG")], "span 1 [5, 6) ORG holds only whitespace. Remove it."),
    ([(0, 5, "")], "span 1 has label ''; labels must be non-empty text without spaces."),
    ([(0, 5, "NEW ORG")], "span 1 has label 'NEW ORG'; labels must be non-empty text without spaces."),
]


@pytest.mark.parametrize("fmt", JSON_FORMATS)
@pytest.mark.parametrize("spans, message", SPAN_CASES)
def test_span_problems_in_every_json_format(tmp_path, fmt, spans, message):
    good = document(fmt, "Apple and Google", [(0, 5, "ORG"), (10, 16, "ORG")])
    bad = document(fmt, "Apple and Google", spans)
    path = put(tmp_path / f"spans{SUFFIX[fmt]}", file_of(fmt, [good, bad, good]))
    records, problems = collect(path, fmt)
    assert [(r.line, triples(r)) for r in records] == [(n, [(0, 5, "ORG"), (10, 16, "ORG")]) for n in (1, 3)]
    assert problems == [Problem(str(path), 2, message)]


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_missing_or_non_string_text_in_every_json_format(tmp_path, fmt):
    docs = [document(fmt, "ok", []), document(fmt, "x", []), document(fmt, "y", [])]
    if fmt == "train_json":
        docs[1][0], docs[2][0] = None, 12
    elif fmt == "label_studio":
        del docs[1]["data"]["text"]
        docs[1]["data"]["other"] = 3  # no "text" and no string field at all
        docs[2]["data"]["text"] = 12
    else:
        del docs[1]["text"]
        docs[2]["text"] = 12
    records, problems = collect(put(tmp_path / f"t{SUFFIX[fmt]}", file_of(fmt, docs)), fmt)
    assert [r.text for r in records] == ["ok"]
    assert [p.line for p in problems] == [2, 3]
    assert problems[1].message == '"text" is the number 12, not a string. Store the text as a string.'
    assert {"prodigy": 'no "text" field. Every document needs its text as a string.',
            "doccano": 'no "text" field. Every document needs its text as a string.',
            "train_json": '"text" is null, not a string. Store the text as a string.',
            "label_studio": 'item 2: cannot tell which field of "data" holds the text (fields: other); name it '
                            "(Text field in the import dialog, --text-key on the command line). Export from "
                            "Label Studio as JSON (or JSON-MIN).",
            }[fmt] == problems[0].message


# ----------------------------------------------------------------------------- prodigy


def test_prodigy_good_file(tmp_path):
    path = put(tmp_path / "good.jsonl", jsonl(
        {"text": "Nike and Adidas", "answer": "accept", "_input_hash": -12, "meta": {"source": "r"},
         "spans": [{"start": 9, "end": 15, "label": "BRAND", "token_start": 2, "token_end": 2},
                   {"start": 0, "end": 4, "label": "BRAND", "text": "Nike", "source": "x"}]},
        {"text": "no answer"},
        {"text": "rejected", "answer": "reject", "_input_hash": "abc"},
        {"text": "ignored", "answer": "ignore", "spans": None, "meta": None},
    ) + "\n\n")
    records, problems = collect(path)
    assert problems == []
    assert [(r.line, r.state, r.input_hash) for r in records] == [
        (1, "accepted", "-12"), (2, "todo", None), (3, "rejected", "abc"), (4, "skipped", None),
    ]
    assert records[0].spans == [Span(0, 4, "BRAND", "user"), Span(9, 15, "BRAND", "user", 2, 2)]
    assert records[0].meta == {"source": "r"}


def test_prodigy_bad_lines_all_reported(tmp_path):
    path = put(tmp_path / "bad.jsonl", "\n".join(line for line, _ in PRODIGY_BAD_LINES) + "\n")
    records, problems = collect(path)
    assert [(r.line, r.text) for r in records] == [(1, "Apple makes phones"), (14, "Last one")]
    expected = [(n, marker) for n, (_, marker) in enumerate(PRODIGY_BAD_LINES, 1) if marker]
    assert [p.line for p in problems] == [n for n, _ in expected]
    for problem, (line, marker) in zip(problems, expected):
        assert problem.path == str(path)
        assert marker in problem.message, (line, problem.message)
        assert str(problem).startswith(f"{path}:{line}: ")


def test_prodigy_every_bad_span_reported_and_document_dropped(tmp_path):
    text = "Apple and Google"
    path = put(tmp_path / "s.jsonl", jsonl({"text": text, "spans": [
        {"start": 0, "end": 5, "label": "ORG"}, {"start": 9, "end": 16, "label": "ORG"},
        {"start": 10, "end": 99, "label": "ORG"}, {"start": 1, "end": "3", "label": "ORG"}, "oops"]}))
    records, problems = collect(path)
    assert records == []
    assert [p.message for p in problems] == [
        'span 5 is malformed (found the text \'oops\', expected an object). '
        "Each span needs integer start and end and a label.",
        "span [9, 16) ORG starts or ends with whitespace. Trim it to [10, 16).",
        "span 3 [10, 99) ORG is outside the text (length 16). Fix its offsets or remove it.",
        'span 4 is malformed ("end" is the text \'3\', not an integer). '
        "Each span needs integer start and end and a label.",
    ]


def test_prodigy_round_trip(tmp_path):
    records = [
        Record("Nike and Adidas", [Span(0, 4, "BRAND", token_start=0, token_end=0), Span(9, 15, "BRAND")],
               "accepted", {"k": [1, "two"]}, "1653937787"),
        Record("todo doc", [], "todo", {}, "not-a-number"),
        Record("bad one", [Span(0, 3, "X")], "rejected", {}, None),
        Record(UNICODE_TEXT, [Span(s, e, label) for s, e, label in unicode_offsets()], "skipped"),
    ]
    out = tmp_path / "out.jsonl"
    assert write(out, records, "prodigy", labels=["BRAND", "X", "EMO", "ORG", "GREET"]) == 4
    lines = [srsly.json_loads(line) for line in out.read_text("utf-8").splitlines()]
    assert lines[0]["_input_hash"] == 1653937787 and lines[0]["answer"] == "accept"
    assert lines[0]["spans"][0] == {"start": 0, "end": 4, "token_start": 0, "token_end": 0, "label": "BRAND"}
    assert "_input_hash" not in lines[1] and "answer" not in lines[1]
    assert [line.get("answer") for line in lines] == ["accept", None, "reject", "ignore"]
    back, problems = collect(out)
    assert problems == []
    for before, after in zip(records, back, strict=True):
        assert (after.text, after.spans, after.state, after.meta) == (before.text, before.spans, before.state,
                                                                      before.meta)
    assert [r.input_hash for r in back] == ["1653937787", None, None, None]


def test_writers_keep_only_the_given_labels(tmp_path):
    record = Record("Nike in Paris", [Span(0, 4, "BRAND"), Span(8, 13, "GPE")], "accepted")
    for fmt in WRITE_FORMATS:
        out = tmp_path / f"out{SUFFIX[fmt]}"
        assert write(out, [record], fmt, labels=["BRAND"]) == 1
        (back,), _ = collect(out, fmt)
        assert triples(back) == [(0, 4, "BRAND")], fmt


def test_failed_write_leaves_old_file(tmp_path):
    def records():
        yield Record("one", [], "todo")
        raise RuntimeError("database went away")

    for fmt in WRITE_FORMATS:
        out = put(tmp_path / fmt / f"out{SUFFIX[fmt]}", "old content\n")
        with pytest.raises(RuntimeError):
            write(out, records(), fmt, labels=[])
        assert out.read_text() == "old content\n"
        assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary left behind
    with pytest.raises(NerguiError, match="could not be written .* Check that the folder exists"):
        write(tmp_path / "no" / "such" / "out.jsonl", [Record("x")], "prodigy", labels=[])


# ----------------------------------------------------------------------------- doccano


def test_doccano_read_and_round_trip(tmp_path):
    path = put(tmp_path / "d.jsonl", jsonl(
        {"id": 1, "text": "Nike in Paris", "label": [[8, 13, "GPE"], [0, 4, "BRAND"]], "Comments": []},
        {"id": 2, "text": "nothing", "label": []},
        {"text": "Adidas", "labels": [[0, 6, "BRAND"]], "meta": {"src": "x"}},
        {"text": "Puma", "entities": [{"id": 9, "label": "BRAND", "start_offset": 0, "end_offset": 4}]},
        {"text": "Bad", "label": [[0, 3]]},
        {"text": "Worse", "label": [[0, 9, "X"]]},
    ))
    records, problems = collect(path)
    assert [(r.line, r.state, triples(r)) for r in records] == [
        (1, "accepted", [(0, 4, "BRAND"), (8, 13, "GPE")]), (2, "todo", []),
        (3, "accepted", [(0, 6, "BRAND")]), (4, "accepted", [(0, 4, "BRAND")]),
    ]
    assert records[0].meta == {"id": 1, "Comments": []} and records[2].meta == {"src": "x"}
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (5, "span 1 is malformed"), (6, "span 1 [0, 9) X is outside the text")]
    out = tmp_path / "out.jsonl"
    assert write(out, records, "doccano", labels=["BRAND", "GPE"]) == 4
    assert srsly.json_loads(out.read_text().splitlines()[0]) == {
        "text": "Nike in Paris", "label": [[0, 4, "BRAND"], [8, 13, "GPE"]]}
    back, problems = collect(out)
    assert problems == [] and [(r.text, r.spans) for r in back] == [(r.text, r.spans) for r in records]


# ----------------------------------------------------------------------------- real data


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "fashion_brands_training.jsonl").is_file(),
                    reason=f"real data not found at {SHARED} (../shared/data beside the checkout)")
def test_fashion_brands_round_trip(tmp_path):
    source = SHARED / "fashion_brands_training.jsonl"
    records, problems = collect(source, "prodigy")
    assert problems == [] and len(records) == 1235
    out = tmp_path / "copy.jsonl"
    assert write(out, records, "prodigy", labels=["FASHION_BRAND"]) == 1235
    original = [srsly.json_loads(line) for line in source.read_text("utf-8").splitlines() if line.strip()]
    copied = [srsly.json_loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(original) == len(copied) == 1235
    for a, b in zip(original, copied):
        assert a["text"] == b["text"]
        assert sorted((s["start"], s["end"], s["label"]) for s in a["spans"]) == [
            (s["start"], s["end"], s["label"]) for s in b["spans"]]
        assert (b["_input_hash"], b["answer"]) == (a["_input_hash"], a["answer"])
