"""A team's project: each annotator's version of a document, agreement between them, review."""


class TeamReviewMsg:
    VERSION_NO_ANNOTATOR = (
        "In this project each annotator has their own version of a document, and this app has no "
        "annotator name, so there is no version to show or change. Set one (File > Annotator name, "
        "or NERGUI_ANNOTATOR for a command)."
    )
    REVIEW_NO_VERSION = (
        "Document {doc_id} has no finished version by {annotator!r}, so it cannot be the final one "
        "(finished versions: {versions}). Pick one of those, or edit one into the final version."
    )
