"""spaCy in a frozen app (replaces the stock hook of pyinstaller-hooks-contrib).

The stock hook collects every submodule and data file, tests included (which pull in
pytest and hypothesis). This one skips ``spacy.tests`` and adds what the stock hook
misses: the package metadata, and every module registered through a spaCy or thinc entry
point group (``spacy_architectures``, ``spacy_readers``, ``thinc_layers``...). spaCy looks
registered functions up through those entry points: without the ``spacy-legacy`` ones a
pipeline using e.g. ``spacy.TransitionBasedParser.v1`` fails with error E893. Pipeline
packages (``spacy_models``) are not collected here: ``packaging/build.py
--with-pipeline`` chooses them.
"""

from importlib.metadata import distributions

from PyInstaller.utils.hooks import collect_data_files, collect_entry_point, collect_submodules, copy_metadata

# Cython sources and test folders (thinc has one in extra/) are not needed at run time
SOURCES_AND_TESTS = ["**/tests", "**/tests/**", "**/*.pyx", "**/*.pxd", "**/*.cpp"]

# every submodule, so every language too (``spacy.lang.*``: a pipeline the user picks from
# disk may be German or Chinese; they are small), but not the tests
hiddenimports = collect_submodules("spacy", filter=lambda name: ".tests." not in name + ".")
datas = collect_data_files("spacy", excludes=SOURCES_AND_TESTS)
datas += copy_metadata("spacy")

_groups = sorted({ep.group for dist in distributions() for ep in dist.entry_points
                  if ep.group.startswith(("spacy_", "thinc_")) and ep.group != "spacy_models"})
for _group in _groups:
    _datas, _imports = collect_entry_point(_group)
    datas += _datas
    hiddenimports += _imports
