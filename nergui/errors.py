"""Every message a user can see, in one place.

Messages name the file and line (or the span) and say what to do. Code raises
``NerguiError`` subclasses with one of these templates; the CLI prints ``str(err)``
on one line and exits non-zero, the GUI shows it in a dialog or the status bar.
"""

from __future__ import annotations

import re
import string


class NerguiError(Exception):
    """A user-facing error: ``str()`` is the complete message, no traceback needed."""


class InputError(NerguiError):
    """A bad input file. ``problems`` lists every problem found (file:line: message)."""

    def __init__(self, message: str, problems=None):
        super().__init__(message)
        self.problems = list(problems or [])


class ProjectError(NerguiError):
    """The project folder or its database cannot be used."""


class StoreError(ProjectError):
    """The project database could not do what was asked: busy (another program is writing),
    read-only, disk full or damaged. Nothing was changed; the same action may work later."""


class EditConflict(ProjectError):
    """An edit no longer fits the data (the span it names is gone: the document was changed
    elsewhere). Retrying cannot help, unlike a ``StoreError``."""


class PipelineError(NerguiError):
    """A spaCy pipeline cannot be loaded, changed or saved."""


class TrainingError(NerguiError):
    """Training could not run or failed; the last good model is untouched."""


class SpanError(NerguiError):
    """A span cannot be added as asked (out of range, overlapping, misaligned)."""


class LabelError(NerguiError):
    """A label change cannot be made as asked (a name taken or not valid, a key not 1-9)."""


def detail(err: BaseException, *, limit: int | None = None) -> str:
    """An exception as the detail of a message: its type and text on one line."""
    text = " ".join(f"{type(err).__name__}: {err}".split())
    return text[:limit] if limit else text


