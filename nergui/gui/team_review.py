"""A team's agreement and review, in the window (thin: the figures and the choices are
``core/agreement.py`` and ``core/review.py``).

File > Agreement between annotators: a table of each pair's figures per label.
File > Review disagreements: the documents whose annotators' finished versions differ, each
version beside its author's name (its spans highlighted in the labels' colours), a button
to make one the final version, a list of every version's spans to check into an edited
final version (``review.edit``), and a button to accept every document the annotators all
finished alike.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QThread, Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser, QVBoxLayout,
                               QWidget)

from ..core import review
from ..core.agreement import agreement
from ..core.versions import FINAL, is_team
from ..core.records import Span
from ..errors import Msg, NerguiError, detail as error_detail, in_window
from .consolidation import plural

COLUMNS = ("Annotators", "Label", "Documents", "Spans (each)", "Tokens", "F1 exact", "F1 overlapping", "Kappa")


def attach(window) -> None:
    """Add the two dialogs to the window's File menu (after Annotator name)."""
    from .actions import add

    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    anchor = window.acts["annotator"]
    for text, slot, name in (("&Agreement between annotators\u2026", lambda: open_agreement(window), "agreement"),
                             ("Re&view disagreements\u2026", lambda: open_review(window), "review")):
        act = add(window, None, text, slot, name=name)
        following = file_menu.actions()[file_menu.actions().index(anchor) + 1]
        file_menu.insertAction(following, act)
        anchor = act


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class AgreementThread(QThread):
    """Works the figures out on a connection of its own (a large project takes seconds)."""

    sig_done = Signal(object)  # an Agreement
    sig_failed = Signal(str)

    def __init__(self, location, parent=None):
        super().__init__(parent)
        self.location = location

    def run(self) -> None:
        from ..core.store import Project

        try:
            with Project.open(self.location) as project:
                self.sig_done.emit(agreement(project) if is_team(project) else None)
        except NerguiError as err:
            self.sig_failed.emit(in_window(err))
        except Exception as err:  # noqa: BLE001 - said in the dialog, never a crash
            self.sig_failed.emit(Msg.INTERNAL.format(detail=error_detail(err, limit=300)))


