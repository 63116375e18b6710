"""The document text view: span painting, prediction outlines, drag selection."""

from .view import AnnotatorView, Mark

__all__ = ["AnnotatorView", "Mark"]
