"""The window's part in a team's project: this app's annotator name, and (for a project in a
database) the name and the server in the status bar.

The name is recorded with every span and rejection made in the window (``Project.annotator``).
For a project folder it is the app's (QSettings "annotator"; by default $NERGUI_ANNOTATOR or
the login); for a project in a database, the database user, which its row-level policies
check (``backends/pg_roles.py``).
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLabel

from ..core.backends import LINK_NAME
from ..errors import Msg

SETTING = "annotator"


def setup(window) -> None:
    """Give the window's project this app's annotator name; show it for a database project."""
    project = window.session.project
    name = str(window.settings.value(SETTING) or "").strip()
    database = (project.path / LINK_NAME).exists()
    if name and not database:  # in a database, the name is the database user (its policies check it)
        project.annotator = name
    window.team_label = None
    if database:
        window.team_label = QLabel()
        window.team_label.setContentsMargins(6, 0, 6, 0)
        window.statusBar().addPermanentWidget(window.team_label)
        _show(window)


def _show(window) -> None:
    if window.team_label is not None:
        project = window.session.project
        host = project.location.split("://", 1)[-1].split("/", 1)[0].split("@")[-1]
        window.team_label.setText(f"{project.annotator or 'no name'} on {host}")
        window.team_label.setToolTip(project.location)


def ask_name(window) -> None:
    """File > Annotator name: the name this app records with what is marked in it."""
    project = window.session.project
    if (project.path / LINK_NAME).exists():
        window.message(Msg.GUI_ANNOTATOR_DATABASE.format(name=project.annotator))
        return
    name, ok = QInputDialog.getText(window, "Annotator name",
                                    "Your name, recorded with every span and rejection you make:",
                                    text=project.annotator or "")
    name = name.strip()
    if ok and name:
        window.settings.setValue(SETTING, name)
        project.annotator = name
        _show(window)
        window.message(Msg.GUI_ANNOTATOR_SET.format(name=name))
