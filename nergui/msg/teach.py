"""The review mode (one suggestion at a time) and binary decisions (issue 13, part 3)."""


class TeachMsg:
    TEACH_BAD_ANSWER = "{answer!r} is not an answer to a suggestion; use one of {answers}."
    TEACH_DECIDED_BEFORE = (
        "{label} at [{start}, {end}) of document {doc_id} was already decided (elsewhere, or just now); "
        "its decision stays. Go on with the next suggestion."
    )
    TEACH_NOT_DECIDED = (
        "{label} at [{start}, {end}) of document {doc_id} holds no decision any more (it was taken back "
        "elsewhere); nothing to undo."
    )
    TEACH_NO_LABELS = (
        "The review mode asks about your new types, and this project has none yet. Add a label "
        "(Edit > Labels) or load patterns (File > Load patterns), then open it again."
    )
    TEACH_NO_BASE = (
        "{path}: the project has no base pipeline to make suggestions with. Import a file with "
        "--base PIPELINE (for example en_core_web_sm), then open the review mode again."
    )
    TEACH_NOTHING_LEFT = (
        "No more suggestions of {labels}: the model is sure of every candidate in the to-do documents, or knows "
        "none of these types yet. Load patterns (File > Load patterns) to start from them, import more texts, "
        "or train a version (Ctrl+T), then open this window again."
    )
    TEACH_LOADING = "Finding suggestions\u2026 (the model scores the to-do documents)"
    TEACH_WHY_MODEL = "asked because the model is unsure"
    TEACH_WHY_PATTERN = "asked because a pattern matches"
    TEACH_WHY_ORIGINAL = "asked because the original model calls it {old}, and {label} was found as {old} before"
    TEACH_WHY_ANSWER = "asked because you accepted \u201c{text}\u201d as {label} before"
    TEACH_OVERLAP = (
        "{label} {text!r} overlaps a span already on document {doc_id}; it was skipped. "
        "Open the document to change that span."
    )
    TEACH_EXPORT_SKIPPED = (
        "{n} documents holding only review-mode decisions were left out: {fmt} cannot say which tokens "
        "are unknown. Export to Prodigy JSONL to keep them (one line per decision, with its answer)."
    )
    BENCH_TEACH_NO_DATA = (
        "{path}: not found. bench teach --replay needs the shared data folder (--data), "
        "or --train and --eval files."
    )
