"""Regenerate the screenshots of every main screen, in English and in Simplified Chinese.

    python docs/make_screenshots.py            # both languages -> docs/screenshots/ and docs/screenshots/zh_CN/
    python docs/make_screenshots.py --lang zh_CN --steps 4

It runs the real studio offscreen in a scratch user folder: opens the demo project, annotates, trains a
short real run (the offline MiniLM encoder, a few steps per epoch) from the Train tab, shows the results
and predictions, then imports a small Chinese character-per-line file through the import wizard and
annotates it. Chinese screenshots need a CJK font (Debian/Ubuntu: apt-get install fonts-noto-cjk).
Each language runs in its own process, because translations are installed when the app starts.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "screenshots"
WINDOW_SIZE = (1366, 768)  # a common laptop screen: what most users see, clipping included

# A few made-up financial news sentences, one character per line, BIO tags (as Chinese NER corpora are).
CHINESE_SAMPLE = [
    ("华为在深圳发布了新款手机，股价上涨。", [("华为", "ORG"), ("深圳", "LOC")]),
    ("阿里巴巴宣布在杭州新建数据中心。", [("阿里巴巴", "ORG"), ("杭州", "LOC")]),
    ("张伟表示，腾讯第三季度利润下降。", [("张伟", "PER"), ("腾讯", "ORG")]),
    ("比亚迪在上海车展上展示了三款新车😀", [("比亚迪", "ORG"), ("上海", "LOC")]),
    ("中国银行下调了北京地区的贷款利率。", [("中国银行", "ORG"), ("北京", "LOC")]),
    ("李娜认为小米的海外销售表现强劲。", [("李娜", "PER"), ("小米", "ORG")]),
    ("京东物流在广州增加了两千个岗位。", [("京东物流", "ORG"), ("广州", "LOC")]),
    ("王芳说，招商银行的年报超出预期。", [("王芳", "PER"), ("招商银行", "ORG")]),
]


def write_chinese_conll(path: Path) -> Path:
    lines = []
    for text, ents in CHINESE_SAMPLE:
        tags = ["O"] * len(text)
        for word, label in ents:
            i = text.index(word)
            tags[i] = "B-" + label
            for k in range(i + 1, i + len(word)):
                tags[k] = "I-" + label
        lines += [f"{ch}\t{tag}" for ch, tag in zip(text, tags)] + [""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_language(lang: str, out: Path, steps: int, epochs: int, train: bool) -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    home = Path(tempfile.mkdtemp(prefix=f"mtl-shots-{lang}-"))
    os.environ["MTL_STUDIO_HOME"] = str(home)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QMessageBox

    from mtl_studio.core.config import TrainConfig
    from mtl_studio.gui.app import app_settings, create_app

    settings = app_settings()
    settings.setValue("language", lang)
    settings.sync()
    app, settings = create_app([])
    if lang.startswith("zh"):
        font = QFont(app.font())
        font.setFamilies(["Noto Sans CJK SC", "Noto Sans", "DejaVu Sans"])
        app.setFont(font)

    from mtl_studio.gui.main_window import MainWindow
    from mtl_studio.core.review import error_document_ids

    def settle(ms: int = 150) -> None:
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def shot(widget, name: str) -> None:
        settle()
        path = out / name
        widget.grab().save(str(path), "PNG", 0)  # PNG is lossless: 0 asks for the strongest compression
        print(f"wrote {path}")

    def close_message_boxes() -> None:
        # A failing step must not block the script on a modal box: report it and go on.
        for w in app.topLevelWidgets():
            if isinstance(w, QMessageBox) and w.isVisible():
                print(f"dialog: {w.windowTitle()}: {w.text()}", file=sys.stderr)
                w.done(0)

    watchdog = QTimer()
    watchdog.timeout.connect(close_message_boxes)
    watchdog.start(1000)

    window = MainWindow(settings)
    window.resize(*WINDOW_SIZE)
    window.show()
    if not window.open_demo_project():
        raise SystemExit("the demo project could not be opened")
    settle(300)

    # Annotate: a document with several entities, one selected.
    store = window.store
    best = max(store.document_rows(store.document_ids(limit=60)), key=lambda r: (r["n_spans"], r["sentiment"] is not None))
    window.doc_panel.select_doc(best["id"])
    window.editor.setFocus()
    spans = window.editor.doc.spans
    if spans:
        window.editor.select_span(spans[len(spans) // 2])
    shot(window, "annotate.png")

    from mtl_studio.gui.schema_dialog import SchemaDialog
    from mtl_studio.gui.main_window import ShortcutsDialog

    dialog = SchemaDialog(store, window)
    dialog.show()
    shot(dialog, "schema-dialog.png")
    dialog.close()
    dialog = ShortcutsDialog(store, window)
    dialog.show()
    shot(dialog, "shortcuts.png")
    dialog.close()

    if train:
        panel = window.training_panel
        window.tabs.setCurrentIndex(1)
        # A short real run: a few epochs at a brisk learning rate, so the tables show more than zeros.
        panel.set_config(TrainConfig(encoder="offline", epochs=epochs, batch_size=16, learning_rate=1e-4,
                                     max_steps_per_epoch=steps, device="cpu", early_stopping_patience=0))
        finished: list[str] = []
        panel.run_finished.connect(finished.append)
        if panel.start_training():
            deadline = time.monotonic() + 1800
            while not finished and time.monotonic() < deadline:
                settle(200)
        shot(window, "train.png")
        window.tabs.setCurrentIndex(2)
        shot(window, "results.png")
        window.tabs.setCurrentIndex(3)
        # A test document the model got partly wrong, with a gold sentiment to compare.
        errors = [i for i in error_document_ids(store) if store.get_document(i).split == "test"]
        errors.sort(key=lambda i: (store.get_document(i).sentiment is None, -len(store.get_document(i).spans)))
        if errors:
            window.show_document(errors[0])
        shot(window, "predictions.png")

    # Import a Chinese character-per-line file into a new project through the wizard, then annotate it.
    window.tabs.setCurrentIndex(0)
    window.new_project(home / "projects" / "chinese-news.mtl")
    sample = write_chinese_conll(home / "chinese-news.bio")
    window.import_interactive(str(sample))
    wizard = window._wizard
    wizard.resize(980, 680)
    deadline = time.monotonic() + 60
    while not wizard.file_page.isComplete() and time.monotonic() < deadline:
        settle(50)
    wizard.next()
    while wizard.check_page.result is None and time.monotonic() < deadline:
        settle(50)
    shot(wizard, "import-wizard.png")
    wizard.next()
    while wizard.result_page.is_running() and time.monotonic() < deadline:
        settle(50)
    wizard.accept()
    settle(200)
    window.doc_panel.select_row(3)
    editor = window.editor
    text = editor.doc.text
    start = text.index("车展")
    editor.select_range(start, start + 2)
    editor.setFocus()
    shot(window, "annotate-chinese.png")

    window.shutdown()
    window.close()
    print(f"screenshots in {out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", help="one language only (en or zh_CN); default: both, in subprocesses")
    parser.add_argument("--out", type=Path, help="output folder (default docs/screenshots[/zh_CN])")
    parser.add_argument("--steps", type=int, default=0, help="cap on training steps per epoch (0: whole epochs)")
    parser.add_argument("--epochs", type=int, default=4, help="epochs of the short training run")
    parser.add_argument("--no-train", action="store_true", help="skip the training run (and its screens)")
    args = parser.parse_args()
    if args.lang:
        out = args.out or (OUT if args.lang == "en" else OUT / args.lang)
        run_language(args.lang, out, args.steps, args.epochs, not args.no_train)
        return 0
    for lang in ("en", "zh_CN"):
        env = dict(os.environ)
        if lang == "zh_CN":
            env.update(LANG="zh_CN.UTF-8", LANGUAGE="zh_CN")
        cmd = [sys.executable, __file__, "--lang", lang, "--steps", str(args.steps), "--epochs", str(args.epochs)] + (
            ["--no-train"] if args.no_train else [])
        if subprocess.call(cmd, env=env) != 0:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
