"""Annotating the tasks a project declares (issue 13), in the real MainWindow: the selected entity's
polarity by key, the further document label sets as rows of keyed buttons (multi-label classes toggle,
a single-label set takes one class), the schema dialog adding / renaming / removing them, the document
list's filter per task, the key-clash check with the new keys, and the layout at laptop sizes.
Every edit goes through the window's undo stack and is in the project file at once (reopened here)."""
from __future__ import annotations

import pytest
from gui_helpers import open_window
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget
from project_helpers import ANNOTATION, make_project
from test_layout import LAPTOP_SIZES, SMALL_SIZE, _clipped_controls, _fully_visible, _settle
from test_window_keys import STANDARD_KEYS, _bindings, _duplicates, _expand

from mtl_studio.core.schema import ENTITY_SENTIMENT_KEYS, LABEL_SET_KEYS, Span
from mtl_studio.core.store import ProjectStore
from mtl_studio.gui.schema_dialog import SchemaDialog


@pytest.fixture
def tasks_project(tmp_path):
    """ANNOTATION's four documents with entity sentiment on and two further label sets."""
    store = make_project(tmp_path / "tasks.mtl", ANNOTATION)
    store.enable_entity_sentiment()
    store.add_label_set("topic", multi_label=True, classes=("markets", "tech", "other"))
    store.add_label_set("urgency", classes=("low", "high"))
    text = store.get_document(1).text
    start = text.index("Berlin")
    store.add_span(1, Span(start, start + len("Berlin"), "LOC"))
    yield store
    store.close()


@pytest.fixture
def window(qtbot, tasks_project):
    w = open_window(qtbot, tasks_project.path, size=(1366, 768))
    w.show_document(1)
    w.editor.setFocus()
    yield w
    w.shutdown()


def _reopened(store: ProjectStore):
    """The project as another process sees it: what was written is on disk."""
    return ProjectStore.open(store.path)


def _keys_of(store: ProjectStore) -> dict[str, str]:
    keys = {c.name: c.key for c in store.entity_sentiment_classes()}
    for label_set in store.label_sets():
        keys.update({f"{label_set.name}.{c.name}": c.key for c in label_set.classes})
    return keys


def _status(window) -> str:
    return window.statusBar().currentMessage()


def test_the_project_gives_the_new_classes_keys_from_their_pools(tasks_project):
    keys = _keys_of(tasks_project)
    assert [keys[n] for n in ("negative", "neutral", "positive")] == list(ENTITY_SENTIMENT_KEYS[:3])
    assert [keys[n] for n in ("topic.markets", "topic.tech", "topic.other", "urgency.low", "urgency.high")] \
        == list(LABEL_SET_KEYS[:5])


