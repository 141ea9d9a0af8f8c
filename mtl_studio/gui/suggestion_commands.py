"""Undoable edits on model suggestions: accept one, reject one, accept all (and mark NER done).

Like gui/commands.py, each command writes the store in redo() and undo() (core/suggestions.py says what
accepting and rejecting mean) and reports the document it touched through the EditNotifier.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from mtl_studio.core import suggestions as sg
from mtl_studio.core.review import GoldState, gold_state, write_gold_state
from mtl_studio.core.schema import SentimentLabel, Span
from mtl_studio.core.store import ProjectStore

from .commands import EditNotifier, _StoreCommand, find_gold_span


translate = QCoreApplication.translate  # lupdate reads translate("Context", "text") calls, not a wrapper


class AcceptSpanSuggestionCommand(_StoreCommand):
    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int, span: Span, preview: str) -> None:
        text = translate("SuggestionCommands", "Accept suggested {label} “{text}”")
        super().__init__(store, notifier, doc_id, text.format(label=span.label, text=preview))
        self.span = span
        self._was_labelled = bool(store.get_document(doc_id).ner_labelled)

    def redo(self) -> None:
        self._run(lambda: sg.accept_span(self.store, self.doc_id, self.span))

    def undo(self) -> None:
        def do() -> None:
            gold = find_gold_span(self.store, self.doc_id, self.span.start, self.span.end)
            if gold is not None and gold.id is not None:
                self.store.remove_span(gold.id)
            self.store.set_ner_labelled(self.doc_id, self._was_labelled)
        self._run(do)


class AcceptSentimentSuggestionCommand(_StoreCommand):
    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int, suggestion: SentimentLabel) -> None:
        text = translate("SuggestionCommands", "Accept suggested sentiment {label}")
        super().__init__(store, notifier, doc_id, text.format(label=suggestion.label))
        self.suggestion = suggestion
        doc = store.get_document(doc_id)
        self._old = doc.sentiment

    def redo(self) -> None:
        self._run(lambda: sg.accept_sentiment(self.store, self.doc_id, self.suggestion))

    def undo(self) -> None:
        old = self._old
        self._run(lambda: self.store.set_sentiment(self.doc_id, old.label if old else None,
                                                   annotator=old.annotator if old else None,
                                                   run_id=old.run_id if old else None))


class RejectSuggestionCommand(_StoreCommand):
    """Reject a suggested span or sentiment: not shown again for its run."""

    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int,
                 suggestion: Span | SentimentLabel, preview: str = "") -> None:
        if isinstance(suggestion, Span):
            text = translate("SuggestionCommands", "Reject suggested {label} “{text}”").format(
                label=suggestion.label, text=preview)
        else:
            text = translate("SuggestionCommands", "Reject suggested sentiment {label}").format(label=suggestion.label)
        super().__init__(store, notifier, doc_id, text)
        self.suggestion = suggestion

    def redo(self) -> None:
        if isinstance(self.suggestion, Span):
            self._run(lambda: sg.reject_span(self.store, self.doc_id, self.suggestion))
        else:
            self._run(lambda: sg.reject_sentiment(self.store, self.doc_id, self.suggestion))

    def undo(self) -> None:
        if isinstance(self.suggestion, Span):
            self._run(lambda: sg.unreject_span(self.store, self.doc_id, self.suggestion))
        else:
            self._run(lambda: sg.unreject_sentiment(self.store, self.doc_id, self.suggestion))


class AcceptAllSuggestionsCommand(_StoreCommand):
    """Every shown suggestion of the document becomes gold and NER is marked done; undo restores the gold."""

    def __init__(self, store: ProjectStore, notifier: EditNotifier, doc_id: int) -> None:
        text = translate("SuggestionCommands", "Accept all suggestions of document {id}")
        super().__init__(store, notifier, doc_id, text.format(id=doc_id))
        self._before: GoldState = gold_state(store, doc_id)

    def redo(self) -> None:
        self._run(lambda: sg.accept_all(self.store, self.doc_id))

    def undo(self) -> None:
        before = self._before
        self._run(lambda: write_gold_state(self.store, self.doc_id, before))