class AgreementDialog(QDialog):
    def __init__(self, project, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Agreement between annotators")
        self.result = None
        layout = QVBoxLayout(self)
        self.note = QLabel("Working out the agreement\u2026")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(820, 360)
        self.thread = AgreementThread(project.location, self)
        self.thread.sig_done.connect(self.show_result)
        self.thread.sig_failed.connect(self.note.setText)
        self.thread.start()

    def show_result(self, result) -> None:
        self.result = result
        if result is None or not result.rows:
            self.note.setText(in_window(Msg.ONE_VERSION_PROJECT if result is None else Msg.AGREEMENT_NONE))
            return
        self.note.setText(f"Over the documents both annotators of a pair accepted. Tokens: {result.tokenization}.")
        self.table.setRowCount(len(result.rows))
        for i, r in enumerate(result.rows):
            cells = (f"{r.a} / {r.b}", r.label, str(r.documents), f"{r.spans_a} / {r.spans_b}", str(r.tokens),
                     _figure(r.f1_exact), _figure(r.f1_overlap), _figure(r.kappa))
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j >= 2:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()

    def done(self, code: int) -> None:
        self.thread.wait()  # not cancellable: it ends on its own (a dialog closed early waits for it)
        super().done(code)


def marked_html(text: str, spans, colours: dict[str, str]) -> str:
    """The text with its spans highlighted in their labels' colours, each label after it."""
    out, at = [], 0
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        out.append(html.escape(text[at:s.start]))
        colour = colours.get(s.label, "#dddddd")
        out.append(f'<span style="background:{colour}">{html.escape(text[s.start:s.end])}</span>'
                   f'<sup><b>{html.escape(s.label)}</b></sup>')
        at = s.end
    out.append(html.escape(text[at:]))
    return "<p style='line-height:150%'>" + "".join(out).replace("\n", "<br>") + "</p>"


class ReviewDialog(QDialog):
    """The documents to review on the left; the chosen one's versions side by side."""

    def __init__(self, project, parent=None, *, on_message=None, on_changed=None):
        super().__init__(parent)
        self.project = project
        self.on_message = on_message or (lambda text: None)
        self.on_changed = on_changed or (lambda ids: None)  # the documents whose final state changed
        self.setWindowTitle("Review disagreements")
        self.colours = {lab["name"]: lab["colour"] for lab in project.labels()}
        layout = QVBoxLayout(self)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.accept_agreed_button = QPushButton()
        self.accept_agreed_button.clicked.connect(self.accept_agreed)
        layout.addWidget(self.accept_agreed_button, 0, Qt.AlignLeft)
        split = QSplitter()
        self.docs = QListWidget()
        self.docs.setTextElideMode(Qt.ElideRight)
        self.docs.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.docs.currentItemChanged.connect(
            lambda item, _: self.show_document(item.data(Qt.UserRole) if item else None))
        split.addWidget(self.docs)
        self.side = QWidget()
        right = QVBoxLayout(self.side)
        self.columns = QHBoxLayout()
        right.addLayout(self.columns, 3)
        right.addWidget(QLabel("Or edit: the final version holds the checked spans (those every version has are "
                               "checked)."))
        self.final_spans = QListWidget()
        right.addWidget(self.final_spans, 2)
        self.make_final = QPushButton("Make the checked spans the final version")
        self.make_final.clicked.connect(self.edit_final)
        right.addWidget(self.make_final, 0, Qt.AlignLeft)
        split.addWidget(self.side)
        split.setSizes([220, 680])
        layout.addWidget(split, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.doc_id: int | None = None
        self.version_views: dict[str, QTextBrowser] = {}
        self.pick_buttons: dict[str, QPushButton] = {}
        self.resize(920, 480)
        self.refresh()

    def refresh(self) -> None:
        team = is_team(self.project)
        ids = review.differing(self.project) if team else []
        agreed = review.agreed(self.project) if team else []
        self.note.setText(in_window(Msg.ONE_VERSION_PROJECT) if not team else
                          f"{len(ids)} document{plural(len(ids))} where the annotators differ. Choose the final version of each."
                          if ids else in_window(Msg.REVIEW_NONE))
        self.accept_agreed_button.setText(f"Accept the {len(agreed)} document{plural(len(agreed))} everyone finished alike")
        self.accept_agreed_button.setEnabled(bool(agreed))
        self.docs.clear()
        previews = self.project.previews(ids, preview=60)
        for doc_id in ids:
            item = QListWidgetItem(f"{doc_id}: {previews[doc_id][1]}")
            item.setData(Qt.UserRole, doc_id)
            self.docs.addItem(item)
        if ids:
            self.docs.setCurrentRow(0)
        else:
            self.show_document(None)

    def show_document(self, doc_id: int | None) -> None:
        while self.columns.count():
            widget = self.columns.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.version_views, self.pick_buttons = {}, {}
        self.doc_id = doc_id
        self.final_spans.clear()
        self.make_final.setEnabled(doc_id is not None)
        if doc_id is None:
            return
        text = self.project.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
        versions = review.versions_of(self.project, doc_id)
        for version in versions:
            box = QWidget()
            col = QVBoxLayout(box)
            name = "edited final version" if version.annotator == FINAL else version.annotator
            col.addWidget(QLabel(f"<b>{html.escape(name)}</b> \u2014 {version.state}, {len(version.spans)} span{plural(len(version.spans))}"))
            view = QTextBrowser()
            view.setHtml(marked_html(text, version.spans, self.colours))
            col.addWidget(view, 1)
            button = QPushButton(f"Use {name}'s version")
            button.clicked.connect(lambda _=False, d=doc_id, n=version.annotator: self.pick(d, n))
            col.addWidget(button)
            self.columns.addWidget(box)
            self.version_views[version.annotator] = view
            self.pick_buttons[version.annotator] = button
        self._list_spans(text, versions)

    def _list_spans(self, text: str, versions) -> None:
        """Every span of any version, checked if every version has it."""
        who: dict[tuple[int, int, str], list[str]] = {}
        for version in versions:
            for s in version.spans:
                who.setdefault((s.start, s.end, s.label), []).append(version.annotator)
        for (start, end, label), names in sorted(who.items()):
            item = QListWidgetItem(f"\u201c{text[start:end]}\u201d  {label}  \u2014 {', '.join(names)}")
            item.setData(Qt.UserRole, (start, end, label))
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if len(names) == len(versions) else Qt.Unchecked)
            self.final_spans.addItem(item)

    def edit_final(self) -> None:
        from .error_dialog import show_error

        items = (self.final_spans.item(i) for i in range(self.final_spans.count()))
        spans = [Span(*item.data(Qt.UserRole)) for item in items if item.checkState() == Qt.Checked]
        doc_id = self.doc_id
        try:
            review.edit(self.project, doc_id, spans)
        except NerguiError as err:  # two checked spans overlap, or the database refuses
            show_error(self.parent() or self, "Review", err)
            return
        self.on_changed([doc_id])
        self.on_message(Msg.REVIEW_EDITED.format(doc_id=doc_id, n=len(spans), s=plural(len(spans))))
        self.refresh()

    def pick(self, doc_id: int, annotator: str) -> None:
        review.pick(self.project, doc_id, annotator)
        self.on_changed([doc_id])
        self.on_message(Msg.REVIEW_PICKED.format(doc_id=doc_id, annotator=annotator))
        self.refresh()

    def accept_agreed(self) -> None:
        ids = review.accept_agreed(self.project)
        self.on_changed(ids)
        self.on_message(Msg.REVIEW_AGREED.format(n=len(ids), s=plural(len(ids))))
        self.refresh()


def open_agreement(window) -> AgreementDialog:
    window.agreement_dialog = dialog = AgreementDialog(window.session.project, window)
    dialog.show()
    return dialog


def open_review(window) -> ReviewDialog:
    def changed(ids: list[int]) -> None:
        for doc_id in ids:
            window.docs.model.refresh(doc_id)
        window.update_status()

    window.review_dialog = dialog = ReviewDialog(window.session.project, window, on_message=window.message,
                                                 on_changed=changed)
    dialog.show()
    return dialog
