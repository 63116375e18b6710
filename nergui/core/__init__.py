"""The Qt-free engine of nergui: store, text, formats, pipelines, training, evaluation.

Nothing under ``nergui.core`` may import Qt (checked by import-linter in the test run).
"""
