"""Which document comes next (issue 13): the ordering, the evaluation sample, their scores."""


class OrderingMsg:
    # the orderings, as the chooser names them
    ORDER_FILE = "File order"
    ORDER_RANDOM = "Random"
    ORDER_MODEL = "Model (most unsure first)"

    # why this document (the list's tooltip, the strip above the text)
    ORDER_WHY_EVALUATION = "evaluation document: never trained on"
    ORDER_WHY_FILE_FALLBACK = "file order: the model has not scored any document yet"
    ORDER_WHY_RANDOM = "random order"
    ORDER_WHY_TITLE = "Next because: {why}"
    ORDER_EVAL_BANNER = (
        "Evaluation document: never trained on. Label it as carefully as any other: the model's "
        "scores are taken on these documents."
    )

    # the status bar
    ORDER_NOT_SCORED = (
        "Ordering by the model: no document scored yet ({scored} of {pool}); this one comes in file order."
    )
    ORDER_NO_MODEL = (
        "Ordering by the model needs a model that knows your labels. {detail} Meanwhile, documents come "
        "in file order."
    )
    ORDER_NOTHING_LEFT = "No documents left to do."
    ORDER_SCORING = "Scoring {pool:,} to-do documents drawn at random: {scored:,} done"
    ORDER_SCORED = "{scored:,} to-do documents drawn at random scored by {model}"
    ORDER_RANDOM_POOL = "Random order over {pool:,} to-do documents drawn at random"
    ORDER_FILE_STATUS = "Documents in file order"
    ORDER_SCORE_FAILED = "The documents could not be scored ({detail}); Next takes them in file order."

    # the evaluation sample
    EVAL_SAMPLE_ON = (
        "Evaluation sample on: {percent:g} % of the documents ({n:,} of {total:,}) are never trained on; "
        "after training, F per label is measured on those you accept. One comes about every {every} "
        "documents. Turn it off or change its size in the ordering menu."
    )
    EVAL_SAMPLE_OFF = "Evaluation sample off: every accepted document is trained on."
    EVAL_SAMPLE_MENU = "Evaluation sample: {percent:g} % never trained on"
    EVAL_SAMPLE_TIP = (
        "Keeps a random {percent:g} % of the documents out of every training run (and out of learning as "
        "you annotate), so that F per label is measured on documents the model never saw, chosen "
        "independently of the order you label in. Until {min_docs} of them are accepted, scores come "
        "from cross-validation or held-out documents as before; the evaluation documents are still "
        "never trained on. On a small project this takes {percent:g} % of your annotations away from "
        "training."
    )
    EVAL_SAMPLE_BAD_SETTING = (
        "{path}: the project setting {key} is {value!r}, which is not a share between 0 and 0.5. "
        "Choose the evaluation sample's size again in the ordering menu."
    )
    EVAL_SAMPLE_NOTHING_LEFT = (
        "every accepted document with spans is in the evaluation sample ({n} of them), which is never "
        "trained on. Accept more documents, or turn the evaluation sample off"
    )
    EVAL_SAMPLE_CAPTION = "F on {n:,} evaluation documents never trained on"
    EVAL_SAMPLE_APART = "{caption}: {figures}."
    EVAL_SAMPLE_FEW = (
        "Too few for a firm figure: once {min_docs} evaluation documents are accepted, the F above is "
        "taken on them."
    )
    EVAL_SAMPLE_CLI = "  on {n:,} evaluation documents never trained on:"
    EVAL_SAMPLE_CLI_ROW = "    {label}: P {p:.3f}  R {r:.3f}  F {f:.3f}"
    EVAL_SAMPLE_CLI_FEW = "    (fewer than {min_docs}: a rough figure; the F above comes from {source})"
