"""Reading files: formats, encodings, spans in files."""


class FileMsg:
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
