"""srsly: its compiled submodules (msgpack, ujson) are imported from Cython code, which
PyInstaller does not scan; its metadata carries the ``spacy_readers`` entry points."""

from PyInstaller.utils.hooks import collect_submodules, copy_metadata

hiddenimports = collect_submodules("srsly", filter=lambda name: ".tests." not in name + ".")
datas = copy_metadata("srsly")
