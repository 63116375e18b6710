"""Projects and their store, spans in the annotator."""


class StoreMsg:
    # project and store
    NOT_A_FOLDER = "{path}: is a file; a project is a folder. Pick a folder name that does not exist yet."
    NOT_A_PROJECT = "{path}: not a nergui project (no nergui.sqlite). Create one with 'nergui import {path} FILE'."
    DB_CORRUPT = (
        "{path}: the project database is damaged ({detail}). Restore a backup of this folder, "
        "or open a copy with 'sqlite3 nergui.sqlite .recover'."
    )
    DB_NEWER = "{path}: made by a newer nergui (schema {found} > {supported}). Update nergui to open it."
    READ_ONLY = "{path}: the project folder is read-only. Copy it somewhere writable or fix its permissions."
    DB_READ_ONLY = (
        "{path}: the project database is read-only, so no edit could be saved. "
        "Fix its permissions, or copy the project folder somewhere writable."
    )
    MODELS_READ_ONLY = (
        "{path}: the models folder is read-only, so a trained model could not be saved. "
        "Fix its permissions, or copy the project folder somewhere writable, then train."
    )
    DB_BUSY = (
        "{path}: the project is busy: another nergui window or command is writing to it. "
        "Close that one, or wait for it to finish, and try again."
    )
    DB_FULL = "{path}: the disk is full; the last action was not saved. Free some space and try again."
    INTERNAL = (
        "unexpected error ({detail}). This is a bug in nergui; please report it with the command you ran "
        "(set NERGUI_DEBUG=1 to see the traceback). Saved annotations and models are not affected."
    )
    NO_DOCUMENT = "Document {doc_id} does not exist in this project."
    NO_SPAN = "Span {span_id} does not exist in this project."
    BAD_STATE = "Unknown document state {state!r}. Use one of: {states}."
    NO_ANNOTATIONS = (
        "{path}: no accepted documents with entity spans to train on. Accept some annotated documents first."
    )

    # spans
    SPAN_OUT_OF_TEXT = "Span [{start}, {end}) is outside the text (length {length})."
    SPAN_OVERLAPS = "[{start}, {end}) overlaps {label} at [{o_start}, {o_end}). Remove that span first."
    SPAN_NOTHING = "The selection [{start}, {end}) holds only whitespace; nothing to mark."
    SPAN_MISALIGNED = (
        "Span [{start}, {end}) {label} does not match token boundaries: {text!r}. "
        "Expand to [{exp_start}, {exp_end}) {exp_text!r} or contract to {contract}."
    )
