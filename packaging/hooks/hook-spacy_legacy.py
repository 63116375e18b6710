"""spacy-legacy: old architecture versions spaCy finds through entry points (error E893 without them).

Its metadata lists entry points in several groups (architectures, loggers, scorers,
thinc_layers), so every module must be there once the metadata is.
"""

from PyInstaller.utils.hooks import collect_submodules, copy_metadata

hiddenimports = collect_submodules("spacy_legacy")
datas = copy_metadata("spacy-legacy")
