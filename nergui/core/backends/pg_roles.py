"""Roles of a team's project, enforced by PostgreSQL itself (row-level security), so an
annotator's connection cannot change another's rows even outside the app.

Each project has three group roles (``nergui_NAME_annotator``, ``_reviewer``, ``_admin``);
a database user is given one with ``nergui roles URL USER ROLE`` (run by the project's
owner, who made it: the owner migrates the schema and is not bound by the policies).

- **annotator**: reads everything; adds, changes and removes only their own spans,
  rejections, assignments and review-mode decisions (the ``annotator`` column is the
  database user: ``current_user``); sets documents' states. Cannot touch labels,
  settings, runs or models.
- **reviewer**: as an annotator, and changes anyone's spans and rejections, and chooses a
  document's final version (``reviews``: settling disagreements); changes anyone's
  assignments and decisions too (the policies of ``OWN_TABLES`` are alike).
- **admin**: everything the app does: labels, settings, imports, training runs, models.

A migration of the schema (``PostgresBackend.set_schema_version``, run by the owner) makes
them again when the project has them, so a table that joins ``OWN_TABLES`` (``decisions``,
schema v9) is covered without another ``nergui roles``.

A refused change is either an error (a row that would not be the user's own) or touches no
row (another's row is not there for them to change); the store turns both into a message.
"""

from __future__ import annotations

from psycopg import sql

from ...errors import Msg, ProjectError
from .postgres import PgLocation

ROLES = ("annotator", "reviewer", "admin")
OWN_TABLES = ("spans", "rejections", "assignments", "decisions")  # rows with an ``annotator``: RLS applies


def group(loc: PgLocation, role: str) -> str:
    return f"{loc.schema}_{role}"


def given(raw, loc: PgLocation) -> bool:
    """Whether the project's roles were made (``nergui roles`` was run on it)."""
    return raw.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (group(loc, "annotator"),)).fetchone() is not None


def enable(raw, loc: PgLocation) -> None:
    """Make the project's group roles, their grants and the row-level policies (again: each
    step can be repeated, e.g. after a migration added a table)."""
    ident = sql.Identifier
    schema = ident(loc.schema)
    roles = {r: ident(group(loc, r)) for r in ROLES}
    with raw.transaction():
        for role in ROLES:
            if raw.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (group(loc, role),)).fetchone() is None:
                raw.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(roles[role]))
            raw.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, roles[role]))
            raw.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, roles[role]))
        writers = sql.SQL(", ").join([roles["annotator"], roles["reviewer"]])
        for table in OWN_TABLES:
            raw.execute(sql.SQL("GRANT INSERT, UPDATE, DELETE ON {}.{} TO {}").format(schema, ident(table), writers))
        raw.execute(sql.SQL("GRANT UPDATE (state, updated) ON {}.documents TO {}").format(schema, writers))
        # a reviewer settles disagreements: whose version is a document's final one (core/review.py)
        raw.execute(sql.SQL("GRANT INSERT, UPDATE, DELETE ON {}.reviews TO {}").format(schema, roles["reviewer"]))
        raw.execute(sql.SQL("GRANT ALL ON ALL TABLES IN SCHEMA {} TO {}").format(schema, roles["admin"]))
        everyone = sql.SQL(", ").join(roles.values())
        for table in OWN_TABLES:
            target = sql.SQL("{}.{}").format(schema, ident(table))
            raw.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(target))
            for name in ("nergui_see", "nergui_own", "nergui_any"):
                raw.execute(sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(ident(name), target))
            raw.execute(sql.SQL("CREATE POLICY nergui_see ON {} FOR SELECT TO {} USING (true)").format(
                target, everyone))
            raw.execute(sql.SQL("CREATE POLICY nergui_own ON {} FOR ALL TO {} USING (annotator = current_user)"
                                " WITH CHECK (annotator = current_user)").format(target, roles["annotator"]))
            raw.execute(sql.SQL("CREATE POLICY nergui_any ON {} FOR ALL TO {} USING (true) WITH CHECK (true)").format(
                target, sql.SQL(", ").join([roles["reviewer"], roles["admin"]])))


def grant(raw, loc: PgLocation, user: str, role: str) -> None:
    """Give database user ``user`` the project's ``role`` (and only that one)."""
    if role not in ROLES:
        raise ProjectError(Msg.ROLE_UNKNOWN.format(role=role, roles=", ".join(ROLES)))
    if raw.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone() is None:
        raise ProjectError(Msg.ROLE_NO_USER.format(user=user))
    enable(raw, loc)
    with raw.transaction():
        for other in ROLES:
            raw.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group(loc, other)), sql.Identifier(user)))
        raw.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group(loc, role)), sql.Identifier(user)))