class Msg:
    """Message templates. Fill with ``Msg.X.format(...)``."""

    # files and formats
    NO_FILE = "{path}: no such file. Check the path and try again."
    IS_DIR = "{path}: is a folder, but a file was expected. Pick the file itself."
    EMPTY_FILE = "{path}: the file is empty. Pick a file that holds documents."
    BINARY = "{path}: this looks like a binary file, not text. Export your data as {fmt} and try again."
    NOT_UTF8 = (
        "{path}:{line}: the file is not UTF-8 (byte {byte:#04x} at offset {offset}). "
        "Save it as UTF-8 (for example 'iconv -f latin1 -t utf-8') and import again."
    )
    NOT_UTF8_BUT_UTF16 = (
        "{path}:{line}: the file is not UTF-8 (byte {byte:#04x} at offset {offset}). Save it as UTF-8 "
        "(it is UTF-16: for example 'iconv -f utf-16 -t utf-8') and import again."
    )
    UNKNOWN_FORMAT = (
        "{path}: could not tell the format: {detected}. Choose the format (Format in the import dialog, "
        "--format on the command line): {formats}."
    )
    BAD_JSON = "{path}:{line}: not valid JSON ({detail}). Fix or remove this line."
    NOT_OBJECT = "{path}:{line}: expected a JSON object ({{\"text\": ...}}), found {found}."
    NO_TEXT = "{path}:{line}: no \"text\" field. Every document needs its text as a string."
    TEXT_NOT_STRING = "{path}:{line}: \"text\" is {found}, not a string. Store the text as a string."
    BAD_SPAN = "{path}:{line}: span {index} is malformed ({detail}). Each span needs integer start and end and a label."
    SPAN_RANGE = (
        "{path}:{line}: span {index} [{start}, {end}) {label} is outside the text (length {length}). "
        "Fix its offsets or remove it."
    )
    SPAN_REVERSED = "{path}:{line}: span {index} has end {end} before start {start}. Swap or fix the offsets."
    SPAN_EMPTY = "{path}:{line}: span {index} [{start}, {end}) {label} is empty. Remove it."
    SPAN_OVERLAP = (
        "{path}:{line}: spans [{a_start}, {a_end}) {a_label} and [{b_start}, {b_end}) {b_label} overlap. "
        "Entity spans may not overlap: keep one of them."
    )
    SPAN_WHITESPACE = (
        "{path}:{line}: span [{start}, {end}) {label} starts or ends with whitespace. "
        "Trim it to [{fix_start}, {fix_end})."
    )
    BAD_LABEL = "{path}:{line}: span {index} has label {label!r}; labels must be non-empty text without spaces."
    BAD_FIELD = "{path}:{line}: \"{field}\" is {found}; expected {expected}."
    CONLL_COLUMNS = (
        "{path}:{line}: expected a token and a tag separated by whitespace ({columns}), found {found!r}. "
        "Fix this line, or choose the columns (Columns in the import dialog, --columns TOKEN,TAG on the command line)."
    )
    CONLL_TAG = (
        "{path}:{line}: tag {tag!r} is not an entity tag (O, B-X, I-X, E-X, S-X, L-X, U-X; read with {columns}). "
        "Fix the tag, or choose the tag column (Columns in the import dialog, --columns TOKEN,TAG on the command line)."
    )
    CONLL_SEQUENCE = (
        "{path}:{line}: tag {tag!r} cannot follow {prev!r}: an end tag must close an entity of its own type. "
        "Fix the tag sequence."
    )
    SPACY_JSON_SHAPE = (
        "{path}: document {line}: {detail}. A spaCy v2 JSON training file is a list of "
        "{{\"paragraphs\": [{{\"sentences\": [{{\"tokens\": [{{\"orth\", \"ner\"}}]}}]}}]}}; fix this document."
    )
    SPACY_IOB_TOKEN = (
        "{path}:{line}: token {index} {token!r} is not word|TAG or word|POS|TAG with an entity tag "
        "(O, B-X, I-X, E-X, S-X) like the other tokens of the line. Fix this line."
    )
    PRODIGY_CONFLICT = (
        "{path}:{line}: span [{start}, {end}) {label} is accepted here, but line {other} accepted the overlapping "
        "[{o_start}, {o_end}) {o_label} in the same text. Two entities cannot overlap: reject one of them in the file."
    )
    DOCBIN_CORRUPT = "{path}: not a readable spaCy DocBin ({detail}). Re-export it with 'DocBin.to_disk'."
    LABEL_STUDIO_SHAPE = "{path}: item {line}: {detail}. Export from Label Studio as JSON (or JSON-MIN)."
    PROBLEMS_FOUND = (
        "{path}: {count} problem(s) found, nothing was imported. First: {first}. "
        "Fix the file, or import only the good documents (\"Skip bad documents\" in the import dialog, "
        "--partial on the command line)."
    )
    EXPORT_TARGET_TAKEN = (
        "{path}: already exists and is not an exported pipeline; nothing was changed. "
        "Pick a new folder name (an earlier pipeline export or an empty folder is replaced)."
    )
    UNKNOWN_EXPORT = "Unknown export format {fmt!r}. Use one of: {formats}."
    # formats (added with nergui/core/formats)
    UNKNOWN_READ_FORMAT = "Unknown import format {fmt!r}. Use one of: {formats}."
    NOT_DIR = "{path}: is a file, but a folder of .txt files was expected. Pick the folder, or use --format text."
    NO_TXT_FILES = "{path}: the folder holds no .txt files. Pick a folder of UTF-8 .txt files, one document each."
    READ_FAILED = "{path}: cannot be read ({detail}). Check that it exists and that you may read it."
    WRITE_FAILED = (
        "{path}: could not be written ({detail}). Check that the folder exists and is writable; "
        "no existing file was changed."
    )
    BAD_CHAR = (
        "{path}:{line}: the text holds an unpaired surrogate (U+{code:04X}) at offset {offset}, "
        "which is not a character. Fix the \\u escape in the file."
    )
    SPAN_ONLY_WHITESPACE = "{path}:{line}: span {index} [{start}, {end}) {label} holds only whitespace. Remove it."
    SPAN_TEXT_MISMATCH = (
        "{path}:{line}: span {index} [{start}, {end}) {label} covers {found!r}, but the file says it covers "
        "{expected!r}. Fix its offsets."
    )
    NOT_A_LIST = "{path}: expected a JSON list of {what}, found {found}. Pick a {fmt} file."
    TRAIN_JSON_ITEM = (
        "{path}: item {line}: expected [text, {{\"entities\": [[start, end, label], ...]}}], found {found}. "
        "Fix or remove this item."
    )
    # encodings and CSV/TSV with a text column (issue 12)
    NOT_IN_ENCODING = (
        "{path}:{line}: the file is not {encoding} (byte {byte:#04x} at offset {offset}). "
        "Choose its encoding (Encoding in the import dialog, --encoding on the command line) and import again."
    )
    UNKNOWN_ENCODING = "Unknown encoding {encoding!r}. Use one of: {encodings}."
    CSV_NO_TEXT_COLUMN = (
        "{path}: no column is named like a text ({names}); the header row holds {columns}. "
        "Choose the text column (Text column in the import dialog, --text-key on the command line)."
    )
    CSV_NO_SUCH_COLUMN = (
        "{path}: no column {name!r}; the header row holds {columns}. "
        "Choose the text column (Text column in the import dialog, --text-key on the command line)."
    )
    CSV_ROW_WIDTH = (
        "{path}:{line}: this row has {found} fields, but the header has {expected}. "
        "Put a field that holds {delimiter} in double quotes, or fix the row."
    )
    CSV_BAD_ROW = "{path}:{line}: not readable as {kind} ({detail}). Fix this row."
    CSV_ONLY_HEADER = "{path}: only a header row ({columns}), no documents. Pick a file that holds documents."

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
    ACTIVE_WHY_UNSURE = "uncertain {label} {text!r} p={p:.2f}"
    ACTIVE_WHY_LIKELY = "likely {label} {text!r} p={p:.2f}"
    ACTIVE_WHY_PATTERN = "pattern finds {label} {text!r}, the model p={p:.2f}"
    ACTIVE_WHY_NOTHING = "no entity of your new types expected"
    ACTIVE_WHY_NOT_SCORED = "not scored yet (random order)"
    ACTIVE_WHY_NEAR_COPY = "{why}; much like a document shown before"
    ACTIVE_NO_COMPONENT = (
        "No entity recognizer of this model predicts {labels}, so documents cannot be ordered by its "
        "uncertainty. Train the model on these labels first, or use file or random order."
    )
    BENCH_ACTIVE_NO_DATA = (
        "bench active: the fashion data is not there ({path}); nothing measured. Put explosion/projects' "
        "fashion_brands files in ../shared/data beside the checkout, or pass --data FOLDER."
    )

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
    # ``nergui bench keys`` stops without figures when the window or the store is not as keyed
    BENCH_KEYS_SPANS = "bench keys: document {doc_id} holds {have}, not {want} as keyed. No figures printed."
    BENCH_KEYS_STATE = "bench keys: document {doc_id} is {state}, not accepted as keyed. No figures printed."
    BENCH_KEYS_REJECTED = "bench keys: document {doc_id} rejects {have}, not {want} as keyed. No figures printed."
    BENCH_KEYS_NOT_STORED = (
        "bench keys: document {doc_id}: [{start}, {end}) {label} is not in the store after its key. No figures printed."
    )
    BENCH_KEYS_CARET = "bench keys: after {keys} the caret is at {got}, not {want} as planned. No figures printed."
    BENCH_KEYS_UNREACHABLE = "bench keys: no caret key reaches the word at {pos}. No figures printed."
    BENCH_KEYS_FOCUS = "bench keys: the focus is on {got}, not on the suggestion {want}. No figures printed."
    BENCH_KEYS_LOST_FOCUS = "bench keys: the text view lost the focus (to {widget}) before {key}. No figures printed."
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


