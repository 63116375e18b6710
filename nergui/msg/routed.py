"""A team's window: documents handed out by the router (gui/routed.py), the server offline (gui/offline.py)."""


class RoutedMsg:
    ROUTED_HOLD = "Yours: document {doc_id} (kept for you until {until}) \u00b7 {taken} held or finished by others"
    ROUTED_HOLD_TIP = (
        "In this project each document goes to {per_task} annotator{s}. Next opens the document the "
        "project hands you; documents others hold or finished are theirs (you may look at them)."
    )
    ROUTED_NONE = "Nothing left for you \u00b7 {taken} held or finished by others"
    ROUTED_ALL_DONE = (
        "Every document has its {per_task} annotator{s} or was finished by you: nothing left to hand you."
    )
    ROUTED_NOT_YOURS = (
        "Document {doc_id} is not yours: it already has its {per_task} annotator{s} ({names}). "
        "Next opens the one the project hands you."
    )
    ROUTED_CHOOSER = "In this team's project Next opens the document the project hands you, not this order"
    ROUTED_FAILED = "Next could not ask the project for a document: {error}"

    # the database server unreachable (gui/offline.py)
    OFFLINE_LABEL = "Offline since {since}"
    OFFLINE_TIP = (
        "The database server cannot be reached. The shown document's edits are kept on this computer and sent "
        "when it is back; other actions are refused until then (each one says so, and View > Messages keeps "
        "the list): do them again then. The window checks every few seconds."
    )
    OFFLINE_NOW = (
        "Offline: the database server cannot be reached. The shown document's edits are kept on this computer "
        "and sent when it is back; other actions are not saved until then. The window checks every few seconds "
        "and says when it is back."
    )
    OFFLINE_BACK = "The database server is back: edits are saved again. Do again those refused while offline."
