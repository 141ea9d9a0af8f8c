"""A Chinese project in the studio: import a character-per-line BMES file through the wizard, annotate a
new entity by dragging over characters, export CoNLL with every character and tag intact."""
from __future__ import annotations

from PySide6.QtCore import Qt

from mtl_studio.core.formats import export_project
from mtl_studio.gui.app import app_settings
from mtl_studio.gui.main_window import MainWindow

from gui_helpers import drag, open_import_wizard

BMES = """华 B-ORG
为 E-ORG
在 O
深 B-LOC
圳 E-LOC
发 O
布 O
新 O
机 O
😀 O

张 S-PER
伟 O
说 O
𠀋 O
北 B-LOC
京 M-LOC
市 E-LOC
很 O
好 O
"""


def test_chinese_bmes_import_annotate_export(qtbot, tmp_path):
    window = MainWindow(app_settings())
    qtbot.addWidget(window)
    window.show()
    assert window.new_project(tmp_path / "zh")
    src = tmp_path / "news.bmes"
    src.write_text(BMES, encoding="utf-8")
    wizard = open_import_wizard(qtbot, window, src)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.check_page.result is not None, timeout=20_000)
    assert wizard.check_page.result.report.scheme == "bioes"
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.next()
    wizard.accept()
    assert window.store.count_documents() == 2

    # The second sentence: "张" is PER (S-), "北京市" LOC; tag "伟" as PER too by dragging over it.
    window.doc_panel.select_row(1)
    editor = window.editor
    text = editor.doc.text
    assert text == "张伟说𠀋北京市很好"
    wei = text.index("伟")
    span_zhang = next(s for s in editor.doc.spans if s.label == "PER")
    editor.select_span(span_zhang)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)  # remove the one-character PER ...
    drag(qtbot, editor, 0, wei + 1)  # ... and make "张伟" one PER by dragging over both characters
    assert editor.selection == (0, 2)
    types = window.store.entity_type_names()
    qtbot.keyClick(editor, getattr(Qt.Key, f"Key_{types.index('PER') + 1}"))
    assert [(s.start, s.end, s.label) for s in window.store.get_document(editor.doc.id).spans] == [
        (0, 2, "PER"), (text.index("北"), text.index("市") + 1, "LOC")]

    out = tmp_path / "out.conll"
    export_project(window.store, out, "conll")
    rows = [tuple(line.split()) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert rows == [
        ("华", "B-ORG"), ("为", "I-ORG"), ("在", "O"), ("深", "B-LOC"), ("圳", "I-LOC"), ("发", "O"), ("布", "O"),
        ("新", "O"), ("机", "O"), ("😀", "O"),
        ("张", "B-PER"), ("伟", "I-PER"), ("说", "O"), ("𠀋", "O"), ("北", "B-LOC"), ("京", "I-LOC"),
        ("市", "I-LOC"), ("很", "O"), ("好", "O"),
    ]
    window.shutdown()