def test_polarity_by_key_toggles_clears_undoes_and_is_saved(qtbot, window, tasks_project):
    editor = window.editor
    rows = window.annotate_page.task_rows
    assert rows.isVisible() and rows.polarity_row is not None
    span = tasks_project.get_document(1).spans[0]
    neg_key, neu_key = (Qt.Key(ord(k)) for k in ENTITY_SENTIMENT_KEYS[:2])
    # No entity selected: the key says what to do and changes nothing.
    qtbot.keyClick(editor, neg_key)
    assert "Select an entity" in _status(window)
    assert tasks_project.get_document(1).spans[0].sentiment is None

    editor.select_span(span)
    qtbot.keyClick(editor, neg_key)
    assert tasks_project.get_document(1).spans[0].sentiment == "negative"
    assert _status(window) == "Saved: Polarity negative for “Berlin”"
    assert rows.polarity_row.buttons()["negative"].isChecked()
    assert "Polarity: negative" in editor.span_tooltip(editor.selected_span)
    # The tag carries the polarity badge: it is wider than the type's name alone.
    editor.viewport().repaint()
    tag = next(t for t in editor._tags if t.span.start == span.start)
    assert tag.span.sentiment == "negative"
    assert tag.rect.width() > QFontMetricsF(editor._tag_font()).horizontalAdvance("LOC") + 8
    # Another polarity key replaces it; the same key again takes it off.
    qtbot.keyClick(editor, neu_key)
    assert tasks_project.get_document(1).spans[0].sentiment == "neutral"
    qtbot.keyClick(editor, neu_key)
    assert tasks_project.get_document(1).spans[0].sentiment is None
    assert not any(b.isChecked() for b in rows.polarity_row.buttons().values())
    # Shift + a polarity key clears it too.
    qtbot.keyClick(editor, neg_key)
    qtbot.keyClick(editor, neu_key, Qt.KeyboardModifier.ShiftModifier)
    assert tasks_project.get_document(1).spans[0].sentiment is None
    assert _status(window) == "Saved: Clear the polarity of “Berlin”"
    # Undo and redo walk back through every step, on disk.
    window.act_undo.trigger()
    assert _status(window) == "Undone: Clear the polarity of “Berlin”"
    with _reopened(tasks_project) as other:
        assert other.get_document(1).spans[0].sentiment == "negative"
    window.act_undo.trigger()
    assert tasks_project.get_document(1).spans[0].sentiment is None
    window.act_undo.trigger()
    assert tasks_project.get_document(1).spans[0].sentiment == "neutral"
    window.act_redo.trigger()
    window.act_redo.trigger()
    assert tasks_project.get_document(1).spans[0].sentiment == "negative"
    assert rows.polarity_row.buttons()["negative"].isChecked()
    with _reopened(tasks_project) as other:
        assert other.get_document(1).spans[0].sentiment == "negative"


def test_removing_an_entity_and_undoing_brings_its_polarity_back(qtbot, window, tasks_project):
    editor = window.editor
    editor.select_span(tasks_project.get_document(1).spans[0])
    qtbot.keyClick(editor, Qt.Key(ord(ENTITY_SENTIMENT_KEYS[2])))
    assert tasks_project.get_document(1).spans[0].sentiment == "positive"
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    assert tasks_project.get_document(1).spans == []
    window.act_undo.trigger()
    assert [s.sentiment for s in tasks_project.get_document(1).spans] == ["positive"]


