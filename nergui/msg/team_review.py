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
    AGREEMENT_NONE = "No two annotators have both accepted a document yet: there is nothing to compare."
    REVIEW_PICKED = "Document {doc_id}: {annotator}'s version is now the final one (training and export use it)."
    REVIEW_AGREED = "Accepted without review: {n} document{s} every annotator finished alike."
    REVIEW_NONE = "No document waits for review: the annotators' finished versions agree (or none differ yet)."
    ONE_VERSION_PROJECT = (
        "This project gives each document to one annotator (annotations_per_task 1), so there are no "
        "versions to compare or review. An admin sets annotations_per_task to 2 or more for that."
    )
    REVIEW_EDITED = "Document {doc_id}: the version you edited ({n} span{s}) is now the final one."
