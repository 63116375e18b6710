"""File > Export: the scope (accepted, all, the list's filter), each format said in one line,
and the file suffix added to a name typed without one (issue 12)."""

from __future__ import annotations

import json

from nergui.core.format_names import EXPORT_FORMATS
from nergui.core.records import Span
from nergui.gui.export_dialog import ExportDialog

from ..modals import on_modals


def project_with_states(make_project):
    project = make_project(["Acme roasts.", "Globex brews.", "Initech sells.", "Acme again."], labels=("ORG",))
    for doc_id, state in ((1, "accepted"), (2, "accepted"), (3, "rejected")):
        project.set_state(doc_id, state)
    project.add_span(1, Span(0, 4, "ORG"))
    return project


def exported(path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()]


def run_export(w, qtbot, fill):
    seen = {}

    def step(d):
        seen.update(fill(d) or {})
        d.accept()
        seen["open"] = d.isVisible()
        if d.isVisible():
            d.reject()

    left = on_modals((ExportDialog, step))
    w.acts["export"].trigger()
    assert not left
    return seen


def test_each_scope_and_the_suffix(make_project, make_window, qtbot, tmp_path):
    w = make_window(project_with_states(make_project))
    w.docs.search.setText("acme")
    w.docs.apply_filter()
    assert len(w.docs.model.ids) == 2

    def accepted(d):
        texts = {k: b.text() for k, b in d.scopes.items()}
        lines = {k: label.text() for k, label in d.explained.items()}
        d.formats["prodigy"].setChecked(True)
        d.scopes["accepted"].setChecked(True)
        d.path.setText(str(tmp_path / "accepted"))
        return {"scopes": texts, "lines": lines, "target": d.target.text()}

    seen = run_export(w, qtbot, accepted)
    assert seen["scopes"] == {"accepted": "Accepted documents (2)", "all": "All documents (4), with their state",
                              "filter": "The documents the list shows (2; search \u201cacme\u201d)"}
    assert set(seen["lines"]) == set(EXPORT_FORMATS) and all(seen["lines"].values())
    assert all("\n" not in line for line in seen["lines"].values())
    assert seen["target"] == f"Writes {tmp_path / 'accepted.jsonl'}"
    assert exported(tmp_path / "accepted.jsonl") == ["Acme roasts.", "Globex brews."]
    assert not (tmp_path / "accepted").exists()
    assert w.statusBar().currentMessage() == f"{tmp_path / 'accepted.jsonl'}: exported 2 documents."

    def shown(d):
        assert d.formats["prodigy"].isChecked() and d.scopes["accepted"].isChecked()  # remembered
        d.scopes["filter"].setChecked(True)
        d.path.setText(str(tmp_path / "shown"))

    run_export(w, qtbot, shown)
    assert exported(tmp_path / "shown.jsonl") == ["Acme roasts.", "Acme again."]

    def everything(d):
        d.formats["doccano"].setChecked(True)
        d.scopes["all"].setChecked(True)
        d.path.setText(str(tmp_path / "all.txt"))  # a suffix typed: kept

    run_export(w, qtbot, everything)
    assert exported(tmp_path / "all.txt") == ["Acme roasts.", "Globex brews.", "Initech sells.", "Acme again."]
    assert not (tmp_path / "all.txt.jsonl").exists()


def test_nothing_to_export_or_nowhere_is_said_in_the_dialog(make_project, make_window, qtbot, tmp_path):
    w = make_window(make_project(["Only to do."]))

    def empty(d):
        d.formats["conll"].setChecked(True)
        d.scopes["accepted"].setChecked(True)
        d.accept()
        first = d.error.text()
        d.path.setText(str(tmp_path / "out"))
        d.accept()
        return {"no_target": first, "error": d.error.text()}

    seen = run_export(w, qtbot, empty)
    assert seen["no_target"] == "Choose where to export to (Browse\u2026), or type a file name."
    assert seen["error"].startswith("No documents to export in this scope (Accepted documents (0))")
    assert seen["open"] and not (tmp_path / "out.conll").exists()


def test_a_failed_export_opens_the_error_dialog_with_export_again(make_project, make_window, qtbot, tmp_path):
    w = make_window(project_with_states(make_project))

    def nowhere(d):
        d.formats["prodigy"].setChecked(True)
        d.scopes["all"].setChecked(True)
        d.path.setText(str(tmp_path / "no" / "such" / "folder" / "out"))

    run_export(w, qtbot, nowhere)
    (dlg,) = w.error_dialogs
    assert dlg.windowTitle() == "Nothing was exported"
    assert dlg.message.text().startswith(f"{tmp_path / 'no' / 'such' / 'folder' / 'out.jsonl'}: could not be written")
    assert dlg.action.text() == "Export again\u2026"
