"""CSV and TSV with a text column, files in encodings other than UTF-8, and the window's
wording of the messages whose advice differs from the command line's (issue 12)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nergui.core import formats, workflow
from nergui.core.records import Problem, Record
from nergui.core.store import Project
from nergui.errors import IN_WINDOW, InputError, Msg, in_window, made_from

from .format_samples import put


def project_at(path) -> Project:
    project = Project.create(path)
    project.set_setting("base_pipeline", "blank:en")
    return project


def records(path, **options):
    return [r for r in formats.read(path, **options) if isinstance(r, Record)]


# ---- CSV and TSV -------------------------------------------------------------------------------
def test_csv_rows_become_documents_with_the_other_columns_as_meta(tmp_path):
    path = put(tmp_path / "reviews.csv", 'id,Body,stars\n7,"Acme roasts, then ships.",5\n8,"Two\r\nlines",3\n9,,1\n')
    found = formats.detect(path)
    assert found.fmt == "csv"
    assert found.detected == 'CSV (comma-separated) with a header row, text in column "Body"'
    notes: list[str] = []
    items = list(formats.read(path, notes=notes))
    assert [(r.text, r.meta, r.line, r.state, r.spans) for r in items] == [
        ("Acme roasts, then ships.", {"id": "7", "stars": "5"}, 2, "todo", []),
        ("Two\nlines", {"id": "8", "stars": "3"}, 3, "todo", [])]
    assert notes == ['text from column "Body"; kept as meta: id, stars', "1 row(s) with an empty text left out"]


def test_tsv_and_semicolons_are_told_from_the_header(tmp_path):
    tsv = put(tmp_path / "data.tsv", "label\tsentence\npos\tA fine cortado.\n")
    semi = put(tmp_path / "excel.csv", "ID;Content\n1;Kaffee; aus Hamburg\n")
    assert formats.detect(tsv).detected == 'TSV (tab-separated) with a header row, text in column "sentence"'
    assert [(r.text, r.meta) for r in records(tsv)] == [("A fine cortado.", {"label": "pos"})]
    assert formats.detect(semi).options == {"delimiter": ";"}
    problems = [p for p in formats.read(semi) if isinstance(p, Problem)]
    assert [str(p) for p in problems] == [
        f"{semi}:2: this row has 3 fields, but the header has 2. Put a field that holds a semicolon in double "
        "quotes, or fix the row."]


def test_a_header_without_a_text_name_is_read_once_the_column_is_chosen(tmp_path):
    path = put(tmp_path / "notes.csv", "id,words\n1,Acme roasts coffee.\n")
    with pytest.raises(InputError, match="could not tell the format"):
        formats.detect(path)
    with pytest.raises(InputError) as err:
        list(formats.read(path, "csv"))
    assert str(err.value) == (
        f'{path}: no column is named like a text (text, sentence, sentences, content\u2026); the header row holds '
        '"id", "words". Choose the text column (Text column in the import dialog, --text-key on the command line).')
    assert [(r.text, r.meta) for r in records(path, fmt="csv", text_key="words")] == [
        ("Acme roasts coffee.", {"id": "1"})]
    with Project.create(tmp_path / "p") as project:
        report = workflow.import_file(project, path, fmt="csv", text_key="words")
        assert report.committed and report.imported == 1


def test_a_conll_file_that_starts_with_the_token_text_stays_conll(tmp_path):
    path = put(tmp_path / "train.tsv", "text\tO\nAcme\tB-ORG\n\nGlobex\tB-ORG\n")
    assert formats.detect(path).fmt == "conll"


# ---- encodings ------------------------------------------------------------------------------------
LATIN1 = '{"text": "Caf\u00e9 Fr\u00fchst\u00fcck in M\u00fcnchen"}\n{"text": "\u00c7a va"}\n'


def test_a_latin1_file_imports_when_its_encoding_is_chosen(tmp_path):
    path = put(tmp_path / "latin1.jsonl", LATIN1.encode("latin-1"))
    with pytest.raises(InputError) as err:
        formats.detect(path)
    assert made_from(Msg.NOT_UTF8, err.value)
    with project_at(tmp_path / "p") as project:
        report = workflow.import_file(project, path, encoding="latin-1")
        assert report.committed and report.imported == 2
        assert "decoded as Latin-1 (ISO-8859-1)" in report.notes
        assert [project.get_document(i).text for i in project.doc_ids()] == [
            "Caf\u00e9 Fr\u00fchst\u00fcck in M\u00fcnchen", "\u00c7a va"]


def test_utf16_and_windows_1252_files(tmp_path):
    utf16 = put(tmp_path / "notes.txt", "Z\u00fcrich r\u00f6stet.\r\nBern auch.\r\n".encode("utf-16"))
    assert [r.text for r in records(utf16, encoding="utf-16")] == ["Z\u00fcrich r\u00f6stet.", "Bern auch."]
    cp1252 = put(tmp_path / "quotes.csv", "text\n\u201cBest\u201d \u2013 Caf\u00e9\n".encode("cp1252"))
    assert [r.text for r in records(cp1252, encoding="cp1252")] == ["\u201cBest\u201d \u2013 Caf\u00e9"]


def test_a_byte_the_chosen_encoding_lacks_names_its_line(tmp_path):
    path = put(tmp_path / "x.txt", b"fine\nbad \x81 byte\n")
    with pytest.raises(InputError) as err:
        list(formats.read(path, encoding="cp1252"))
    assert str(err.value) == (
        f"{path}:2: the file is not Windows-1252 (Western European) (byte 0x81 at offset 9). Choose its encoding "
        "(Encoding in the import dialog, --encoding on the command line) and import again.")
    with pytest.raises(InputError, match="Unknown encoding 'klingon'"):
        list(formats.read(path, encoding="klingon"))


def test_the_command_line_takes_an_encoding(tmp_path):
    path = put(tmp_path / "latin1.jsonl", LATIN1.encode("latin-1"))
    run = [sys.executable, "-m", "nergui.cli", "import", str(tmp_path / "p"), str(path), "--base", "blank:en"]
    r = subprocess.run(run, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "iconv -f latin1 -t utf-8" in r.stderr  # the command line keeps its advice
    r = subprocess.run([*run, "--encoding", "latin-1"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "imported 2 documents" in r.stdout


# ---- the window's wording ------------------------------------------------------------------------------
CLI_ONLY = {  # said only by the command line (or its benches), never in the window
    "BASE_MISSING", "MIGRATE_SOURCE_NOT_FOLDER", "MIGRATE_TARGET_NOT_URL", "CLI_RETENTION", "CLI_RETENTION_RELABELLED", "CLI_INTERVAL", "CV_CLI"}


def test_no_command_line_advice_reaches_the_window():
    """Every message the window can show, in its wording: no flag, no command to type."""
    for name, template in Msg.names().items():
        if name.startswith("_") or not isinstance(template, str) or name in CLI_ONLY or name.startswith("BENCH_"):
            continue
        shown = in_window(template)
        for cli in (" --", "iconv", "'nergui ", "NERGUI_DEBUG", "on the command line"):
            assert cli not in shown, (name, shown)


def test_the_window_variants_match_their_entries_and_the_command_line_keeps_its_own():
    for name, (cli, gui) in IN_WINDOW.items():
        template = getattr(Msg, name)
        assert cli in template, name  # a variant for a phrase its entry no longer says would be dead
        assert cli not in in_window(template) and gui.split("{")[0] in in_window(template)
    message = Msg.NOT_UTF8.format(path="a.jsonl", line=2, byte=0xE9, offset=30)
    assert "iconv -f latin1 -t utf-8" in message  # str(): what the command line prints
    assert in_window(message) == (
        "a.jsonl:2: the file is not UTF-8 (byte 0xe9 at offset 30). Choose the file's encoding (Encoding in the "
        "import dialog: Latin-1, Windows-1252, UTF-16\u2026) and import again.")
    unknown = Msg.UNKNOWN_FORMAT.format(path="x.dat", detected="binary soup", formats="prodigy, csv")
    assert in_window(unknown) == "x.dat: could not tell the format: binary soup. Choose it under Format in the import dialog."
    assert in_window(Msg.NOT_A_PROJECT.format(path="/tmp/my data")) == (
        "/tmp/my data: not a nergui project (no nergui.sqlite). Pick the folder that holds nergui.sqlite, or create "
        "a project (File > New project).")
