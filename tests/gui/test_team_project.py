"""A project in a PostgreSQL database, in the app (real server: NERGUI_TEST_PG): opened from
File > Open a project in a database, named by its project name, remembered by its URL; a
span marked in the window is in the database for every other app, and a version another
machine saves is the window's model within seconds (LISTEN/NOTIFY)."""

import spacy
from PySide6.QtWidgets import QInputDialog

from nergui.core.pipeline import ModelStore
from nergui.core.records import Record
from nergui.core.store import Project
from nergui.gui import projects

from ..modals import on_modals
from .conftest import drag, spans_of

TEXT = "Acme Widgets hired Jane Doe in Berlin."


def test_a_database_project_opens_from_the_file_menu_and_keeps_the_edits(make_project, make_window, pg_store, qtbot,
                                                                         tmp_path, monkeypatch):
    url = pg_store.location("shop")
    with Project.create(url) as p:
        p.set_setting("base_pipeline", "blank:en")
        p.add_label("BRAND")
        p.import_records([Record(TEXT, line=1)], path="t")
    w = make_window(make_project(["A folder project's text."]))
    left = on_modals((QInputDialog, lambda d: (d.setTextValue(url), d.accept())))
    w.acts["open_url"].trigger()
    assert not left
    new = projects._windows[-1]
    try:
        assert new is not w and new.session.project.location == url
        assert new.windowTitle() == url.split("project=")[1] + " \u2014 nergui"  # the project's name
        assert projects.recent(new.settings)[0] == url  # remembered by its URL, not its cache folder
        new.show()
        user = url.split("://")[1].split("@")[0]  # the test server's user
        assert new.team_label.text() == f"{user} on 127.0.0.1:" + url.split(":")[2].split("/")[0]
        new.acts["annotator"].trigger()  # File > Annotator name: here, the database user
        assert f"your database user, {user}" in new.statusBar().currentMessage()
        drag(new.view, 0, 4)  # marks with the first label, BRAND
        with Project.open(url) as another_app:
            assert spans_of(another_app) == [(0, 4, "BRAND")]
            assert another_app.authors(1)["spans"] == {(0, 4, "BRAND"): user}
        monkeypatch.setenv("NERGUI_CACHE_DIR", str(tmp_path / "trainer-machine"))
        with Project.open(url) as trainer:  # another machine trains and keeps a version
            nlp = spacy.blank("en")
            nlp.add_pipe("ner").add_label("BRAND")
            nlp.initialize()
            ModelStore(trainer.models_dir).save(nlp)
        qtbot.waitUntil(lambda: new.model_label.text().startswith("model v0001"), timeout=15000)
    finally:
        new.close()
        projects._windows.remove(new)


def test_the_annotator_name_of_a_folder_project_is_the_apps(make_project, make_window):
    w = make_window(make_project([TEXT]))
    assert w.team_label is None  # a folder project: no server to show
    left = on_modals((QInputDialog, lambda d: (d.setTextValue("Ana"), d.accept())))
    w.acts["annotator"].trigger()  # File > Annotator name
    assert not left and w.settings.value("annotator") == "Ana"
    drag(w.view, 0, 4)
    assert w.session.project.authors(1)["spans"] == {(0, 4, "ORG"): "Ana"}
