"""The headless core of MTL Studio: data, project store, formats, model, training, evaluation, export.

Nothing under this package imports Qt (tests/core/test_no_qt.py checks it). Heavy modules (torch,
transformers) are imported by the modules that need them, not here, so the CLI starts fast.
"""
from .schema import Document, EntityType, SentimentClass, SentimentLabel, Span, ValidationError
from .store import ProjectStore

__all__ = ["Document", "EntityType", "SentimentClass", "SentimentLabel", "Span", "ValidationError", "ProjectStore"]