def test_polarity_button_acts_on_the_selected_entity(qtbot, window, tasks_project):
    window.editor.select_span(tasks_project.get_document(1).spans[0])
    button = window.annotate_page.task_rows.polarity_row.buttons()["positive"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert tasks_project.get_document(1).spans[0].sentiment == "positive"
    assert button.isChecked()
    clear = window.annotate_page.task_rows.polarity_row.clear_button
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert tasks_project.get_document(1).spans[0].sentiment is None


def test_multi_label_classes_toggle_and_single_label_replaces(qtbot, window, tasks_project):
    editor = window.editor
    keys = _keys_of(tasks_project)
    key = {name: Qt.Key(ord(k)) for name, k in keys.items()}
    topic = window.annotate_page.task_rows.label_rows["topic"]
    urgency = window.annotate_page.task_rows.label_rows["urgency"]
    qtbot.keyClick(editor, key["topic.markets"])
    qtbot.keyClick(editor, key["topic.tech"])
    assert tasks_project.get_document(1).labels_of("topic") == ("markets", "tech")
    assert _status(window) == "Saved: topic + tech"
    assert topic.buttons()["markets"].isChecked() and topic.buttons()["tech"].isChecked()
    qtbot.keyClick(editor, key["topic.markets"])  # a multi-label class's key again takes it off
    assert tasks_project.get_document(1).labels_of("topic") == ("tech",)
    assert not topic.buttons()["markets"].isChecked()
    qtbot.keyClick(editor, key["urgency.low"])
    qtbot.keyClick(editor, key["urgency.high"])  # single-label: the new class replaces the old one
    assert tasks_project.get_document(1).labels_of("urgency") == ("high",)
    assert urgency.buttons()["high"].isChecked() and not urgency.buttons()["low"].isChecked()
    qtbot.keyClick(editor, key["urgency.high"])  # like the sentiment keys: pressing it again keeps it
    assert tasks_project.get_document(1).labels_of("urgency") == ("high",)
    assert "already high" in _status(window)
    qtbot.keyClick(editor, key["urgency.low"], Qt.KeyboardModifier.ShiftModifier)  # Shift+key clears the row
    assert tasks_project.get_document(1).labels_of("urgency") == ()
    assert _status(window) == "Saved: Clear urgency"
    window.act_undo.trigger()
    assert tasks_project.get_document(1).labels_of("urgency") == ("high",)
    window.act_undo.trigger()
    assert tasks_project.get_document(1).labels_of("urgency") == ("low",)
    # A click on a button is the same edit as its key.
    qtbot.mouseClick(topic.buttons()["other"], Qt.MouseButton.LeftButton)
    with _reopened(tasks_project) as other:
        doc = other.get_document(1)
        assert doc.labels_of("topic") == ("tech", "other") and doc.labels_of("urgency") == ("low",)
    # The other documents are untouched; the next one shows empty rows.
    window.show_document(2)
    assert not any(b.isChecked() for b in topic.buttons().values())


def test_hint_and_shortcuts_dialog_name_the_new_keys(qtbot, window, tasks_project):
    from mtl_studio.gui.shortcuts_dialog import ShortcutsDialog

    hint = window.annotate_page.hint.text()
    assert "X clear sentiment" in hint
    assert "Z C V polarity of the selected entity" in hint
    assert "F G H topic" in hint and "L P urgency" in hint
    dialog = ShortcutsDialog(tasks_project, window)
    table = dialog.findChild(QWidget, "shortcutsTable")
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert rows["F"] == "Add or remove markets (topic)"
    assert rows["P"] == "Set urgency to high"
    assert rows["Shift+L / Shift+P"] == "Clear the document's urgency labels"
    assert "Clear the selected entity's polarity" in rows.values()
    dialog.close()


def _schema_dialog(qtbot, window) -> SchemaDialog:
    window.act_schema.trigger()
    dialog = window.findChild(SchemaDialog)
    qtbot.waitExposed(dialog)
    dialog.confirm = lambda title, text: (dialog.asked.append(text) or True)
    dialog.asked = []
    return dialog


def test_schema_dialog_adds_renames_and_removes_label_sets_and_rows_follow(qtbot, window, tasks_project):
    dialog = _schema_dialog(qtbot, window)
    page = window.annotate_page
    assert dialog.add_label_set("intent", classes=("question", "complaint"))
    assert [x.name for x in tasks_project.label_sets()] == ["topic", "urgency", "intent"]
    assert dialog.label_classes_table.rowCount() == 2  # the new set is selected, its classes listed
    row = page.task_rows.label_rows["intent"]
    question_key = tasks_project.label_set("intent").classes[0].key
    assert question_key == LABEL_SET_KEYS[5]
    assert row.buttons()["question"].text() == f"question  ({question_key})"
    dialog.close()
    window.activateWindow()  # the window's shortcuts reach it once it is the active window again
    qtbot.waitUntil(window.isActiveWindow)
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key(ord(question_key)))
    assert tasks_project.get_document(1).labels_of("intent") == ("question",)
    # Rename: the count is in the question, the labels keep their places.
    dialog = _schema_dialog(qtbot, window)
    assert dialog.rename_label_set("intent", "request")
    assert "on 1 documents" in dialog.asked[-1]
    assert tasks_project.get_document(1).labels_of("request") == ("question",)
    assert set(page.task_rows.label_rows) == {"topic", "urgency", "request"}
    assert _status(window) == "Saved: Rename label set intent → request"
    window.act_undo.trigger()  # the rename is undoable like any edit
    assert "intent" in page.task_rows.label_rows
    window.act_redo.trigger()
    # A class: add, rename, remove.
    assert dialog.add_label_class("request", "praise")
    assert tasks_project.label_set("request").class_names == ("question", "complaint", "praise")
    assert "praise" in page.task_rows.label_rows["request"].buttons()
    assert dialog.rename_label_class("request", "question", "query")
    assert tasks_project.get_document(1).labels_of("request") == ("query",)
    assert dialog.remove_label_class("request", "praise")
    assert tasks_project.label_set("request").class_names == ("query", "complaint")
    # Single-label to multi-label and back (undoable).
    assert dialog.set_multi_label("request", True)
    assert tasks_project.label_set("request").multi_label
    assert "any of" in page.task_rows.label_rows["request"].findChild(QLabel, "labelSetButtons_requestTitle").text()
    window.act_undo.trigger()
    assert not tasks_project.label_set("request").multi_label
    # Removal says how many labels go, then the row and the labels are gone.
    assert dialog.remove_label_set("request")
    assert "1 gold labels on 1 documents" in dialog.asked[-1]
    assert [x.name for x in tasks_project.label_sets()] == ["topic", "urgency"]
    assert "request" not in page.task_rows.label_rows
    assert window.findChild(QWidget, "labelSetButtons_request") is None or \
        not window.findChild(QWidget, "labelSetButtons_request").isVisible()
    dialog.close()
    with _reopened(tasks_project) as other:
        assert [x.name for x in other.label_sets()] == ["topic", "urgency"]
        assert other.get_document(1).labels_of("request") == ()


