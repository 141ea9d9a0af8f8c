"""Code points in the store, UTF-16 in Qt: a span made in the editor after emoji and a non-BMP CJK
character keeps its exact offsets through the store and the CoNLL export."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from mtl_studio.core.formats import export_project
from mtl_studio.gui.commands import EditNotifier
from mtl_studio.gui.annotate_page import AnnotatePage
from mtl_studio.gui.text_offsets import OffsetMap, utf16_length

from gui_helpers import drag
from project_helpers import ANNOTATION_EMOJI_TEXT as EMOJI_TEXT


@pytest.mark.parametrize("text", ["", "abc", "😀", "a😀b𠀋c", "华为🚀在深圳", "🚀🚀🚀x"])
def test_offset_map_round_trip(text):
    m = OffsetMap(text)
    assert m.utf16_len == utf16_length(text) == len(text.encode("utf-16-le")) // 2
    for cp in range(len(text) + 1):
        u16 = m.to_utf16(cp)
        assert u16 == len(text[:cp].encode("utf-16-le")) // 2
        assert m.to_code_point(u16) == cp


def test_position_inside_a_surrogate_pair_never_splits_a_character():
    m = OffsetMap("a😀b")  # 😀 occupies UTF-16 positions 1 and 2
    assert m.to_code_point(2) == 1  # rounds down to the emoji's start
    assert m.to_code_point(2, round_up=True) == 2  # or up past it
    assert m.span_to_code_points(2, 2) == (1, 2)
    with pytest.raises(IndexError):
        m.to_utf16(4)


def test_span_after_emoji_survives_editor_store_and_conll_export(qtbot, project, tmp_path):
    page = AnnotatePage()
    qtbot.addWidget(page)
    page.set_context(project, QUndoStack(page), EditNotifier(page))
    page.resize(900, 400)
    page.show()
    page.show_document(2)
    editor = page.editor
    assert editor.doc.text == EMOJI_TEXT
    apple = EMOJI_TEXT.index("Apple")  # code points; Qt sees three more positions before it (😀 🚀 𠀋)
    berlin = EMOJI_TEXT.index("Berlin")
    drag(qtbot, editor, apple + 1, apple + 4)
    qtbot.keyClick(editor, Qt.Key.Key_2)
    drag(qtbot, editor, berlin, berlin + 6)
    qtbot.keyClick(editor, Qt.Key.Key_3)

    doc = project.get_document(2)
    assert [(s.start, s.end, s.label) for s in doc.spans] == [(apple, apple + 5, "ORG"), (berlin, berlin + 6, "LOC")]
    assert [doc.text[s.start:s.end] for s in doc.spans] == ["Apple", "Berlin"]

    out = tmp_path / "out.conll"
    export_project(project, out, "conll")
    rows = [line.split() for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    tagged = {r[0]: r[-1] for r in rows}
    assert tagged["Apple"] == "B-ORG" and tagged["Berlin"] == "B-LOC"
    assert tagged["😀"] == "O" and tagged["🚀"] == "O" and tagged["𠀋"] == "O"
    assert [r[0] for r in rows if r[0] in ("😀", "🚀", "𠀋")] == ["😀", "🚀", "𠀋"]
