"""nergui: label named entities locally and train a spaCy model as you go."""

__version__ = "0.1.0"