def test_schema_dialog_refuses_a_reserved_or_duplicate_set_name(qtbot, window, tasks_project):
    dialog = _schema_dialog(qtbot, window)
    assert not dialog.add_label_set("sentiment")
    assert "built-in" in dialog.last_error
    assert not dialog.add_label_set("topic")
    assert "already exists" in dialog.last_error
    assert [x.name for x in tasks_project.label_sets()] == ["topic", "urgency"]
    dialog.close()


def test_entity_sentiment_switched_off_and_on_in_the_schema_dialog(qtbot, window, tasks_project):
    editor = window.editor
    editor.select_span(tasks_project.get_document(1).spans[0])
    qtbot.keyClick(editor, Qt.Key(ord(ENTITY_SENTIMENT_KEYS[0])))
    dialog = _schema_dialog(qtbot, window)
    dialog.tabs.setCurrentIndex(1)
    assert dialog.entity_sentiment_check.isChecked()
    assert dialog.polarity_table.rowCount() == 3
    # A new polarity (as SemEval's "conflict"), its key from the pool.
    assert dialog.add_polarity("conflict")
    assert _keys_of(tasks_project)["conflict"] == ENTITY_SENTIMENT_KEYS[3]
    assert "conflict" in window.annotate_page.task_rows.polarity_row.buttons()
    dialog.entity_sentiment_check.click()  # off: asks with the count, then every polarity is cleared
    assert "1 entities lose their polarity" in dialog.asked[-1]
    assert not tasks_project.has_entity_sentiment()
    assert tasks_project.get_document(1).spans[0].sentiment is None
    assert window.annotate_page.task_rows.polarity_row is None
    assert "polarity" not in window.annotate_page.hint.text()
    dialog.entity_sentiment_check.click()  # on again: the default classes, undoable
    assert tasks_project.entity_sentiment_class_names() == ["negative", "neutral", "positive"]
    assert window.annotate_page.task_rows.polarity_row is not None
    window.act_undo.trigger()
    assert not tasks_project.has_entity_sentiment()
    assert not dialog.entity_sentiment_check.isChecked()
    dialog.close()


def test_a_polarity_key_is_changed_in_the_dialog(qtbot, window, tasks_project):
    dialog = _schema_dialog(qtbot, window)
    table = dialog.polarity_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "positive")
    table.item(row, 0).setText("B")  # as the cell editor commits it
    assert _keys_of(tasks_project)["positive"] == "B"
    assert window.annotate_page.task_rows.polarity_row.buttons()["positive"].text().endswith("(B)")
    table.item(row, 0).setText("Q")  # not a polarity key: refused
    assert "must be one of" in dialog.last_error
    assert _keys_of(tasks_project)["positive"] == "B"
    dialog.close()


