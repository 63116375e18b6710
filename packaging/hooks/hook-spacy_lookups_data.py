"""spacy-lookups-data, when installed: its tables (lemmatizer lookups) are data files."""

from PyInstaller.utils.hooks import collect_data_files, copy_metadata

datas = collect_data_files("spacy_lookups_data") + copy_metadata("spacy-lookups-data")
