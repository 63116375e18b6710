"""The training dock (see ``nergui.gui.training`` for its parts)."""

from .training.panel import TrainingPanel

__all__ = ["TrainingPanel"]