#: The window's wording where its advice differs from the command line's, by ``Msg`` entry:
#: ``(the command line's phrase, the window's)``. A phrase may hold the template's fields
#: ({path}), and the window's may use them. Besides these, a message that names both places as
#: "(X in the import dialog, --flag on the command line)" keeps only the first in the window.
#: ``in_window`` applies both to any message (also one quoted inside another).
IN_WINDOW: dict[str, tuple[str, str]] = {
    "NOT_UTF8": ("Save it as UTF-8 (for example 'iconv -f latin1 -t utf-8') and import again.",
                 "Choose the file's encoding (Encoding in the import dialog: Latin-1, Windows-1252, UTF-16\u2026) "
                 "and import again."),
    "NOT_UTF8_BUT_UTF16": ("Save it as UTF-8 (it is UTF-16: for example 'iconv -f utf-16 -t utf-8') and import again.",
                           "It is UTF-16: choose UTF-16 (Encoding in the import dialog) and import again."),
    "UNKNOWN_FORMAT": ("Choose the format (Format in the import dialog, --format on the command line): {formats}.",
                       "Choose it under Format in the import dialog."),
    "NOT_DIR": ("Pick the folder, or use --format text.",
                "Pick the folder, or choose plain text (Format in the import dialog)."),
    "NOT_A_PROJECT": ("Create one with 'nergui import {path} FILE'.",
                      "Pick the folder that holds nergui.sqlite, or create a project (File > New project)."),
    "NO_CURRENT_MODEL": ("Run 'nergui train {path}' first.", "Train one first (Training > Train now)."),
    "INTERNAL": ("please report it with the command you ran (set NERGUI_DEBUG=1 to see the traceback)",
                 "please report it with what you did (Copy details puts this message on the clipboard)"),
}

_BOTH_PLACES = re.compile(r"\(([^()]*? in the import dialog), [^()]*? on the command line\)")


def _pattern(template: str) -> re.Pattern:
    """A regular expression matching ``template`` filled in: each field a named group (a
    field used twice must match the same text twice)."""
    out, seen = [], set()
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if name is None:
            continue
        key = re.sub(r"\W", "_", name) or "field"
        out.append(f"(?P={key})" if key in seen else f"(?P<{key}>.+?)")
        seen.add(key)
    return re.compile("".join(out), re.DOTALL)


_IN_WINDOW = [(_pattern(cli), gui) for cli, gui in IN_WINDOW.values()]


def in_window(message: str | BaseException) -> str:
    """``message`` (a ``Msg`` filled in, or an error carrying one) as the window says it: the
    advice of ``IN_WINDOW`` instead of the command line's, and no command-line flags."""
    text = str(message)
    for pattern, gui in _IN_WINDOW:
        text = pattern.sub(lambda m, g=gui: g.format(**m.groupdict()), text)
    return _BOTH_PLACES.sub(r"(\1)", text)


def made_from(template: str, message: str | BaseException) -> bool:
    """Whether ``message`` (or a message quoted in it) is ``template`` filled in."""
    return _pattern(template).search(str(message)) is not None
