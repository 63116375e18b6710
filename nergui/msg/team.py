"""A project in a PostgreSQL database (a team's), and moving a folder there."""


class TeamMsg:
    PG_URL_BAD = (
        "{url}: not a database project's address ({why}). Write it as "
        "postgresql://HOST[:PORT]/DATABASE?project=NAME (NAME: letters, digits, _ or -, at most 40)."
    )
    PG_URL_PASSWORD = (
        "{url}: the address holds a password, which would then be kept in plain text with the recent "
        "projects. Remove it from the address and put it in libpq's password file (~/.pgpass, or "
        "%APPDATA%\\postgresql\\pgpass.conf on Windows), a service file (?service=NAME), or PGPASSWORD."
    )
    PG_NO_DRIVER = (
        "{url}: a project in a PostgreSQL database needs the psycopg driver, which is not installed. "
        "Install it with: pip install \"psycopg[binary]\" (or nergui's 'team' extra)."
    )
    PG_UNREACHABLE = (
        "{url}: the database server cannot be reached ({detail}). Check that it runs, and the address, user "
        "and password (~/.pgpass); the last action was not saved: do it again once the server is back."
    )
    PG_NOT_A_PROJECT = (
        "{url}: this database holds no nergui project named {project!r}. Create it with "
        "'nergui import {url} FILE', or move a project folder there with 'nergui migrate FOLDER {url}'."
    )
    PG_REFUSED = "{url}: the database refused the action ({detail}); nothing of it was saved."
    PG_NOT_ALLOWED = (
        "{url}: this database user may not do that ({detail}); nothing was saved. "
        "Ask the database's administrator for the rights, or connect as another user."
    )
    PG_FULL = "{url}: the database server's disk is full; the last action was not saved. Ask its administrator."
    PG_BUSY = (
        "{url}: the project is busy: another app or command has been writing to it for more than "
        "{seconds} s. Wait for it to finish, and try again."
    )

    ROUTING_NO_ANNOTATOR = (
        "Documents are handed out to named annotators, and this app has no name. "
        "Set one (File > Annotator name, or NERGUI_ANNOTATOR for a command)."
    )
    ROLE_UNKNOWN = "{role!r} is not a role of a nergui project. Use one of: {roles}."
    ROLE_NO_USER = (
        "{user!r} is not a user of this database server. Create it first (CREATE ROLE {user} LOGIN), "
        "then give it a role here."
    )
    NOT_YOURS = (
        "That {what} is another annotator's, and your database user may change only your own "
        "(a reviewer settles disagreements). Nothing was changed."
    )
    GUI_ANNOTATOR_DATABASE = (
        "In a database project your name is your database user, {name}: connect as another user "
        "(the project's address: USER@HOST) to work under another name."
    )
    GUI_ANNOTATOR_SET = "Spans and rejections you make are recorded as {name}'s."

    # nergui migrate FOLDER URL
    MIGRATE_TARGET_EXISTS = (
        "{url}: a project named {project!r} already exists in that database; nothing was moved. "
        "Choose another name (?project=NAME), or remove that project first."
    )
    MIGRATE_SOURCE_NOT_FOLDER = "{source}: 'nergui migrate' moves a project folder; give the folder first, then the URL."
    MIGRATE_TARGET_NOT_URL = (
        "{target}: 'nergui migrate' moves a folder into a database; give a postgresql://HOST/DATABASE?project=NAME "
        "address as the second argument."
    )
    MIGRATE_COUNTS_DIFFER = (
        "{url}: after copying, the counts differ ({detail}); nothing was moved (the transaction was rolled "
        "back). This is a bug in nergui; please report it."
    )
