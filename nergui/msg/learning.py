"""Learning as you annotate, in the window (issue 13): the mode's status line and its messages."""


class LearningMsg:
    # why the mode is off
    LEARN_OFF_NO_BASE = (
        "Off: this project has no base pipeline to learn from. Create the project with one "
        "(File > New project) to learn as you annotate."
    )
    LEARN_OFF_NO_LABELS = "Off: this project has no label yet. Add the type you label (Edit > Labels)."
    LEARN_OFF_NOTHING_NEW = (
        "Off: nothing new to learn. Every label of this project is a type {base} already predicts; "
        "add a label of your own (Edit > Labels) to teach it a new one."
    )
    LEARN_OFF_BY_USER = "Off. Turn it on to have the preview learn from each document you accept."
    # what the learner is doing
    LEARN_STARTING = "Starting: loading {base} and {documents} accepted documents\u2026"
    LEARN_READY = "Ready: accept a document (A) and the preview learns from it."
    LEARN_BUSY = "Learning {n} document{s}\u2026"
    LEARN_UP_TO_DATE = (
        "Up to date: the preview has learnt from {n} document{s} since {since}. Not saved: "
        "consolidation saves a version."
    )
    LEARN_START_FAILED = "Could not start: {message} Turn it on again to retry."
    LEARN_STOPPED = "{message} Turn it on again to restart."
    LEARN_CONSOLIDATING = "Consolidating: a full training run from the original (kept as a new version)\u2026"
    LEARN_CONSOLIDATE_IN = "Next consolidation after {n} more accepted document{s}."
    LEARN_CONSOLIDATE_WAITING = "Consolidation waits for the current training run to end."
    LEARN_PREVIEW_NAME = "learning: {n} document{s} (not saved)"
    LEARN_RESTARTED = "Learning restarted from {version}."
