"""CLI: export-model, predict (fresh process, txt/JSONL/CSV) and pseudo-label."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from mtl_studio.cli import main
from mtl_studio.core.tokenize import tokenize
from project_helpers import add_fake_run, make_project

torch.set_num_threads(1)
TEXTS = ["Apple shares rose 5% after the results in Berlin.", "Nokia cut 300 jobs in Finland. 😀", "华为在深圳"]


@pytest.fixture()
def exported(tiny_encoder, tmp_path):
    store = make_project(tmp_path / "p.mtl")
    run_id = add_fake_run(store, tiny_encoder, tag="B-ORG", tag_logit=10.0, sentiment="negative")
    store.close()
    assert main(["export-model", str(tmp_path / "p.mtl"), run_id, str(tmp_path / "model")]) == 0
    return tmp_path / "model"


def _run(*args, **kw):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, **kw)


def test_predict_in_a_fresh_process(exported, tmp_path):
    """One fresh interpreter runs the `predict` command and the Python API, and never imports Qt."""
    (tmp_path / "texts.txt").write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    code = ("import sys, json\n"
            "from mtl_studio.cli import main\n"
            f"assert main(['predict', {str(exported)!r}, {str(tmp_path / 'texts.txt')!r}]) == 0\n"
            "import mtl_studio.inference as inf\n"
            f"out = inf.load({str(exported)!r}).predict({TEXTS!r})\n"
            "assert not [k for k in sys.modules if k.startswith(('PySide6', 'shiboken6'))]\n"
            "print(json.dumps([p.to_dict() for p in out]))")
    r = _run("-c", code)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    rows = [json.loads(line) for line in lines[:-1]]
    assert [row["text"] for row in rows] == TEXTS
    for row in rows:
        assert [(e["start"], e["end"]) for e in row["entities"]] == tokenize(row["text"])
        assert all(row["text"][e["start"]:e["end"]] == e["text"] for e in row["entities"])
        assert row["sentiment"]["label"] == "negative"
        assert sum(row["sentiment"]["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
    assert json.loads(lines[-1]) == rows


def test_predict_jsonl_csv_and_output_file(exported, tmp_path):
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": 7, "body": TEXTS[0]}) + "\n\n" + json.dumps(TEXTS[2]) + "\n",
                                       encoding="utf-8")
    assert main(["predict", str(exported), str(tmp_path / "in.jsonl"), "--text-column", "body",
                 "--output", str(tmp_path / "out.jsonl"), "--batch-size", "1"]) == 0
    rows = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r.get("id"), r["text"]) for r in rows] == [(7, TEXTS[0]), (None, TEXTS[2])]
    (tmp_path / "in.csv").write_text("id,headline,x\n1,\"" + TEXTS[1] + "\",a\n2,the bank,b\n", encoding="utf-8")
    assert main(["predict", str(exported), str(tmp_path / "in.csv"), "-o", str(tmp_path / "out2.jsonl")]) == 0
    rows = [json.loads(x) for x in (tmp_path / "out2.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["text"]) for r in rows] == [("1", TEXTS[1]), ("2", "the bank")]


def test_predict_errors_are_one_line(exported, tmp_path, capsys):
    (tmp_path / "bad.jsonl").write_text('{"text": "ok"}\n{"text": oops}\n', encoding="utf-8")
    assert main(["predict", str(exported), str(tmp_path / "bad.jsonl")]) == 1
    assert "bad.jsonl:2: invalid JSON" in capsys.readouterr().err
    (tmp_path / "c.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["predict", str(exported), str(tmp_path / "c.csv")]) == 1
    assert "no text column (columns: a, b)" in capsys.readouterr().err
    assert main(["predict", str(tmp_path), str(tmp_path / "c.csv"), "--text-column", "a"]) == 1
    assert "not an MTL Studio model folder" in capsys.readouterr().err
    assert main(["predict", str(exported), str(tmp_path / "missing.txt")]) == 1


def test_export_model_errors_and_onnx_flag(tiny_encoder, tmp_path, capsys):
    store = make_project(tmp_path / "p.mtl")
    run_id = add_fake_run(store, tiny_encoder)
    store.close()
    assert main(["export-model", str(tmp_path / "p.mtl"), "nope", str(tmp_path / "m")]) == 1
    assert "no run 'nope'" in capsys.readouterr().err
    pytest.importorskip("onnxruntime")
    assert main(["export-model", str(tmp_path / "p.mtl"), "latest", str(tmp_path / "m"), "--onnx"]) == 0
    assert (tmp_path / "m" / "model.onnx").is_file() and run_id in (tmp_path / "m" / "README.md").read_text()
    r = _run("-m", "mtl_studio", "predict", str(tmp_path / "m"), "-", "--backend", "onnx", input="Berlin 😀\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["text"] == "Berlin 😀"


def test_pseudo_label_cli(tiny_encoder, tmp_path, capsys):
    store = make_project(tmp_path / "p.mtl")
    run_id = add_fake_run(store, tiny_encoder, tag="B-LOC", tag_logit=10.0, sentiment="neutral")
    store.close()
    assert main(["pseudo-label", str(tmp_path / "p.mtl"), "--threshold", "0.7", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["run_id"] == run_id and report["labelled"]["ner"] == report["candidates"]["ner"] == 3
    assert report["labelled"]["sentiment"] == 3
    assert main(["pseudo-label", str(tmp_path / "p.mtl"), "--tasks", "sentiment", "--threshold", "0.95"]) == 0
    out = capsys.readouterr().out
    assert "sentiment: 0 of 3 documents without gold labels got silver labels (3 below the threshold)" in out
    assert main(["pseudo-label", str(tmp_path / "p.mtl"), "--tasks", "topics"]) == 1
    capsys.readouterr()
    (tmp_path / "not_a_model").mkdir()
    assert main(["pseudo-label", str(tmp_path / "p.mtl"), "--model", str(tmp_path / "missing")]) == 1
    assert main(["pseudo-label", str(tmp_path / "p.mtl"), "--model", str(tmp_path / "not_a_model")]) == 1
    err = capsys.readouterr().err  # named as model folders, not looked up as run ids
    assert "no model folder at" in err and "not an MTL Studio model folder" in err and "no run" not in err
