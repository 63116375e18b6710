"""The training dock and its parts: settings, charts, result card, model versions."""

from .panel import TrainingPanel

__all__ = ["TrainingPanel"]
