"""Pipelines, training, scores, ordering, learning while annotating."""


class TrainingMsg:
    # pipelines
    NO_PIPELINE = (
        "{name!r} is not an installed spaCy pipeline, a pipeline folder or 'blank:LANG'. "
        "Installed pipelines: {installed}."
    )
    NOT_A_PIPELINE = "{path}: not a spaCy pipeline folder (no config.cfg). Pick the folder that holds config.cfg."
    CORRUPT_PIPELINE = "{path}: the pipeline could not be loaded ({detail}). Pick another version or re-download it."
    PIPELINE_VERSION = (
        "{name}: made for spaCy {wanted}, but spaCy {have} is installed. Use a pipeline trained for spaCy {have}."
    )
    BAD_LANG = "{name!r}: spaCy has no language {lang!r}. Use a code such as 'blank:en' or 'blank:de'."
    NO_MODEL_VERSION = "{path}: no model version {version}. Versions: {versions}."
    NO_CURRENT_MODEL = "{path}: no model has been trained yet. Run 'nergui train {path}' first."
    BASE_MISSING = (
        "{path}: no base pipeline set. Pass --base with a pipeline name, a folder or blank:LANG."
    )

    # training
    TRAIN_FAILED = "Training stopped: {detail}. Your annotations and the last saved model are unchanged."
    TRAIN_SKIPPED_LONG = (
        "document {doc} has {length:,} characters, more than the pipeline accepts; it was left out of "
        "training. Split it into shorter documents to train on it."
    )
    TRAIN_OOM = "Training ran out of memory: {detail}. Lower the batch size; nothing was lost."
    BAD_RATIO = "Rehearsal must be between 0 and 1 (got {value})."
    BAD_STRATEGY = "Unknown strategy {value!r}. Use 'new-component' or 'in-place'."
    BAD_SETTING = "Training setting {name} cannot be {value!r}. Use one of: {allowed}."
    BAD_SETTING_RANGE = "Training setting {name} must be between {low} and {high} (got {value})."
    NO_NEW_LABELS_IN_PLACE = "{labels}: these labels are not in the project's data; nothing to learn."
    SPAN_BACKWARDS = "Span [{start}, {end}) ends before it starts. Give the smaller offset first."
    SPAN_BAD_LABEL = "Label {label!r} cannot be used: labels must be non-empty text without spaces."
    SPAN_UNALIGNABLE = (
        "Span [{start}, {end}) {label} does not match token boundaries and covers no token: {text!r}. "
        "Remove it."
    )
    SPAN_NOT_IN_TEXT = (
        "Span [{start}, {end}) {label} is outside the text (length {length}) or ends before it starts, "
        "so it cannot be aligned to tokens. Fix its offsets or remove it."
    )

    # honest scores on small projects (issue 12)
    RETENTION_FATE = "Of the original model's {n} entities there: {kept} kept exactly{moved}{lost}."
    RETENTION_FATE_MOVED = ", {moved} taken by your new types ({top}; not counted as forgetting)"
    RETENTION_FATE_LOST = ", {lost} lost or changed"
    RETENTION_INTERVAL = "{value:.2f} ({low:.2f}\u2013{high:.2f})"
    RETENTION_MEASURED = (
        "Retention {figure}{when}, measured on {n:,} held-out unannotated texts against the original model "
        "(in brackets, its 95 % interval)."
    )
    RETENTION_FEW_TEXTS = "So few texts leave it uncertain: import more unannotated text to narrow the interval."
    RETENTION_RELABELLED = (
        "Not counted as forgetting: {moved} of the original's entities taken by your new types ({top}). "
        "Counting them as lost, retention is {figure}."
    )
    RETENTION_AS_LOST = "Counting those taken by your types as lost, retention is {figure}."
    CV_FIGURE = "F {f:.2f} \u00b1 {spread:.2f}, {folds}-fold cross-validation on {n} documents"
    CV_CAPTION = "F: {folds}-fold cross-validation on {n} documents; \u00b1 the spread across folds."
    CV_TIP = "{figure}; {marked} {label} spans marked in them."
    CV_NOTE = (
        "Fewer than {min_docs} accepted documents, so none were held out to score your types: {folds} models "
        "were each trained for {epochs} epochs on all documents but one fold and scored on that fold. "
        "Train on {min_docs} or more for held-out scores."
    )
    CV_TOO_FEW = (
        "Per-label F needs {min_docs} accepted documents to hold some out, or {cv_min} with spans to "
        "cross-validate (Advanced: Cross-validate small projects); this run had {n:,}."
    )
    CV_FEWER_EPOCHS = (
        "The folds trained {epochs} epochs, not the run's {run}, to bound the time: the figure may be a little low."
    )
    CV_PROGRESS = "Cross-validating your types: fold {fold} of {folds} ({epochs} epochs each) \u00b7 ETA {eta}"
    CV_STATUS = (
        "Trained. {n:,} documents are too few to hold any out ({min_docs} are needed), so your types are "
        "cross-validated to give them an F\u2026"
    )
    CLI_RETENTION = (
        "  retention of the old types: {value:.3f} (95 % interval {low:.3f}-{high:.3f}; on {n:,} held-out "
        "unannotated texts, never rehearsed)"
    )
    CLI_RETENTION_RELABELLED = (
        "  {moved} of the original's entities taken by your new types; not counting them as forgetting, "
        "retention is {value:.3f} ({low:.3f}-{high:.3f})"
    )
    CLI_INTERVAL = "  95 % interval: {low:.3f}-{high:.3f} (bootstrap over the texts)"
    CV_CLI = (
        "  {label}: F {f:.3f} \u00b1 {spread:.3f} (P {p:.3f}, R {r:.3f}; {folds}-fold cross-validation on {n} "
        "documents, {epochs} epochs each)"
    )

    # ordering by what the model is unsure of (issue 13): why a document comes next
    ACTIVE_WHY_UNSURE = "unsure about {text!r} ({label} {p:.2f})"
    ACTIVE_WHY_LIKELY = "likely holds {text!r} ({label} {p:.2f})"
    ACTIVE_WHY_PATTERN = "matches a pattern: {text!r} ({label}; the model gives it {p:.2f})"
    ACTIVE_WHY_NOTHING = "no entity of your new types expected"
    ACTIVE_WHY_NOT_SCORED = "not scored yet (random order)"
    ACTIVE_WHY_NEAR_COPY = "{why}; much like a document shown before"
    ACTIVE_WHY_UNLIKE = "{why}; unlike the last ones"
    ACTIVE_NO_COMPONENT = (
        "No entity recognizer of this model predicts {labels}, so documents cannot be ordered by its "
        "uncertainty. Train the model on these labels first, or use file or random order."
    )


    # training in the desktop app (issue 4)
    TRAIN_CHILD_DIED = (
        "Training stopped unexpectedly: the training process ended with exit code {code}{detail}. "
        "Your annotations and the last saved model are unchanged; train again, with a smaller batch "
        "size if the computer ran out of memory."
    )
    TRAIN_CHILD_START = (
        "Training could not start: the training process did not start ({detail}). "
        "Your annotations and the last saved model are unchanged."
    )
    # learning while annotating (issue 13)
    LEARN_FAILED = "The document could not be learnt ({detail}). Your annotations and the saved models are unchanged."
    LEARN_CHILD_START = (
        "Learning as you annotate could not start: the learning process did not start ({detail}). "
        "Your annotations and the saved models are unchanged."
    )
    LEARN_CHILD_DIED = (
        "Learning as you annotate stopped: the learning process ended with exit code {code}{detail}. "
        "Your annotations and the saved models are unchanged; the preview stays on the last model loaded."
    )
    BENCH_LEARN_NO_DATA = (
        "bench learn: the fashion data is not there ({path}); measured on generated documents only."
    )
    TRAIN_SAVE_FAILED = (
        "The trained model could not be saved ({detail}). The last saved model is unchanged; train again to retry."
    )
    GUI_TRAIN_RUNNING = (
        "Training is running. Stop it and close? Nothing of this run is saved; "
        "your annotations and the last saved model stay as they are."
    )
    GUI_TRAIN_WAITING = "A trained model is waiting for Keep or Discard. Close and discard it?"
    GUI_TRAIN_BUSY = "A training run is already going (or waiting for Keep or Discard); one run at a time."
    GUI_TRAIN_CANCELLED = "Training cancelled. Nothing was saved; the last saved model is unchanged."
    GUI_TRAIN_KEPT = "Model {version} saved and in use."
    GUI_TRAIN_DISCARDED = "The trained model was discarded; the last saved model stays in use."
    GUI_ROLLED_BACK = "Model {version} is in use again."
    GUI_ROLLED_BACK_ORIGINAL = ("The original pipeline ({base}) is in use again; no trained version is deleted "
                                "(roll forward to any of them in the versions list).")
    GUI_REHEARSAL_FILE = "{path}: cannot be used for rehearsal ({detail})."
    GUI_NEW_PROJECT_EXISTS = "{path} already holds a nergui project. Open it (File > Open project) or choose another folder."
    GUI_LABEL_EMPTY = "Label {row} has no name. Type one, or remove the row."
    GUI_LABEL_TWICE = "The label {name} is listed twice; each label needs its own name."
    GUI_SHORTCUT_TWICE = "Key {key} is given to both {first} and {second}; give each label its own key (or none)."
    GUI_SHORTCUT_BAD = "{name}: the key must be a single character or empty, not {key!r}."
    GUI_DROP_NOT_A_FILE = "Only files can be dropped here (to import them), not {what}."
