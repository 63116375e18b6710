"""The desktop app's own messages."""


class GuiMsg:
    # desktop app (issue 3)
    NO_SPAN_AT = "Document {doc_id} has no span at [{start}, {end}); it was changed elsewhere. Reload the document."
    GUI_NO_SELECTION = "Select some text first (drag over it); Alt-drag selects single characters."
    GUI_ONLY_SPACE = "The selection holds only spaces; nothing to mark."
    GUI_NO_LABEL = "No label chosen. Add a label (Edit > Labels) or press 1-9 to pick one."
    GUI_NO_PREDICTIONS = "No predictions to accept on this document."
    # keyboard-only labelling (issue 12)
    GUI_NOTHING_FOCUSED = (
        "Nothing to accept: press Tab to focus a suggestion, or move the caret with the arrow keys "
        "(Shift+arrows select) and press a label's key."
    )
    GUI_ACCEPT_ALL_ACCEPTED = (
        "This document is already accepted. Add its {n} predictions to it anyway? (Ctrl+Z takes them back.)"
    )
    # a label set the user controls (issue 12)
    LABEL_NO_NAME = "A label needs a name."
    LABEL_SPACES = "{name!r}: a label's name cannot hold spaces. Use _ instead, for example {suggestion}."
    LABEL_EXISTS = "There is already a label {name}. Pick another name, or merge the two (Merge into\u2026)."
    LABEL_SAME_NAME = "{name} already has that name."
    LABEL_UPPER = "Labels are usually upper case, like the model's own (ORG, PERSON): {upper}."
    LABEL_BAD_KEY = "{key!r} cannot be a label's key: use 1 to 9, or no key."
    LABEL_BAD_COLOUR = "{colour!r} is not a colour; use #rrggbb."
    LABEL_MERGE_SELF = "{name} cannot be merged into itself; pick another label."
    NO_LABEL = "This project has no label {name} (it was changed elsewhere). Reopen Edit > Labels."
    LABEL_SPANS_CHANGED = "The spans that were {name} were changed elsewhere; this step cannot be undone."
    GUI_ADD_LABEL = "Add {label} to this project's labels?"
    GUI_ADD_LABELS = "Add {labels} to this project's labels?"
    GUI_ADD_LABEL_DETAIL = (
        "Yes: {label} becomes one of your labels (a button, a key, trained on) and the suggestion is accepted; "
        "Ctrl+Z takes both back. No: nothing is accepted, and this session {label} suggestions are accepted only "
        "as one of your labels (Tab to one and press a label's key, or right-click > Accept as)."
    )
    GUI_ADD_LABELS_DETAIL = (
        "Yes: they become labels of this project (a button, a key, trained on) and all {n} suggestions are "
        "accepted. No: only those of your own labels are accepted ({ours} of {n}). Cancel: nothing is accepted."
    )
    GUI_LABEL_DECLINED = (
        "{label} is not one of this project's labels, so the suggestion was not accepted. Accept it as one of "
        "yours (Tab to it, then the label's key; or right-click > Accept as), or add {label} in Edit > Labels."
    )
    GUI_ACCEPTED_OURS = "Accepted {n} predictions; {left} of {labels} (not your labels) were left as suggestions."
    GUI_LABEL_DELETE = "{name} has no spans. Delete it?"
    GUI_LABEL_DELETE_SPANS = "{name} has {n} span(s) in {docs} document(s)."
    GUI_LABEL_DELETE_REMOVE = "Remove its {n} span(s)"
    GUI_LABEL_DELETE_MOVE = "Move them to"
    GUI_LABEL_MERGE = (
        "Merge {name} into {into}? Its {moved} span(s) become {into}{dropped}, and {name} is removed. "
        "(Ctrl+Z takes it back.)"
    )
    GUI_LABEL_MERGE_DROPPED = "; {n} that sit where a {into} span already is are dropped"
    GUI_LABEL_DELETED = "Label {name} deleted; {n} span(s) removed."
    GUI_LABEL_MOVED = "Label {name} deleted; {n} span(s) moved to {into}."
    GUI_LABEL_MERGED = "{name} merged into {into}: {moved} span(s) moved, {dropped} dropped."
    GUI_LEFT_OUT = "{n} span(s) of the labels you unticked ({labels}) were left out."
    GUI_FILE_LABELS = (
        "{n} label(s) in the file: {spans:,} spans in {docs:,} documents{partial}. Untick those that are not "
        "your types: their spans are left out of the project. Rename one here to import its spans under "
        "the new name."
    )
    GUI_FILE_LABELS_PARTIAL = " (counted in the first {docs:,})"
    BENCH_KEYS_TIMEOUT = "bench keys: {what} did not happen within {seconds} s. No figures printed."
    GUI_ACCEPTED_SOME = "Accepted {n} predictions; {skipped} overlapped your spans and were skipped."
    GUI_PATTERNS_BAD = "{path}:{line}: not an EntityRuler pattern ({detail}). Each line needs \"label\" and \"pattern\"."
    GUI_PATTERNS_LOADED = "{path}: {count} patterns loaded; their matches show as suggestions."
    GUI_DEMO_MISSING = "The demo project is missing from this installation ({path}). Reinstall nergui."
    GUI_SMOKE_FAILED = "smoke test failed: {detail}"
    GUI_MODEL_FAILED = "Predictions are off: the model could not be loaded ({detail})."
    GUI_TOO_LONG = (
        "No predictions for this document: it has {length:,} characters, more than the pipeline takes "
        "({limit:,}). You can still mark it by hand; split it to see predictions."
    )
    GUI_NO_DOCUMENTS = "No documents match. Clear the filter or import a file (File > Import)."
    GUI_EXPORTED = "{path}: exported {count} documents."
    GUI_IMPORTED = "{summary}"
    GUI_NEW_PROJECT_NO_NAME = "Choose a folder for the new project."
    GUI_FIXED = "Span fixed: [{start}, {end}) {label}."
    # errors that stay, a window that remembers (issue 12)
    GUI_IMPORT_REFUSED = "{path}: nothing was imported."
    GUI_EXPORT_EMPTY = "No documents to export in this scope ({scope}). Choose another scope."
    GUI_EXPORT_NO_TARGET = "Choose where to export to (Browse\u2026), or type a file name."
    GUI_DEMO_NOT_REPLACED = (
        "{path}: the demo project could not be made afresh ({detail}); it is as it was. Close the windows that "
        "have it open and try again."
    )
    GUI_LAST_RUN_KEPT = "Last run, {when}: kept as {version}; predictions use it."
    GUI_LAST_RUN_DISCARDED = "Last run, {when}: discarded; the model in use did not change."
    GUI_LAST_RUN_SUMMARY = "{epochs} epochs \u00b7 new types {strategy} \u00b7 {scored}"
    GUI_LAST_RUN_DETAIL = "Last run, {when}: {epochs} epochs in {seconds}."
