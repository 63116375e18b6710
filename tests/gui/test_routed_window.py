"""Next in a team's window takes the router's document (gui/routed.py): with
annotations_per_task 2, two windows (ana, ben) and a third annotator's (cid) on one project,
cid never gets a document ana and ben both hold or finished, and each window says which
document it holds."""

from PySide6.QtCore import QSettings

from nergui.core.routing import Router
from nergui.core.store import Project
from nergui.core.versions import PER_TASK, acting_as
from nergui.errors import Msg, in_window

TEXTS = [f"Acme Widgets opened shop number {i} in Berlin" for i in range(1, 9)]


def _window(qtbot, tmp_path, location, name):
    from nergui.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / f"settings-{name}.ini"), QSettings.IniFormat)
    settings.setValue("learn/default", "off")
    settings.setValue("annotator", name)
    w = MainWindow(Project.open(location), settings=settings, predictions=False)
    qtbot.addWidget(w)
    w.show()
    return w


def _held(w):
    return w.session.doc.id if w.session.doc is not None else None


def test_third_annotator_never_gets_a_document_the_two_hold(make_project, qtbot, tmp_path):
    project = make_project(TEXTS)
    project.set_setting(PER_TASK, "2")
    location = project.location
    ana = _window(qtbot, tmp_path, location, "ana")
    ben = _window(qtbot, tmp_path, location, "ben")
    assert ana.routed is not None and ben.routed is not None
    assert not ana.ordering.bar.combo.isEnabled()  # the ordering does not choose in a team's project
    assert (_held(ana), _held(ben)) == (1, 1)  # the window opens the router's document: doc 1 for both
    assert ana.routed.label.text().startswith("Yours: document 1 (kept for you until ")
    assert ana.routed.label.text().endswith("\u00b7 0 held or finished by others")  # said before ben came
    ana.routed.refresh()  # (every 15 s)
    assert ana.routed.label.text().endswith("\u00b7 1 held or finished by others")  # ben's
    cid = _window(qtbot, tmp_path, location, "cid")
    assert _held(cid) == 2  # doc 1 has its two annotators
    assert cid.routed.label.text().endswith("\u00b7 1 held or finished by others")

    cid_docs = [_held(cid)]
    ana.set_state("accepted")  # finishes ana's assignment of doc 1, Next: doc 2 (cid's alone so far)
    assert _held(ana) == 2
    ben.set_state("accepted")  # doc 2 has cid and ana: ben gets doc 3
    assert _held(ben) == 3
    for _ in range(3):
        cid.set_state("accepted")
        cid_docs.append(_held(cid))
    ana.set_state("skipped")  # ana gives doc 2 back and is not handed it again in this window:
    assert _held(ana) == 4  # 3 has ben and cid, 4 cid alone

    router = Router(project)
    both = {d for d in range(1, 9) if {"ana", "ben"} <= set(router.assignments(d))}
    assert 1 in both
    assert not both & set(cid_docs), (both, cid_docs)
    assert all(len(router.assignments(d)) <= 2 for d in range(1, 9))
    assert cid_docs == [2, 3, 4, 5]  # doc 3 had ben alone
    # accepted in the window finished the assignments (the router's record)
    assert router.assignments(1) == {"ana": True, "ben": True}
    with acting_as(project, "cid"):
        assert project.get_document(2).state == "accepted"

    # cid opens doc 1 from the list: the window says whose it is, and Next comes back to cid's own
    held = _held(cid)
    cid.ordering.open(1)
    assert cid.statusBar().currentMessage() == in_window(
        Msg.ROUTED_NOT_YOURS.format(doc_id=1, per_task=2, s="s", names="ana, ben"))
    cid.ordering.next()
    assert _held(cid) == held
    for w in (ana, ben, cid):
        w.close()


def test_single_user_project_is_not_routed(make_project, make_window):
    w = make_window(make_project(TEXTS[:2]))
    assert w.routed is None


def test_routing_setting_on_postgres_splits_the_documents(pg_store, qtbot, tmp_path):
    """A PostgreSQL project with one annotator per document and ``routing`` on: two
    annotators' windows (two database users with the annotator role) never hold the same
    document, and Next goes on to documents nobody has."""
    import uuid

    import psycopg

    from nergui.core.backends import pg_roles
    from nergui.core.records import Record

    url = pg_store.location()
    tag = uuid.uuid4().hex[:8]
    users = [f"r{tag}_{n}" for n in ("ana", "ben")]
    owner = psycopg.connect(pg_store.server, autocommit=True)
    with Project.create(url) as p:
        p.set_setting("base_pipeline", "blank:en")
        p.add_label("ORG")
        p.import_records([Record(t, line=i + 1) for i, t in enumerate(TEXTS[:5])], path="t")
        p.set_setting("routing", "on")
        loc = p.backend.loc
        for user in users:
            owner.execute(f'CREATE ROLE "{user}" LOGIN')
            pg_roles.grant(p.conn.raw, loc, user, "annotator")
    windows = []
    try:
        windows += [_window(qtbot, tmp_path, url.replace("://", f"://{u}@", 1) if "@" not in url
                            else url.replace(url.split("://")[1].split("@")[0], u, 1), u) for u in users]
        ana, ben = windows
        assert ana.routed is not None and ben.routed is not None
        assert (_held(ana), _held(ben)) == (1, 2)  # one annotator each: ben does not get ana's
        ana.set_state("accepted")
        assert _held(ana) == 3
        ben.set_state("skipped")  # given back (routing alone: the assignment is released)
        assert _held(ben) == 4
        assert Router(ana.session.project).assignments(2) == {}
        ana.set_state("accepted")
        assert _held(ana) == 5  # 2 is skipped: with one version per document, skipped for everyone
        assert Router(ana.session.project).assignments(1) == {users[0]: True}
        ana.set_state("accepted")
        assert _held(ana) is not None and ana.routed.held is None  # nothing left: said, the last one stays shown
        assert ana.routed.label.text().startswith("Nothing left for you")
    finally:
        for w in windows:  # before the schema goes: nothing of theirs reads it after
            w.close()
            w.session.project.close()
        pg_store.drop()
        pg_store.made.clear()
        for user in users:
            owner.execute(f'DROP OWNED BY "{user}"')
            owner.execute(f'DROP ROLE IF EXISTS "{user}"')
        for role in pg_roles.ROLES:
            owner.execute(f'DROP OWNED BY "{pg_roles.group(loc, role)}"')
            owner.execute(f'DROP ROLE IF EXISTS "{pg_roles.group(loc, role)}"')
        owner.close()
