"""Every message a user can see, in one place.

Messages name the file and line (or the span) and say what to do. Code raises
``NerguiError`` subclasses with one of these templates; the CLI prints ``str(err)``
on one line and exits non-zero, the GUI shows it in a dialog or the status bar.
"""

from __future__ import annotations

import re
import string

from .msg.bench import BenchMsg
from .msg.files import FileMsg
from .msg.journal import JournalMsg
from .msg.gui import GuiMsg
from .msg.learning import LearningMsg
from .msg.ordering import OrderingMsg
from .msg.replay import ReplayMsg
from .msg.routed import RoutedMsg
from .msg.store import StoreMsg
from .msg.teach import TeachMsg
from .msg.team import TeamMsg
from .msg.team_review import TeamReviewMsg
from .msg.training import TrainingMsg


class NerguiError(Exception):
    """A user-facing error: ``str()`` is the complete message, no traceback needed."""


class InputError(NerguiError):
    """A bad input file. ``problems`` lists every problem found (file:line: message)."""

    def __init__(self, message: str, problems=None):
        super().__init__(message)
        self.problems = list(problems or [])


class ProjectError(NerguiError):
    """The project folder or its database cannot be used."""


class StoreError(ProjectError):
    """The project database could not do what was asked: busy (another program is writing),
    read-only, disk full or damaged. Nothing was changed; the same action may work later."""


class EditConflict(ProjectError):
    """An edit no longer fits the data (the span it names is gone: the document was changed
    elsewhere). Retrying cannot help, unlike a ``StoreError``."""


class PipelineError(NerguiError):
    """A spaCy pipeline cannot be loaded, changed or saved."""


class TrainingError(NerguiError):
    """Training could not run or failed; the last good model is untouched."""


class SpanError(NerguiError):
    """A span cannot be added as asked (out of range, overlapping, misaligned)."""


class LabelError(NerguiError):
    """A label change cannot be made as asked (a name taken or not valid, a key not 1-9)."""


def detail(err: BaseException, *, limit: int | None = None) -> str:
    """An exception as the detail of a message: its type and text on one line."""
    text = " ".join(f"{type(err).__name__}: {err}".split())
    return text[:limit] if limit else text


class Msg(FileMsg, StoreMsg, TrainingMsg, GuiMsg, LearningMsg, OrderingMsg, TeachMsg, BenchMsg, ReplayMsg, TeamMsg,
          TeamReviewMsg, RoutedMsg, JournalMsg):
    """Message templates. Fill with ``Msg.X.format(...)``. Each area keeps its own in
    ``nergui/msg/``; ``Msg.names()`` lists them all."""

    @classmethod
    def names(cls) -> dict[str, str]:
        return {n: getattr(cls, n) for n in dir(cls) if n.isupper() and isinstance(getattr(cls, n), str)}


#: The window's wording where its advice differs from the command line's, by ``Msg`` entry:
#: ``(the command line's phrase, the window's)``. A phrase may hold the template's fields
#: ({path}), and the window's may use them. Besides these, a message that names both places as
#: "(X in the import dialog, --flag on the command line)" keeps only the first in the window.
#: ``in_window`` applies both to any message (also one quoted inside another).
IN_WINDOW: dict[str, tuple[str, str]] = {
    "NOT_UTF8": ("Save it as UTF-8 (for example 'iconv -f latin1 -t utf-8') and import again.",
                 "Choose the file's encoding (Encoding in the import dialog: Latin-1, Windows-1252, UTF-16\u2026) "
                 "and import again."),
    "NOT_UTF8_BUT_UTF16": ("Save it as UTF-8 (it is UTF-16: for example 'iconv -f utf-16 -t utf-8') and import again.",
                           "It is UTF-16: choose UTF-16 (Encoding in the import dialog) and import again."),
    "UNKNOWN_FORMAT": ("Choose the format (Format in the import dialog, --format on the command line): {formats}.",
                       "Choose it under Format in the import dialog."),
    "NOT_DIR": ("Pick the folder, or use --format text.",
                "Pick the folder, or choose plain text (Format in the import dialog)."),
    "NOT_A_PROJECT": ("Create one with 'nergui import {path} FILE'.",
                      "Pick the folder that holds nergui.sqlite, or create a project (File > New project)."),
    "TEACH_NO_BASE": ("Import a file with --base PIPELINE (for example en_core_web_sm), then open the review mode again.",
                      "A project's base pipeline is chosen when it is made (File > New project); review a project "
                      "made with one."),
    "PG_NOT_A_PROJECT": ("Create it with 'nergui import {url} FILE', or move a project folder there with "
                         "'nergui migrate FOLDER {url}'.",
                         "Check the project name in the address, or ask whoever looks after the database to move "
                         "the project there first."),
    "NO_CURRENT_MODEL": ("Run 'nergui train {path}' first.", "Train one first (Training > Train now)."),
    "INTERNAL": ("please report it with the command you ran (set NERGUI_DEBUG=1 to see the traceback)",
                 "please report it with what you did (Copy details puts this message on the clipboard)"),
}

_BOTH_PLACES = re.compile(r"\(([^()]*? in the import dialog), [^()]*? on the command line\)")


def _pattern(template: str) -> re.Pattern:
    """A regular expression matching ``template`` filled in: each field a named group (a
    field used twice must match the same text twice)."""
    out, seen = [], set()
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if name is None:
            continue
        key = re.sub(r"\W", "_", name) or "field"
        out.append(f"(?P={key})" if key in seen else f"(?P<{key}>.+?)")
        seen.add(key)
    return re.compile("".join(out), re.DOTALL)


_IN_WINDOW = [(_pattern(cli), gui) for cli, gui in IN_WINDOW.values()]


def in_window(message: str | BaseException) -> str:
    """``message`` (a ``Msg`` filled in, or an error carrying one) as the window says it: the
    advice of ``IN_WINDOW`` instead of the command line's, and no command-line flags."""
    text = str(message)
    for pattern, gui in _IN_WINDOW:
        text = pattern.sub(lambda m, g=gui: g.format(**m.groupdict()), text)
    return _BOTH_PLACES.sub(r"(\1)", text)


def made_from(template: str, message: str | BaseException) -> bool:
    """Whether ``message`` (or a message quoted in it) is ``template`` filled in."""
    return _pattern(template).search(str(message)) is not None
