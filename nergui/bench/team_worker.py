"""One annotator of ``nergui bench team`` (a process of its own, as an app is).

It annotates through the same engine calls as the window in a team's project
(``gui/routed.py``): ``Router.next()`` for the document, ``add_span`` for a span,
``set_state(doc, "accepted")`` for the verdict and ``Router.finish``. After each call the
database acknowledged it writes a line to its log (``--log``, one JSON object a line,
written to the file before the next step: a SIGKILL loses nothing written) with the time
the call took. When the server is restarted under it, a call fails; the worker waits,
reopens the project and does the step again (a span already saved is not added twice),
so no acknowledged edit depends on the connection it was made on.

Every ``--rls-every`` documents it also tries, on its own connection outside the app's
calls, to change another annotator's rows (``--other``: their database user), after making
a review-mode decision of its own (``Decide``, logged as acknowledged like a span); each
attempt is logged with whether the database refused it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

RETRY_FOR_S = 120.0  # a step is tried again for this long (the server restarting) before the worker gives up


class Worker:
    def __init__(self, url: str, log: str, other: str):
        self.url = url
        self.other = other
        self.fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.project = None
        self.retries = 0
        self._open()

    def log(self, **row) -> None:
        row["t"] = time.time()
        os.write(self.fd, (json.dumps(row) + "\n").encode())  # in the kernel's hands before the next step

    def _open(self) -> None:
        from ..core.routing import Router
        from ..core.store import Project

        if self.project is not None:
            try:
                self.project.close()
            except Exception:  # noqa: BLE001 - a connection the restart broke: replaced below
                pass
            self.project = None
        self.project = Project.open(self.url)
        self.router = Router(self.project)

    def step(self, action, *, again=None):
        """``action()``; if it fails (the server gone), wait, reopen and try again (``again``
        first, when given: whether the step's edit was saved after all)."""
        deadline = time.monotonic() + RETRY_FOR_S
        while True:
            try:
                return action()
            except Exception as err:  # noqa: BLE001 - StoreError or psycopg's: the server restarting
                if time.monotonic() > deadline:
                    raise
                self.retries += 1
                self.log(k="retry", error=str(err)[:200])
                time.sleep(0.2)
                try:
                    self._open()
                    if again is not None and again():
                        return None
                except Exception:  # noqa: BLE001 - still down: the loop waits again
                    continue

    def annotate(self, seconds: float, rls_every: int) -> None:
        from ..core.records import Span

        end = time.monotonic() + seconds
        n = 0
        while time.monotonic() < end:
            t = time.perf_counter()
            doc_id = self.step(lambda: self.router.next())
            self.log(k="next", doc=doc_id, ms=(time.perf_counter() - t) * 1000)
            if doc_id is None:
                break
            text = self.step(lambda: self.project.get_document(doc_id).text)
            stop = text.find(" ")
            stop = stop if stop > 0 else len(text)
            t = time.perf_counter()
            self.step(lambda: self.project.add_span(doc_id, Span(0, stop, "THING")),
                      again=lambda: self.project.find_span_id(doc_id, 0, stop) is not None)
            self.log(k="span", doc=doc_id, start=0, end=stop, label="THING", ms=(time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            self.step(lambda: self.project.set_state(doc_id, "accepted"))
            self.log(k="accept", doc=doc_id, ms=(time.perf_counter() - t) * 1000)
            self.step(lambda: self.router.finish(doc_id))
            self.log(k="finish", doc=doc_id)
            n += 1
            if rls_every and n % rls_every == 0:
                self.decide(doc_id)
                self.trespass(doc_id)

    def decide(self, doc_id: int) -> None:
        """A review-mode decision of this annotator's (``core.decisions.Decide``, as the review
        window makes it): a skip on the document's first character, so the others' attempts on
        decisions below meet rows that are there."""
        from ..core.decisions import Decide, decisions

        key = (doc_id, 0, 1, "THING")
        t = time.perf_counter()
        self.step(lambda: Decide(doc_id, "bench", 0, 1, "THING", "ignore").apply(self.project),
                  again=lambda: any(d.key == key for d in decisions(self.project, doc_id)))
        self.log(k="decide", doc=doc_id, start=0, end=1, label="THING", ms=(time.perf_counter() - t) * 1000)

    def trespass(self, doc_id: int) -> None:
        """Try to change another annotator's rows on this annotator's own connection; log
        each attempt and whether the database refused it."""
        import psycopg

        attempts = (
            ("update_others_spans", "UPDATE spans SET label = 'STOLEN' WHERE annotator <> current_user", ()),
            ("delete_others_spans", "DELETE FROM spans WHERE annotator <> current_user", ()),
            ("finish_others_assignments", "UPDATE assignments SET done = 0 WHERE annotator <> current_user", ()),
            ("insert_as_other", 'INSERT INTO spans (doc_id, start, "end", label, annotator)'
                                " VALUES (%s, 0, 1, 'THING', %s)", (doc_id, self.other)),
            ("unset_annotator", "UPDATE spans SET annotator = %s WHERE annotator = current_user", (self.other,)),
            ("decide_as_other", 'INSERT INTO decisions (doc_id, start, "end", label, answer, annotator)'
                                " VALUES (%s, 0, 1, 'THING', 'reject', %s)", (doc_id, self.other)),
            ("delete_others_decisions", "DELETE FROM decisions WHERE annotator <> current_user", ()),
        )
        for name, statement, params in attempts:
            try:
                raw = self.project.conn.raw
                changed = raw.execute(statement, params or None).rowcount
                refused = changed == 0  # row-level security: another's rows are not there to change
            except psycopg.errors.InsufficientPrivilege:
                refused = True
            except psycopg.OperationalError:  # the server restarting: not an attempt
                continue
            self.log(k="rls", attempt=name, refused=refused)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m nergui.bench.team_worker")
    p.add_argument("--url", required=True, help="the project, as this annotator's database user")
    p.add_argument("--log", required=True)
    p.add_argument("--other", required=True, help="another annotator's database user (whose rows it tries to change)")
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--rls-every", type=int, default=20)
    args = p.parse_args(argv)
    worker = Worker(args.url, args.log, args.other)
    print("ready", flush=True)
    worker.annotate(args.seconds, args.rls_every)
    worker.log(k="done", retries=worker.retries)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
