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
