"""The bundled demo project: generated deterministically, built once, realistic mix of tasks."""
from __future__ import annotations

import importlib.util
import json

from mtl_studio.core.demo import demo_source, ensure_demo_project
from mtl_studio.core.paths import resources_dir
from mtl_studio.core.store import ProjectStore


def test_demo_project_built_once_in_user_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MTL_STUDIO_HOME", str(tmp_path / "home"))
    path = ensure_demo_project()
    assert path == tmp_path / "home" / "projects" / "demo.mtl"
    store = ProjectStore.open(path)
    s = store.stats()
    assert s["documents"] >= 300
    assert set(s["totals"]["entities_per_type"]) == {"ORG", "PER", "LOC", "PRODUCT", "MONEY"}
    assert set(s["totals"]["sentiment_per_class"]) == {"negative", "neutral", "positive"}
    # Some documents carry only one task.
    assert 0 < s["totals"]["ner_documents"] < s["documents"]
    assert 0 < s["totals"]["sentiment_documents"] < s["documents"]
    assert all(s["splits"][x]["both_tasks"] > 0 for x in ("train", "dev", "test"))
    doc_id = store.document_ids()[0]
    store.set_sentiment(doc_id, None)  # a user's edit survives: the demo is not rebuilt
    store.close()
    assert ensure_demo_project() == path
    assert ProjectStore.open(path).get_document(doc_id).sentiment is None
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".building")] == []


def test_demo_source_is_what_the_generator_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_demo", resources_dir() / "demo" / "make_demo.py")
    make_demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_demo)  # type: ignore[union-attr]
    expected = [json.dumps(r, ensure_ascii=False) for r in make_demo.make_documents()]
    assert demo_source().read_text(encoding="utf-8").splitlines() == expected
    for rec in map(json.loads, expected):
        for span in rec.get("spans", []):
            assert rec["text"][span["start"]:span["end"]].strip() == rec["text"][span["start"]:span["end"]]
    assert len({json.loads(line)["text"] for line in expected}) == len(expected)  # no duplicate texts
