"""The bad-input corpus: every importer, the pipeline loader and the project folder.

Each ``Case`` builds its input (a committed file under ``bad_inputs/`` or one it writes),
gives the ``nergui`` command line to run, and says what must happen: the exit code, the
pieces the message must hold (the file, the line or span, what to do) and, for inputs that
are unusual but valid, exactly which documents and spans are imported.

``python -m tests.reliability.corpus`` prints the table of every case and its message.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nergui.core.store import SCHEMA_VERSION

from .conftest import BAD_INPUTS

GOOD = '{"text": "A good document about Acme.", "spans": [{"start": 22, "end": 26, "label": "ORG"}]}\n'


@dataclass
class Case:
    id: str
    importer: str  # the reader, "pipeline" (the loader) or "project"
    what: str  # the bad input, for the table
    build: Callable[[Path], list[str]]  # tmp folder -> the command line; "{project}" is the project
    rc: int
    expect: tuple[str, ...] = ()  # in stderr (or stdout when rc is 0); "{file}" is argv[2]
    docs: list[tuple[str, list[tuple[int, int, str]]]] | None = None  # valid inputs: what is imported
    subprocess: bool = False  # also run as a real process
    patch: Callable | None = None  # (monkeypatch, tmp, project) before running
    fresh_project: bool = False  # the command names its own project (built by ``build``)


def put(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def jsonl(*rows) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def imp(path, *extra) -> list[str]:
    return ["import", "{project}", str(path), *extra]


def spans(text: str, *pieces: tuple[str, str]) -> list[tuple[int, int, str]]:
    out = []
    for piece, label in pieces:
        start = text.index(piece)
        out.append((start, start + len(piece), label))
    return out


def written(name: str, content: str | bytes, *extra: str) -> Callable[[Path], list[str]]:
    return lambda tmp: imp(put(tmp / name, content), *extra)


def committed(name: str, *extra: str) -> Callable[[Path], list[str]]:
    return lambda tmp: imp(BAD_INPUTS / name, *extra)


# ---------------------------------------------------------------------------- built inputs
BIG = "word " * 400_000 + "Acme"  # 2,000,004 characters, a span at the very end
RTL = ["שלום עולם from ACME בע״מ", "مرحبا بكم في القاهرة اليوم", "Micro\u200bsoft and Net\u200dflix\u200c here"]
EMOJI = "I ❤ 😀 Nike and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Corp 🇩🇪 👨\u200d👩\u200d👧"


def _docbin(tmp: Path, texts_and_ents) -> Path:
    import spacy
    from spacy.tokens import DocBin
    from spacy.tokens import Span as SpacySpan

    nlp = spacy.blank("en")
    docs = []
    for text, ents in texts_and_ents:
        doc = nlp.make_doc(text)
        doc.ents = [SpacySpan(doc, a, b, label) for a, b, label in ents]
        docs.append(doc)
    path = tmp / "good.spacy"
    DocBin(docs=docs).to_disk(path)
    return path


def truncated_docbin(tmp: Path) -> list[str]:
    path = _docbin(tmp, [("Acme hired Ann in Paris .", [(0, 1, "ORG")])] * 20)
    return imp(put(tmp / "truncated.spacy", path.read_bytes()[: path.stat().st_size // 2]))


def bad_msgpack_docbin(tmp: Path) -> list[str]:
    return imp(put(tmp / "garbled.spacy", zlib.compress(b"\x93\xc1\x01\x02")))


def wrong_keys_docbin(tmp: Path) -> list[str]:
    import srsly

    return imp(put(tmp / "keys.spacy", zlib.compress(srsly.msgpack_dumps({"attrs": [1], "tokens": b"x"}))))


def unicode_docbin(tmp: Path) -> list[str]:
    return imp(_docbin(tmp, [(EMOJI, [(3, 4, "ORG")]), (RTL[0], [(2, 3, "ORG")])]))


def missing_file(tmp: Path) -> list[str]:
    return imp(tmp / "no_such_file.jsonl")


def directory_for_file(name: str, *extra: str) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        (tmp / name).mkdir()
        put(tmp / name / "inside.jsonl", GOOD)
        return imp(tmp / name, *extra)
    return build


def folder_of(files: dict[str, str | bytes]) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        for name, content in files.items():
            put(tmp / "docs" / name, content)
        return imp(tmp / "docs", "--format", "text_files")
    return build


def with_base(base: Callable[[Path], str], command: str = "import") -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        spec = base(tmp)
        if command == "train":
            return ["train", "{project}", "--base", spec, "--epochs", "1"]
        return imp(put(tmp / "good.jsonl", GOOD), "--base", spec)
    return build


def corrupt_weights(tmp: Path) -> str:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("ORG")
    nlp.initialize()
    nlp.to_disk(tmp / "weights")
    model = tmp / "weights" / "ner" / "model"
    model.write_bytes(model.read_bytes()[:1000])
    return str(tmp / "weights")


def old_pipeline(tmp: Path) -> str:
    put(tmp / "old" / "config.cfg", "[nlp]\nlang = \"en\"\npipeline = []\n")
    put(tmp / "old" / "meta.json", json.dumps({"lang": "en", "name": "old", "spacy_version": ">=2.0.0,<2.1.0"}))
    return str(tmp / "old")


def other_project(tmp: Path, damage: Callable[[Path], None]) -> list[str]:
    """A real project with data, damaged by ``damage(db)``, and a good file to import into it."""
    from .conftest import make_project

    project = make_project(tmp / "damaged")
    with sqlite3.connect(project / "nergui.sqlite") as conn:
        conn.executemany("INSERT INTO documents (text, input_hash) VALUES (?, ?)",
                         [(f"filler document {i} " * 40, f"h{i}") for i in range(400)])
    conn.close()
    conn = sqlite3.connect(project / "nergui.sqlite")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    damage(project / "nergui.sqlite")
    return ["import", str(project), str(put(tmp / "good.jsonl", GOOD))]


def garbage_header(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[:16] = b"not a database!!"
    db.write_bytes(bytes(data))


def zeroed_pages(db: Path) -> None:
    data = bytearray(db.read_bytes())
    for page in range(2, len(data) // 4096, 3):
        data[page * 4096:(page + 1) * 4096] = bytes(4096)
    db.write_bytes(bytes(data))


def truncated_db(db: Path) -> None:
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 3])


def newer_schema(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()


def read_only(which: str) -> Callable:
    """os.access says "not writable" for the project folder or its database. The tests run
    as root, for whom chmod changes nothing; this checks the app's own os.access logic. A
    real read-only mount is tested separately (test_read_only_mount_in_a_real_process)."""
    def patch(monkeypatch, tmp: Path, project: Path) -> None:
        real = os.access
        target = Path(project) / "nergui.sqlite" if which == "db" else Path(project)

        def access(path, mode, *args, **kwargs):
            if Path(path) == target and mode & os.W_OK:
                return False
            return real(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)
    return patch


# ---------------------------------------------------------------------------- the cases
LINE_ADVICE = "Fix the file, pass --partial"
CASES: list[Case] = [
    # ---- prodigy
    Case("prodigy-broken-json", "prodigy", "broken JSON line", written("broken.jsonl", GOOD + '{"text": "no end\n'),
         1, ("{file}:2:", "not valid JSON", "Fix or remove this line", LINE_ADVICE), subprocess=True),
    Case("prodigy-not-object", "prodigy", "a JSON list instead of an object", written("list.jsonl", GOOD + "[1, 2]\n"),
         1, ("{file}:2:", "expected a JSON object", LINE_ADVICE)),
    Case("prodigy-no-text", "prodigy", "missing \"text\"", written("notext.jsonl", '{"spans": []}\n'),
         1, ("{file}:1:", 'no "text" field', "needs its text as a string")),
    Case("prodigy-text-number", "prodigy", "\"text\" is a number", written("num.jsonl", '{"text": 42}\n'),
         1, ("{file}:1:", '"text" is the number 42', "Store the text as a string")),
    Case("prodigy-text-null", "prodigy", "\"text\" is null", written("null.jsonl", GOOD + '{"text": null}\n'),
         1, ("{file}:2:", '"text" is null', "Store the text as a string")),
    Case("prodigy-out-of-range", "prodigy", "span offsets past the end of the text",
         written("range.jsonl", jsonl({"text": "Acme", "spans": [{"start": 0, "end": 40, "label": "ORG"}]})),
         1, ("{file}:1:", "span 1 [0, 40) ORG is outside the text (length 4)", "Fix its offsets or remove it")),
    Case("prodigy-negative", "prodigy", "negative start offset",
         written("neg.jsonl", jsonl({"text": "Acme", "spans": [{"start": -2, "end": 3, "label": "ORG"}]})),
         1, ("{file}:1:", "span 1 [-2, 3) ORG is outside the text", "Fix its offsets")),
    Case("prodigy-reversed", "prodigy", "span end before start",
         written("rev.jsonl", jsonl({"text": "Acme Corp", "spans": [{"start": 4, "end": 0, "label": "ORG"}]})),
         1, ("{file}:1:", "span 1 has end 0 before start 4", "Swap or fix the offsets")),
    Case("prodigy-overlap", "prodigy", "overlapping spans",
         written("overlap.jsonl", jsonl({"text": "Acme Corp Ltd", "spans": [
             {"start": 0, "end": 9, "label": "ORG"}, {"start": 5, "end": 13, "label": "ORG"}]})),
         1, ("{file}:1:", "spans [0, 9) ORG and [5, 13) ORG overlap", "keep one of them")),
    Case("prodigy-string-offset", "prodigy", "offset given as a string",
         written("str.jsonl", jsonl({"text": "Acme", "spans": [{"start": "0", "end": 4, "label": "ORG"}]})),
         1, ("{file}:1:", "span 1 is malformed", "Each span needs integer start and end")),
    Case("prodigy-bad-label", "prodigy", "label with a space",
         written("label.jsonl", jsonl({"text": "Acme", "spans": [{"start": 0, "end": 4, "label": "MY ORG"}]})),
         1, ("{file}:1:", "label 'MY ORG'", "labels must be non-empty text without spaces")),
    Case("prodigy-whitespace-span", "prodigy", "span with surrounding whitespace",
         written("ws.jsonl", jsonl({"text": "Hi Acme now", "spans": [{"start": 2, "end": 8, "label": "ORG"}]})),
         1, ("{file}:1:", "span [2, 8) ORG starts or ends with whitespace", "Trim it to [3, 7)")),
    Case("prodigy-lone-surrogate", "prodigy", "unpaired UTF-16 surrogate escape",
         written("sur.jsonl", '{"text": "bad \\ud83d here"}\n'),
         1, ("{file}:1:", "unpaired surrogate (U+D83D) at offset 4", "Fix the \\u escape")),
    Case("prodigy-misaligned", "prodigy", "span cutting a token (kept, reported)",
         written("mis.jsonl", jsonl({"text": "Acmeville is far", "spans": [{"start": 0, "end": 4, "label": "ORG"}]})),
         0, ("{file}:1:", "does not match token boundaries", "Expand to [0, 9) 'Acmeville'"),
         docs=[("Acmeville is far", [(0, 4, "ORG")])]),
    Case("prodigy-empty-text", "prodigy", "empty and whitespace-only documents (kept, round-trip)",
         written("empty_text.jsonl", '{"text": ""}\n{"text": "  "}\n'), 0, ("imported 2 documents",),
         docs=[("", []), ("  ", [])]),
    Case("prodigy-2mb", "prodigy", "a 2 MB document with a span at its end",
         written("big.jsonl", jsonl({"text": BIG, "spans": [{"start": len(BIG) - 4, "end": len(BIG), "label": "ORG"}]})),
         0, ("imported 1 documents",), docs=[(BIG, [(len(BIG) - 4, len(BIG), "ORG")])]),
    Case("prodigy-bom-crlf", "prodigy", "UTF-8 BOM, CRLF line ends, CRLF inside a text", committed("bom_crlf.jsonl"),
         0, ("imported 2 documents",),
         docs=[("line one\r\nApple line two", [(10, 15, "ORG")]), ("Second doc by Google", [(14, 20, "ORG")])]),
    Case("prodigy-rtl-zero-width", "prodigy", "right-to-left text, zero-width characters in spans",
         committed("rtl_zero_width.jsonl"), 0, ("imported 3 documents",),
         docs=[(RTL[0], spans(RTL[0], ("עולם", "LOC"), ("ACME", "ORG"))), (RTL[1], spans(RTL[1], ("القاهرة", "LOC"))),
               (RTL[2], spans(RTL[2], ("Micro\u200bsoft", "ORG"), ("Net\u200dflix\u200c", "ORG")))]),
    Case("prodigy-emoji", "prodigy", "emoji, flags, ZWJ sequences, mathematical letters (non-BMP)",
         written("emoji.jsonl", jsonl({"text": EMOJI, "spans": [
             {"start": s, "end": e, "label": label} for s, e, label in spans(EMOJI, ("Nike", "ORG"), ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Corp", "ORG"))]})),
         0, ("imported 1 documents",), docs=[(EMOJI, spans(EMOJI, ("Nike", "ORG"), ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Corp", "ORG")))]),
    Case("prodigy-latin1", "prodigy", "Latin-1 bytes on line 2", committed("latin1.jsonl"),
         1, ("{file}:2:", "not UTF-8 (byte 0xe9", "iconv -f latin1 -t utf-8"), subprocess=True),
    Case("text-utf16", "text", "UTF-16 file with a byte-order mark", committed("utf16.txt"),
         1, ("{file}:1:", "not UTF-8", "Save it as UTF-8")),
    Case("prodigy-binary", "prodigy", "a PNG under a .jsonl name", committed("binary.jsonl"),
         1, ("{file}:", "looks like a binary file", "Export your data as Prodigy JSONL")),
    Case("prodigy-empty-file", "prodigy", "an empty file", written("empty.jsonl", b""),
         1, ("{file}:", "the file is empty", "Pick a file that holds documents")),
    Case("prodigy-directory", "prodigy", "a folder where a file is expected (--format prodigy)",
         directory_for_file("folder.jsonl", "--format", "prodigy"), 1, ("{file}:", "is a folder", "Pick the file itself")),
    Case("prodigy-missing", "prodigy", "a file that does not exist", missing_file,
         1, ("{file}:", "no such file", "Check the path")),
    Case("unknown-suffix", "any", "a name with no known format (.csv)", written("data.csv", "a,b\n"),
         1, ("{file}:", "could not tell the format: the first lines are neither JSON nor token-and-tag columns",
             "--format on the command line")),
    # ---- docbin
    Case("docbin-not-zlib", "docbin", "text bytes under a .spacy name", committed("corrupt.spacy"),
         1, ("{file}:", "not a readable spaCy DocBin", "Re-export it with 'DocBin.to_disk'"), subprocess=True),
    Case("docbin-truncated", "docbin", "a DocBin cut in half", truncated_docbin,
         1, ("{file}:", "not a readable spaCy DocBin", "Re-export it")),
    Case("docbin-bad-msgpack", "docbin", "zlib-compressed garbage (not msgpack)", bad_msgpack_docbin,
         1, ("{file}:", "not a readable spaCy DocBin", "Re-export it")),
    Case("docbin-wrong-keys", "docbin", "msgpack without a DocBin's fields", wrong_keys_docbin,
         1, ("{file}:", "not a readable spaCy DocBin", "Re-export it")),
    Case("docbin-empty", "docbin", "an empty .spacy file", written("empty.spacy", b""),
         1, ("{file}:", "the file is empty", "Pick a file")),
    Case("docbin-directory", "docbin", "a folder named like a DocBin", directory_for_file("folder.spacy", "--format", "docbin"),
         1, ("{file}:", "is a folder", "Pick the file itself")),
    Case("docbin-unicode", "docbin", "valid: emoji and right-to-left docs", unicode_docbin,
         0, ("imported 2 documents",), docs=[(EMOJI, spans(EMOJI, ("Nike", "ORG"))), (RTL[0], spans(RTL[0], ("from", "ORG")))]),
    # ---- train_json
    Case("train-json-broken", "train_json", "whole-file JSON broken on line 3",
         written("train.json", '[\n  ["Acme is here", {"entities": [[0, 4, "ORG"]]}],\n  ["oops", {"entities": [}]\n]\n'),
         1, ("{file}:3:", "not valid JSON", "Fix or remove this line")),
    Case("train-json-not-list", "train_json", "a JSON object, not a list",
         written("obj.json", '{"text": "Acme"}\n', "--format", "train_json"),
         1, ("{file}:", "expected a JSON list", "Pick a spaCy TRAIN_DATA JSON file")),
    Case("train-json-bad-item", "train_json", "an item that is not [text, annotations]",
         written("item.json", json.dumps([["Acme", {"entities": []}], "just text"]), "--format", "train_json"),
         1, ("{file}:2: item 2:", "expected [text,", "Fix or remove this item")),
    Case("train-json-out-of-range", "train_json", "entity offsets past the text",
         written("range.json", json.dumps([["Acme", {"entities": [[0, 9, "ORG"]]}]])),
         1, ("{file}:1:", "span 1 [0, 9) ORG is outside the text (length 4)", "Fix its offsets")),
    Case("train-json-text-list", "train_json", "text is a list",
         written("textlist.json", json.dumps([[["Acme"], {"entities": []}]]), "--format", "train_json"),
         1, ("{file}:1:", '"text" is a list of 1 item(s)', "Store the text as a string")),
    # ---- conll
    Case("conll-bad-tag", "conll", "a tag that is not IOB/BILUO", written("tags.conll", "Acme B-ORG\nis X-ORG\n"),
         1, ("{file}:2:", "tag 'X-ORG' is not an entity tag", LINE_ADVICE)),
    Case("conll-one-column", "conll", "a line without a tag column", written("cols.conll", "Acme B-ORG\nis\n"),
         1, ("{file}:2:", "expected a token and a tag", LINE_ADVICE)),
    Case("conll-bad-sequence", "conll", "an end tag of another type (B-ORG then E-PER)",
         written("seq.conll", "Acme B-ORG\nCorp E-PER\n"),
         1, ("{file}:2:", "cannot follow 'B-ORG'", "Fix the tag sequence")),
    Case("conll-open-at-end", "conll", "valid: BIOES entity still open at sentence end (closed there)",
         written("open.conll", "Acme U-ORG\nBig B-ORG\nCorp I-ORG\n"),
         0, ("imported 1 documents", "tags read as a mix of BIO and BIOES"),
         docs=[("Acme Big Corp", spans("Acme Big Corp", ("Acme", "ORG"), ("Big Corp", "ORG")))]),
    Case("conll-latin1", "conll", "Latin-1 bytes on line 2", written("l1.conll", b"Acme B-ORG\nM\xfcnchen B-LOC\n"),
         1, ("{file}:2:", "not UTF-8", "iconv")),
    Case("conll-emoji-crlf", "conll", "valid: emoji, flag and non-BMP tokens, CRLF", committed("emoji.conll"),
         0, ("imported 2 documents",),
         docs=[("I ❤ 😀 Nike shoes", spans("I ❤ 😀 Nike shoes", ("Nike", "ORG"))),
               ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Corp 🇩🇪", spans("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Corp 🇩🇪", ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Corp", "ORG")))]),
    # ---- doccano
    Case("doccano-reversed", "doccano", "a [start, end, label] with end before start",
         written("rev_doccano.jsonl", jsonl({"text": "Acme Corp", "label": [[5, 2, "ORG"]]})),
         1, ("{file}:1:", "span 1 has end 2 before start 5", "Swap or fix")),
    Case("doccano-label-not-list", "doccano", "\"label\" is a string",
         written("lab.jsonl", jsonl({"text": "Acme", "label": "ORG"}), "--format", "doccano"),
         1, ("{file}:1:", '"label" is the text \'ORG\'', "expected a list of [start, end, label]")),
    Case("doccano-short-triple", "doccano", "a label triple with two items",
         written("short.jsonl", jsonl({"text": "Acme", "label": [[0, 4]]})),
         1, ("{file}:1:", "span 1 is malformed", "expected [start, end, label]")),
    Case("doccano-text-missing", "doccano", "no text, only labels",
         written("nt.jsonl", jsonl({"label": [[0, 4, "ORG"]]}), "--format", "doccano"),
         1, ("{file}:1:", 'no "text" field', "needs its text as a string")),
    # ---- label_studio
    Case("label-studio-no-data", "label_studio", "a task without \"data\" (JSON-MIN export)",
         written("ls.json", json.dumps([{"data": {"text": "Acme"}}, {"text": "Acme", "label": []}])),
         1, ("{file}:2:", 'the task has no "data" object', "Export from Label Studio as JSON (or JSON-MIN)")),
    Case("label-studio-mismatch", "label_studio", "span text does not match its offsets",
         written("lsm.json", json.dumps([{"data": {"text": "Hello Acme"}, "annotations": [{"result": [
             {"type": "labels", "value": {"start": 0, "end": 5, "text": "Acme", "labels": ["ORG"]}}]}]}])),
         1, ("{file}:1:", "covers 'Hello', but the file says it covers 'Acme'", "Fix its offsets")),
    Case("label-studio-broken", "label_studio", "JSON broken on line 2",
         written("lsb.json", '[{"data": {"text": "Acme"},\n  "annotations": [}]\n'),
         1, ("{file}:2:", "not valid JSON", "Fix or remove this line")),
    Case("label-studio-utf16-offsets", "label_studio", "valid: browser (UTF-16) offsets after an emoji",
         committed("label_studio_utf16.json"), 0, ("imported 1 documents",), docs=[("I ❤ 😀 Nike", [(6, 10, "BRAND")])]),
    # ---- CSV and TSV with a text column
    Case("csv-row-width", "csv", "a row with an unquoted comma (more fields than the header)",
         written("rows.csv", "id,text\n1,Acme roasts.\n2,Globex, in Portland\n"),
         1, ("{file}:3:", "this row has 3 fields, but the header has 2", "in double quotes", LINE_ADVICE)),
    Case("csv-no-text-column", "csv", "CSV chosen, but no column named like a text",
         written("cols.csv", "id,words\n1,Acme\n", "--format", "csv"),
         1, ("{file}:", "no column is named like a text", "--text-key on the command line")),
    Case("csv-windows-1252", "csv", "valid with --encoding: a Windows-1252 CSV with curly quotes",
         written("w1252.csv", "text,source\nCaf\u00e9 \u201cNord\u201d,blog\n".encode("cp1252"), "--encoding", "cp1252"),
         0, ("imported 1 documents", "decoded as Windows-1252"), docs=[("Caf\u00e9 \u201cNord\u201d", [])]),
    # ---- text and text_files
    Case("text-latin1", "text", "Latin-1 bytes on line 3", committed("latin1.txt"),
         1, ("{file}:3:", "not UTF-8 (byte 0xef", "iconv")),
    Case("text-blank-only", "text", "only blank lines", written("blank.txt", "\n  \r\n\t\n"),
         1, ("{file}:", "the file is empty", "Pick a file")),
    Case("text-binary", "text", "NUL bytes in a .txt", written("bin.txt", b"abc\x00\x01\x02def"),
         1, ("{file}:", "looks like a binary file", "UTF-8 text")),
    Case("text-unusual-valid", "text", "valid: CRLF, RTL, emoji, zero-width and a 2 MB line",
         written("mixed.txt", ("שלום עולם\r\n😀 e\u0301 \u200b x\r\n" + BIG + "\r\n").encode()),
         0, ("imported 3 documents",), docs=[("שלום עולם", []), ("😀 e\u0301 \u200b x", []), (BIG, [])]),
    Case("text-files-not-folder", "text_files", "a file given as the folder",
         written("one.txt", "hello\n", "--format", "text_files"), 1, ("{file}:", "is a file, but a folder", "Pick the folder")),
    Case("text-files-none", "text_files", "a folder without .txt files", folder_of({"notes.md": "hi"}),
         1, ("{file}:", "holds no .txt files", "Pick a folder of UTF-8 .txt files")),
    Case("text-files-bad-member", "text_files", "one Latin-1 and one empty file among good ones",
         folder_of({"a.txt": "good one", "b.txt": b"caf\xe9", "c.txt": b""}),
         1, ("{file}/b.txt:1:", "not UTF-8", LINE_ADVICE)),
    # ---- spaCy v2 JSON and IOB
    Case("spacy-json-bad-token", "spacy_json", "a token without \"orth\"",
         written("v2.json", json.dumps([{"paragraphs": [{"sentences": [{"tokens": [
             {"orth": "Acme", "ner": "U-ORG"}, {"ner": "O"}]}]}]}])),
         1, ("{file}:1: document 1:", "paragraph 1, sentence 1, token 2 is an object", "fix this document")),
    Case("spacy-iob-bad-tag", "spacy_iob", "a token whose tag is not an entity tag",
         written("sents.iob", "Acme|B-ORG is|O here|O\nBad|X-ORG token|O\n"),
         1, ("{file}:2:", "token 1 'Bad|X-ORG' is not word|TAG", "Fix this line")),
    # ---- the pipeline loader (--base)
    Case("pipeline-not-a-pipeline", "pipeline", "a folder that is not a pipeline",
         with_base(lambda tmp: str(BAD_INPUTS / "not_a_pipeline")), 1,
         ("not_a_pipeline: not a spaCy pipeline folder (no config.cfg)", "Pick the folder that holds config.cfg")),
    Case("pipeline-broken-config", "pipeline", "config.cfg that does not parse",
         with_base(lambda tmp: str(BAD_INPUTS / "broken_config")), 1,
         ("broken_config: the pipeline could not be loaded", "Pick another version or re-download it"), subprocess=True),
    Case("pipeline-broken-config-train", "pipeline", "the same, given to train",
         with_base(lambda tmp: str(BAD_INPUTS / "broken_config"), "train"), 1,
         ("broken_config: the pipeline could not be loaded", "Pick another version")),
    Case("pipeline-corrupt-weights", "pipeline", "weights file cut short", with_base(corrupt_weights), 1,
         ("weights: the pipeline could not be loaded", "Pick another version or re-download it")),
    Case("pipeline-old-spacy", "pipeline", "meta.json asks for spaCy 2.0", with_base(old_pipeline), 1,
         ("old: made for spaCy >=2.0.0,<2.1.0", "Use a pipeline trained for spaCy")),
    Case("pipeline-unknown-name", "pipeline", "a package name that is not installed",
         with_base(lambda tmp: "en_core_web_nonexistent"), 1,
         ("'en_core_web_nonexistent' is not an installed spaCy pipeline", "Installed pipelines:")),
    Case("pipeline-bad-lang", "pipeline", "blank: with an unknown language", with_base(lambda tmp: "blank:zz"), 1,
         ("spaCy has no language 'zz'", "Use a code such as 'blank:en'")),
    Case("pipeline-with-a-bad-file", "pipeline", "a good --base with a bad file: the base is not changed either",
         written("broken_base.jsonl", GOOD + '{"text": 5}\n', "--base", "blank:de"), 1,
         ("{file}:2:", '"text" is the number 5', LINE_ADVICE)),
    Case("pipeline-is-a-file", "pipeline", "a file given as the pipeline",
         with_base(lambda tmp: str(put(tmp / "model.bin", b"\x00\x01"))), 1,
         ("model.bin: not a spaCy pipeline folder", "Pick the folder that holds config.cfg")),
    # ---- the project
    Case("project-garbage-header", "project", "database file with a garbage header",
         lambda tmp: other_project(tmp, garbage_header), 1,
         ("damaged/nergui.sqlite: the project database is damaged (file is not a database)", "Restore a backup"),
         fresh_project=True, subprocess=True),
    Case("project-zeroed-pages", "project", "database with zeroed pages (found past open)",
         lambda tmp: other_project(tmp, zeroed_pages), 1,
         ("damaged/nergui.sqlite: the project database is damaged (database disk image is malformed)",
          "sqlite3 nergui.sqlite .recover"), fresh_project=True),
    Case("project-truncated", "project", "database cut to a third", lambda tmp: other_project(tmp, truncated_db), 1,
         ("damaged/nergui.sqlite: the project database is damaged", "Restore a backup"), fresh_project=True),
    Case("project-newer-schema", "project", "database from a newer nergui", lambda tmp: other_project(tmp, newer_schema),
         1, (f"damaged: made by a newer nergui (schema 99 > {SCHEMA_VERSION})", "Update nergui"), fresh_project=True),
    Case("project-is-a-file", "project", "a file given as the project folder",
         lambda tmp: ["import", str(put(tmp / "proj.txt", "x")), str(put(tmp / "good.jsonl", GOOD))], 1,
         ("proj.txt: is a file; a project is a folder", "Pick a folder name"), fresh_project=True),
    Case("project-read-only-folder", "project", "read-only project folder (os.access patched)",
         written("good.jsonl", GOOD), 1,
         ("{project}: the project folder is read-only", "Copy it somewhere writable"), patch=read_only("folder")),
    Case("project-read-only-db", "project", "read-only database file (os.access patched)",
         written("good.jsonl", GOOD), 1,
         ("{project}/nergui.sqlite: the project database is read-only", "Fix its permissions"), patch=read_only("db")),
]


def fill(text: str, argv: list[str], project: Path) -> str:
    return text.replace("{project}", str(project)).replace("{file}", argv[2] if len(argv) > 2 else "")


def table_rows() -> list[tuple[str, str, str, int, str]]:
    """Run every case in a scratch folder: ``(id, importer, what, exit code, message)``."""
    from .conftest import cli, make_project

    rows = []
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            project = make_project(tmp / "project")
            if case.patch is not None:
                from _pytest.monkeypatch import MonkeyPatch

                mp = MonkeyPatch()
                case.patch(mp, tmp, project)
            argv = [fill(a, [], project) for a in case.build(tmp)]
            r = cli(*argv)
            if case.patch is not None:
                mp.undo()
            text = r.stderr if r.returncode else (r.stderr + r.stdout)
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            message = next((l for l in lines if l.startswith("nergui:")), None) or " / ".join(lines)
            rows.append((case.id, case.importer, case.what, r.returncode,
                         message.replace(str(tmp) + os.sep, "").replace(str(BAD_INPUTS) + os.sep, "")))
            shutil.rmtree(tmp / "project", ignore_errors=True)
    return rows


if __name__ == "__main__":
    print("| case | importer | input | exit | message |\n|---|---|---|---|---|")
    for row in table_rows():
        print("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
    sys.exit(0)
