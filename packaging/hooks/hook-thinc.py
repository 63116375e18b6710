"""thinc (replaces the stock hook): every submodule but the tests, its data, its metadata."""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules, copy_metadata

# Cython sources and test folders (thinc has one in extra/) are not needed at run time
SOURCES_AND_TESTS = ["**/tests", "**/tests/**", "**/*.pyx", "**/*.pxd", "**/*.cpp"]

hiddenimports = collect_submodules("thinc", filter=lambda name: ".tests." not in name + ".")
datas = collect_data_files("thinc", excludes=SOURCES_AND_TESTS) + copy_metadata("thinc")