def test_document_list_filters_for_every_task(qtbot, window, tasks_project):
    combo = window.doc_panel.filter_combo
    keys = [combo.itemData(i) for i in range(combo.count())]
    assert keys[:5] == ["all", "unlabelled_ner", "unlabelled:entity_sentiment", "unlabelled_sentiment",
                        "unlabelled:topic"]
    assert "labelled:urgency" in keys and "unlabelled:urgency" in keys
    assert combo.itemText(keys.index("labelled:topic")) == "Labelled for topic"
    qtbot.keyClick(window.editor, Qt.Key(ord(_keys_of(tasks_project)["topic.tech"])))
    window.doc_panel.set_filter("labelled:topic")
    qtbot.waitUntil(lambda: window.doc_panel.count_label.text().startswith("1 documents"))
    assert window.doc_model.doc_id_at(0) == 1
    window.doc_panel.set_filter("unlabelled:topic")
    qtbot.waitUntil(lambda: window.doc_panel.count_label.text().startswith("3 documents"))
    # A label set added in the dialog gets its filters; a removed one loses them (the list shows all).
    dialog = _schema_dialog(qtbot, window)
    dialog.add_label_set("intent", classes=("a", "b"))
    assert combo.findData("unlabelled:intent") >= 0
    window.doc_panel.set_filter("labelled:intent")
    dialog.remove_label_set("intent")
    assert combo.findData("labelled:intent") < 0
    assert combo.currentData() == "all"
    dialog.close()


def test_a_project_with_only_ner_and_sentiment_shows_no_task_rows(qtbot, project):
    w = open_window(qtbot, project.path)
    assert not w.annotate_page.task_rows.isVisible()
    combo = w.doc_panel.filter_combo
    assert [combo.itemData(i) for i in range(5)] == ["all", "unlabelled_ner", "unlabelled_sentiment", "silver",
                                                    "errors"]
    w.shutdown()


@pytest.mark.parametrize("platform", sorted(STANDARD_KEYS))
def test_the_task_keys_clash_with_no_other_key(window, platform):
    entries = [(context, name, _expand(spec, platform) if spec else [s.toString() for s in sequences])
               for name, context, spec, sequences in _bindings(window)]
    assert _duplicates(entries) == [], platform
    bound = {key for _c, _n, keys in entries for key in keys}
    for key in "ZCV" + "FGHLP":
        assert key in bound and f"Shift+{key}" in bound


def test_the_task_rows_fit_laptop_screens(qtbot, tasks_project):
    """Many classes wrap onto more lines; every control of the Annotate tab stays whole."""
    tasks_project.add_label_set("department", multi_label=True, classes=tuple(
        f"department_{i}" for i in range(10)))
    w = open_window(qtbot, tasks_project.path)
    w.show_document(1)
    try:
        for size in LAPTOP_SIZES + [SMALL_SIZE]:
            _settle(w, *size)
            page = w.annotate_page
            problems = _clipped_controls(page, w) if size != SMALL_SIZE else []
            for name in ["annotationEditor", "sentimentButtons", "nerDoneCheck", "polarityButtons",
                         "labelSetButtons_topic", "labelSetButtons_urgency", "labelSetButtons_department"]:
                control = w.findChild(QWidget, name)
                if not _fully_visible(control, w):
                    problems.append(f"{size}: {name} not fully visible")
            for button in w.findChild(QWidget, "labelSetButtons_department").findChildren(QAbstractButton):
                if not _fully_visible(button, w):
                    problems.append(f"{size}: {button.text()} cut off")
            assert w.editor.height() >= 120, size  # the text keeps room
            assert problems == [], "\n".join(problems)
    finally:
        w.shutdown()


def test_suggested_entities_show_a_suggested_polarity(qtbot, window, tasks_project):
    """A model's span with a polarity is drawn with it (dashed outline and "LOC+?")."""
    from mtl_studio.core.suggestions import DocumentSuggestions

    layer = window.model_loop.layer
    text = tasks_project.get_document(2).text
    window.show_document(2)
    span = Span(0, text.index(" "), "ORG", source="predicted", confidence=0.9, run_id="r1", sentiment="positive",
                sentiment_confidence=0.8)
    layer.set_suggestions(DocumentSuggestions(document_id=2, run_id="r1", computed=True, spans=(span,)))
    assert "Suggested polarity: positive (0.80)" in layer.tooltip_text(span)
    assert layer.tag_text(span) == "ORG +?"
    assert layer.tag_text(Span(0, 1, "ORG")) == "ORG?"
    layer.repaint()  # paints without error with the polarity
