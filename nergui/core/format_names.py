"""The names of the import and export formats and what each is called, without importing a reader
(the command line's --format choices and the import dialog's list come from here)."""

from __future__ import annotations

#: every format ``nergui import`` reads, and how it is described to the user
READ_FORMATS: dict[str, str] = {
    "prodigy": "Prodigy JSONL",
    "doccano": "doccano JSONL",
    "label_studio": "Label Studio JSON export",
    "train_json": "spaCy v2 TRAIN_DATA JSON",
    "spacy_json": "spaCy v2 JSON training format",
    "spacy_iob": "spaCy IOB, one sentence per line (word|TAG or word|POS|TAG)",
    "conll": "CoNLL-style token and tag columns",
    "csv": "CSV or TSV with a header row and a text column",
    "docbin": "spaCy DocBin (.spacy)",
    "text": "plain text, one document per line",
    "text_files": "a folder of .txt files, one document each",
}

#: every format ``nergui export`` writes (besides "pipeline", the model itself)
WRITE_FORMATS: dict[str, str] = {
    "prodigy": "Prodigy JSONL: one task per line, spans with token offsets, the answer from the state",
    "doccano": "doccano JSONL: text and [start, end, label] triples",
    "conll": "CoNLL BIO columns: one token and its tag per line",
    "docbin": "a folder with train.spacy, dev.spacy and config.cfg for 'python -m spacy train'",
}

#: encodings a text file can be read in (Python codec name -> how it is called), UTF-8 first
ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8",
    "cp1252": "Windows-1252 (Western European)",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "utf-16": "UTF-16",
    "iso8859-15": "Latin-9 (ISO-8859-15)",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "mac-roman": "Mac OS Roman",
    "shift_jis": "Shift JIS (Japanese)",
    "gb18030": "GB 18030 (Chinese)",
    "euc-kr": "EUC-KR (Korean)",
}

#: what each export format is called, what it is in one line, and the suffix its file gets ("" for a folder)
EXPORT_FORMATS: dict[str, tuple[str, str, str]] = {
    "prodigy": ("Prodigy JSONL", "a task per line with its spans and the state as the answer", ".jsonl"),
    "doccano": ("doccano JSONL", "text and [start, end, label] triples, as doccano imports them", ".jsonl"),
    "conll": ("CoNLL columns", "a token and its BIO tag per line, a blank line between documents", ".conll"),
    "docbin": ("spaCy training folder", "train.spacy, dev.spacy and config.cfg for 'python -m spacy train'", ""),
    "pipeline": ("The model in use", "a pipeline folder that spacy.load() opens (no documents)", ""),
}
