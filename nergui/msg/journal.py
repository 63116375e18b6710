"""A database project's edits kept offline (core/journal.py, gui/offline.py)."""


class JournalMsg:
    JOURNAL_NOT_KEPT = (
        "Offline: {what!r} cannot be kept on this computer until the database server is back (only the shown "
        "document's spans, their labels, its state and rejected predictions are): it was not saved; do it again "
        "once the server is back."
    )
    JOURNAL_WHY_GONE = "the span [{start}, {end}) {label} is no longer there (someone changed it meanwhile)."
    JOURNAL_WHY_LABEL = "the span [{start}, {end}) is now {now}, not {label} (someone changed it meanwhile)."
    JOURNAL_WHY_STATE = "the document is now {now}, not {state} (someone changed it meanwhile)."
    JOURNAL_WHY_UNREADABLE = "the journal's line for it cannot be read ({detail})."
    JOURNAL_CONFLICT = (
        "Document {doc_id}: the edit made offline at {at}, {what!r}, was not sent: {why} It stays in {path} "
        "(marked \"conflict\"); look at the document and do it again if it is still wanted."
    )
    JOURNAL_LABEL = "Offline: {n} edits kept, sent when the server is back"
    JOURNAL_TIP = (
        "The database server cannot be reached (since {since}). The shown document's edits are kept on this "
        "computer ({path}) and sent, in order, when the server is back; other actions are refused until then."
    )
    JOURNAL_SENT = "{n} edits sent: the database server is back and holds the edits made offline."
    JOURNAL_CONFLICTS_LEFT = (
        "{k} edits made offline could not be sent (someone changed the same spans meanwhile); they are in {path}, "
        "marked \"conflict\". Do them again if still wanted, then delete the file."
    )
    JOURNAL_SENT_CONFLICTS = (
        "{n} edits sent; {k} could not be (someone changed the same spans meanwhile): see View > Messages. "
        "They stay in {path}."
    )
