"""int8 ONNX: export-model --int8 writes model.int8.onnx, scores it against fp32 on the dev split (model
card + mtl_config.json), inference runs it, and backend="auto" takes the fastest backend present."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

pytest.importorskip("onnxruntime")

import mtl_studio.inference as inf  # noqa: E402
from mtl_studio.cli import main  # noqa: E402
from mtl_studio.core.artifacts import load_model_folder  # noqa: E402
from mtl_studio.core.backend_choice import available_backends, fastest_backend  # noqa: E402
from mtl_studio.core.evaluate import evaluate_model  # noqa: E402
from mtl_studio.core.export import export_model  # noqa: E402
from mtl_studio.core.features import LabelMaps  # noqa: E402
from mtl_studio.core.onnx_quant import ONNX_INT8_FILE  # noqa: E402
from mtl_studio.core.schema import Document, SentimentLabel, Span  # noqa: E402
from mtl_studio.core.tokenize import tokenize  # noqa: E402
from project_helpers import add_fake_run, make_project  # noqa: E402

torch.set_num_threads(1)

DEV = [("Apple shares rose in Berlin.", [(0, 5, "ORG"), (21, 27, "LOC")], "positive"),
       ("Nokia cut jobs in Finland.", [(0, 5, "ORG")], "negative"),
       ("Profit fell sharply at Siemens.", [(23, 30, "ORG")], "negative"),
       ("The bank said sales were good.", [], "neutral")]


@pytest.fixture(scope="module")
def int8_export(tiny_encoder, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("int8")
    store = make_project(tmp / "p.mtl")
    for text, spans, sentiment in DEV:
        store.add_document(Document(text=text, tokens=tokenize(text), spans=[Span(*s) for s in spans],
                                    sentiment=SentimentLabel(sentiment), ner_labelled=True, split="dev"))
    run_id = add_fake_run(store, tiny_encoder, seed=3)
    dev_docs = list(store.iter_documents("dev"))
    out = export_model(store, run_id, tmp / "export", int8=True)
    store.close()
    return out, dev_docs


def test_int8_export_is_scored_against_fp32_on_dev(int8_export):
    folder, dev_docs = int8_export
    assert (folder / "model.onnx").is_file() and (folder / ONNX_INT8_FILE).is_file()
    check = json.loads((folder / "mtl_config.json").read_text(encoding="utf-8"))["onnx_int8"]
    labelled = [d for d in dev_docs if d.ner_labelled or d.sentiment]
    assert check["dev_documents"] == len(labelled) == len(DEV)  # the unlabelled dev document is left out
    assert check["weights"] == "QInt8" and check["per_channel"] is True
    # The fp32 scores are those of the training scorer on the PyTorch model.
    loaded = load_model_folder(folder)
    report, _ = evaluate_model(loaded.model, loaded.tokenizer, LabelMaps.from_dict(loaded.labels), labelled,
                               split="dev", tasks=loaded.tasks)
    assert check["fp32"]["ner_f1"] == pytest.approx(report.ner.f1)
    assert check["fp32"]["sentiment_f1"] == pytest.approx(report.sentiment.f1)
    diff = check["difference_points"]
    assert diff["ner_f1"] == pytest.approx(100 * (check["int8"]["ner_f1"] - check["fp32"]["ner_f1"]), abs=0.01)
    assert set(check["texts_per_second"]) == {"torch", "onnx-int8"}
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert ONNX_INT8_FILE in card and "difference (points)" in card and f"{diff['ner_f1']:+.2f}" in card


def test_int8_model_is_smaller_and_close_to_fp32(int8_export):
    folder, _ = int8_export
    int8 = inf.load(folder, backend="onnx-int8")
    fp32 = inf.load(folder, backend="onnx")
    assert int8.backend_name == "onnx-int8"
    import onnx

    ops = {n.op_type for n in onnx.load(str(folder / ONNX_INT8_FILE)).graph.node}
    assert {"DynamicQuantizeLinear", "MatMulInteger"} <= ops  # int8 products, activations quantized at run time
    inputs = fp32._inputs([e for e in _examples(fp32, ["Apple shares rose 5% in Berlin.", "Nokia cut jobs."])])
    tok8, seq8 = int8.backend(inputs)
    tok, seq = fp32.backend(inputs)
    assert not np.array_equal(tok8, tok)  # it really is another model...
    assert np.abs(tok8 - tok).max() < 0.1 * np.abs(tok).max() + 1e-3  # ...that computes nearly the same
    assert [p.to_dict()["text"] for p in int8.predict(["Berlin 😀"])] == ["Berlin 😀"]


def _examples(predictor, texts):
    from mtl_studio.core.features import LabelMaps as LM, encode_documents

    docs = [Document(text=t, tokens=tokenize(t)) for t in texts]
    return encode_documents(docs, predictor.tokenizer, LM.from_dict(predictor.labels), max_length=64, tasks=(),
                            for_training=False).examples


def test_auto_backend_takes_the_fastest_present(int8_export, tmp_path):
    folder, _ = int8_export
    assert available_backends(folder) == ["onnx-int8", "onnx", "torch"]
    assert inf.load(folder, backend="auto").backend_name == "onnx-int8"
    assert fastest_backend(folder, "cuda") == "torch"
    copy = shutil.copytree(folder, tmp_path / "copy")
    (copy / ONNX_INT8_FILE).unlink()
    assert inf.load(copy, backend="auto").backend_name == "onnx"
    (copy / "model.onnx").unlink()
    assert inf.load(copy, backend="auto").backend_name == "torch"
    with pytest.raises(FileNotFoundError, match="--int8"):
        inf.load(copy, backend="onnx-int8")
    with pytest.raises(ValueError, match="onnx-int8"):
        inf.load(copy, backend="tensorrt")


def test_cli_export_int8_prints_the_check(tiny_encoder, tmp_path, capsys):
    store = make_project(tmp_path / "p.mtl")
    add_fake_run(store, tiny_encoder)
    store.close()
    assert main(["export-model", str(tmp_path / "p.mtl"), "latest", str(tmp_path / "m"), "--int8"]) == 0
    out = capsys.readouterr().out
    # make_project's only dev document has no labels: nothing to score, and the output says so.
    assert (tmp_path / "m" / ONNX_INT8_FILE).is_file() and "not checked" in out
    assert "not checked on a dev split" in (tmp_path / "m" / "README.md").read_text(encoding="utf-8")
