"""Entity sentiment (gold spans and strict end to end) and document label set scores, checked by hand
and against sklearn.metrics."""
from __future__ import annotations

import json

import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from mtl_studio.core.task_scores import (EntitySentimentScores, LabelSetScores, class_scores, end_to_end_scores,
                                         entity_sentiment_scores, multi_label_set_scores, single_label_set_scores)

POL = ["negative", "neutral", "positive"]


def test_class_scores_match_sklearn():
    gold = ["positive", "positive", "negative", "neutral", "negative", "positive"]
    pred = ["positive", "negative", "negative", "positive", "neutral", "positive"]
    s = class_scores(gold, pred, POL)
    p, r, f, support = precision_recall_fscore_support(gold, pred, labels=POL, zero_division=0)
    for i, c in enumerate(POL):
        assert s.per_class[c].precision == pytest.approx(p[i])
        assert s.per_class[c].recall == pytest.approx(r[i])
        assert s.per_class[c].f1 == pytest.approx(f[i])
        assert s.per_class[c].support == support[i]
    assert s.macro.f1 == pytest.approx(f1_score(gold, pred, labels=POL, average="macro", zero_division=0))
    assert s.accuracy == pytest.approx(accuracy_score(gold, pred)) == pytest.approx(3 / 6)
    assert s.confusion == confusion_matrix(gold, pred, labels=POL).tolist()


def test_macro_is_over_classes_present_in_gold():
    # "neutral" is a class of the project but no gold span has it: it is not averaged in.
    s = class_scores(["negative", "positive"], ["negative", "neutral"], POL)
    assert s.per_class["neutral"].support == 0
    assert s.macro.f1 == pytest.approx((1.0 + 0.0) / 2)  # negative 1, positive 0
    assert s.labels == POL


def test_unknown_label_is_appended_not_dropped():
    s = class_scores(["negative"], ["conflict"], POL)
    assert s.labels == POL + ["conflict"] and s.confusion[0][3] == 1


def test_end_to_end_strict_by_hand():
    gold = [
        [(0, 5, "ORG", "negative"), (10, 19, "ORG", "positive"), (24, 30, "ORG", "positive")],
        [(0, 4, "ORG", "neutral")],
    ]
    pred = [
        [(0, 5, "ORG", "negative"),        # hit
         (10, 19, "ORG", "negative"),      # right span, wrong polarity: a false positive and a miss
         (24, 29, "ORG", "positive")],     # wrong end: a false positive and a miss
        [(0, 4, "PER", "neutral")],        # wrong type: a false positive and a miss
    ]
    s = end_to_end_scores(gold, pred, POL)
    assert (s.micro.precision, s.micro.recall, s.micro.support) == (0.25, 0.25, 4)
    assert s.micro.f1 == pytest.approx(0.25)
    assert s.per_polarity["negative"].precision == 0.5 and s.per_polarity["negative"].recall == 1.0
    assert s.per_polarity["positive"].f1 == 0.0 and s.per_polarity["positive"].support == 2
    assert s.per_polarity["neutral"].support == 1 and s.per_polarity["neutral"].f1 == 0.0
    assert s.macro.f1 == pytest.approx((2 / 3 + 0 + 0) / 3)
    assert s.documents == 2


def test_end_to_end_leaves_out_spans_without_gold_polarity():
    # The second gold entity has no polarity: neither missed nor wrongly predicted, whatever the model says.
    gold = [[(0, 5, "ORG", "positive"), (10, 15, "ORG", None)]]
    pred = [[(0, 5, "ORG", "positive"), (10, 15, "ORG", "negative")]]
    s = end_to_end_scores(gold, pred, POL)
    assert (s.micro.precision, s.micro.recall, s.micro.f1) == (1.0, 1.0, 1.0)
    # ... but a predicted entity elsewhere is a false positive, and one without a polarity is never right.
    s = end_to_end_scores(gold, [[(0, 5, "ORG", None), (20, 25, "ORG", "positive")]], POL)
    assert s.micro.precision == 0.0 and s.micro.recall == 0.0


def test_entity_sentiment_scores_round_trip_and_f1():
    s = entity_sentiment_scores(["negative", "positive", "positive"], ["negative", "positive", "neutral"],
                                [[(0, 5, "ORG", "negative")]], [[(0, 5, "ORG", "negative")]],
                                classes=POL, documents=2)
    assert s.spans == 3 and s.accuracy == pytest.approx(2 / 3)
    # f1 is the gold-span macro-F1: negative 1, positive 2/3 (neutral is not in gold)
    assert s.f1 == pytest.approx((1 + 2 / 3) / 2)
    assert s.end_to_end.f1 == 1.0
    d = json.loads(json.dumps(s.to_dict()))
    assert set(d) == {"documents", "f1", "gold_spans", "end_to_end"}
    assert d["gold_spans"]["confusion_matrix"]["labels"] == POL and d["gold_spans"]["spans"] == 3
    back = EntitySentimentScores.from_dict(d)
    assert back.to_dict() == d


def test_entity_sentiment_falls_back_to_end_to_end():
    s = entity_sentiment_scores([], [], [[(0, 5, "ORG", "positive")]], [[]], classes=POL, documents=1)
    assert s.gold_spans is None and s.f1 == 0.0 and s.end_to_end.micro.recall == 0.0
    assert EntitySentimentScores.from_dict(s.to_dict()).to_dict() == s.to_dict()


def test_single_label_set():
    s = single_label_set_scores("urgency", ["high", "low", "low"], ["high", "high", "low"], ["low", "high"])
    assert not s.multi_label and s.documents == 3
    assert s.accuracy == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(f1_score(["high", "low", "low"], ["high", "high", "low"], average="macro"))
    d = s.to_dict()
    assert d["confusion_matrix"] == {"labels": ["low", "high"], "matrix": [[1, 1], [0, 1]]}
    assert LabelSetScores.from_dict(json.loads(json.dumps(d))).to_dict() == d


def test_multi_label_set_matches_sklearn():
    from sklearn.preprocessing import MultiLabelBinarizer

    classes = ["billing", "bug", "feature", "other"]
    gold = [["billing"], ["bug", "feature"], ["other"], ["bug"]]
    pred = [["billing", "bug"], ["bug"], [], ["bug"]]
    s = multi_label_set_scores("intent", gold, pred, classes)
    mlb = MultiLabelBinarizer(classes=classes)
    y_true, y_pred = mlb.fit_transform(gold), mlb.transform(pred)
    assert s.micro.f1 == pytest.approx(f1_score(y_true, y_pred, average="micro", zero_division=0))
    # micro by hand: tp 3 (billing, bug, bug), predicted 4, gold 5
    assert (s.micro.precision, s.micro.recall) == (pytest.approx(3 / 4), pytest.approx(3 / 5))
    p, r, f, support = precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    for i, c in enumerate(classes):
        assert (s.per_class[c].precision, s.per_class[c].recall, s.per_class[c].f1) == \
            (pytest.approx(p[i]), pytest.approx(r[i]), pytest.approx(f[i]))
        assert s.per_class[c].support == support[i]
    # every class occurs in gold here, so macro equals sklearn's macro
    assert s.macro.f1 == pytest.approx(f1_score(y_true, y_pred, average="macro", zero_division=0))
    assert s.subset_accuracy == pytest.approx(accuracy_score(y_true, y_pred)) == 0.25
    assert s.f1 == s.micro.f1 and s.accuracy == 0.25
    d = json.loads(json.dumps(s.to_dict()))
    assert set(d) == {"name", "multi_label", "documents", "f1", "per_class", "macro", "micro", "subset_accuracy"}
    assert LabelSetScores.from_dict(d).to_dict() == d


def test_lengths_must_align():
    with pytest.raises(ValueError):
        class_scores(["a"], [])
    with pytest.raises(ValueError):
        multi_label_set_scores("x", [["a"]], [])
    with pytest.raises(ValueError):
        end_to_end_scores([[]], [])


# ---- EvalReport with the new tasks (evaluate_predictions over DocumentPrediction) -------------------

def _report_fixture():
    from mtl_studio.core.features import DocumentPrediction, LabelMaps, LabelSetMap
    from mtl_studio.core.schema import Document, DocumentLabel, SentimentLabel, Span
    from mtl_studio.core.tokenize import tokenize

    labels = LabelMaps(("ORG",), ("negative", "positive"), tuple(POL),
                       (LabelSetMap("topic", ("markets", "jobs"), multi_label=True), LabelSetMap("urgency", ("low", "high"))))
    text = "Apple rose and Nokia fell"
    docs = [
        Document(text, tokenize(text), [Span(0, 5, "ORG", sentiment="positive"), Span(15, 20, "ORG", sentiment="negative")],
                 SentimentLabel("positive"), ner_labelled=True,
                 labels=[DocumentLabel("topic", "markets"), DocumentLabel("topic", "jobs"), DocumentLabel("urgency", "high")]),
        # labelled for NER and sentiment only: not scored for entity sentiment nor the label sets
        Document("Siemens", tokenize("Siemens"), [Span(0, 7, "ORG")], SentimentLabel("negative"), ner_labelled=True),
    ]
    preds = [
        DocumentPrediction(["B-ORG", "O", "O", "B-ORG", "O"],
                           [Span(0, 5, "ORG", "predicted", sentiment="positive"),
                            Span(15, 20, "ORG", "predicted", sentiment="positive")],
                           "positive", {"negative": 0.1, "positive": 0.9},
                           gold_span_sentiments=[("positive", 0.8), ("negative", 0.6)],
                           labels={"topic": [("markets", 0.9)], "urgency": [("high", 0.7)]}),
        DocumentPrediction(["B-ORG"], [Span(0, 7, "ORG", "predicted", sentiment="neutral")], "negative",
                           {"negative": 0.9, "positive": 0.1}, gold_span_sentiments=[("neutral", 0.5)],
                           labels={"topic": [], "urgency": [("low", 0.9)]}),
    ]
    return labels, docs, preds


def test_eval_report_scores_every_task_and_round_trips():
    from mtl_studio.core.evaluate import EvalReport, evaluate_predictions, format_report

    labels, docs, preds = _report_fixture()
    r = evaluate_predictions(docs, preds, split="test", tasks=labels.task_names, labels=labels)
    es = r.entity_sentiment
    assert es.documents == 1 and es.spans == 2 and es.accuracy == 1.0 and es.f1 == 1.0
    # end to end: Apple right, Nokia right span but wrong polarity -> 1 hit of 2 predicted, 2 gold
    assert (es.end_to_end.micro.precision, es.end_to_end.micro.recall) == (0.5, 0.5)
    assert es.end_to_end.per_polarity["negative"].recall == 0.0
    topic, urgency = r.label_sets["topic"], r.label_sets["urgency"]
    assert topic.documents == 1 and topic.micro.recall == 0.5 and topic.micro.precision == 1.0
    assert topic.subset_accuracy == 0.0 and urgency.documents == 1 and urgency.accuracy == 1.0
    assert r.task_f1() == {"ner": 1.0, "entity_sentiment": 1.0, "sentiment": 1.0, "topic": pytest.approx(2 / 3),
                           "urgency": 1.0}
    assert r.score == pytest.approx((4 + 2 / 3) / 5)
    d = json.loads(json.dumps(r.to_dict()))
    assert set(d) == {"split", "score", "ner", "sentiment", "entity_sentiment", "label_sets"}
    assert set(d["label_sets"]) == {"topic", "urgency"}
    assert EvalReport.from_dict(d).to_dict() == d
    text = format_report(d)
    assert "Entity sentiment on test" in text and "end to end, strict" in text
    assert "Label set topic on test, multi-label" in text and "Label set urgency on test" in text


def test_two_task_report_is_unchanged():
    from mtl_studio.core.evaluate import EvalReport, evaluate_predictions

    labels, docs, preds = _report_fixture()
    r = evaluate_predictions(docs, preds, split="dev", tasks=("ner", "sentiment"), labels=labels)
    d = r.to_dict()
    assert set(d) == {"split", "score", "ner", "sentiment"}
    assert r.score == pytest.approx((r.ner.f1 + r.sentiment.f1) / 2)
    # metrics stored before issue 13 load as they were
    old = {"split": "dev", "score": d["score"], "ner": d["ner"], "sentiment": d["sentiment"]}
    back = EvalReport.from_dict(old)
    assert back.entity_sentiment is None and back.label_sets == {} and back.to_dict() == old


# ---- the verdict and run summaries for the further tasks ---------------------------------------------

def _verdict_docs(n=60):
    """n documents: two ORG entities with polarities, a multi-label topic and a single-label urgency.
    Run "joint" is right everywhere; "base" gets the first entity's polarity wrong in every third document,
    misses the topic "jobs" in every second and gets urgency wrong in every fourth."""
    from mtl_studio.core.schema import Document, DocumentLabel, Span

    docs = []
    for i in range(n):
        text = f"Apple and Nokia {i}"
        gold = [Span(0, 5, "ORG", sentiment="positive" if i % 2 else "negative"), Span(10, 15, "ORG", sentiment="neutral")]
        topics = ["markets", "jobs"] if i % 2 == 0 else ["markets"]
        urgency = "high" if i % 3 else "low"
        d = Document(text, spans=gold, ner_labelled=True, id=i + 1,
                     labels=[DocumentLabel("topic", t) for t in topics] + [DocumentLabel("urgency", urgency)])
        for run in ("joint", "base"):
            for k, s in enumerate(gold):
                polarity = s.sentiment
                if run == "base" and k == 0 and i % 3 == 0:
                    polarity = "neutral"
                d.other_spans.append(Span(s.start, s.end, s.label, "predicted", run_id=run, sentiment=polarity))
            got = [t for t in topics if not (run == "base" and t == "jobs")]
            wrong = "low" if urgency == "high" else "high"
            got_u = wrong if run == "base" and i % 4 == 0 else urgency
            d.other_labels += [DocumentLabel("topic", t, "predicted", run_id=run) for t in got]
            d.other_labels.append(DocumentLabel("urgency", got_u, "predicted", run_id=run))
        docs.append(d)
    return docs


def test_verdict_compares_entity_sentiment_and_label_sets_with_their_baselines():
    from mtl_studio.core.run_record import RunRecord
    from mtl_studio.core.verdict import compute_verdict, find_baselines

    def rec(run_id, tasks):
        return RunRecord(run_id, "", "completed", {"tasks": list(tasks), "encoder": "e", "seed": 1}, "h", None, {})

    joint = rec("joint", ["ner", "entity_sentiment", "sentiment", "topic", "urgency"])
    runs = [rec("base_es", ["entity_sentiment"]), rec("base_topic", ["topic"]), rec("base_urgency", ["urgency"]),
            rec("other_seed", ["topic"]) ]
    runs[-1].config["seed"] = 2
    baselines = find_baselines(joint, [joint] + runs)
    assert {k: v.id for k, v in baselines.items()} == {"entity_sentiment": "base_es", "topic": "base_topic",
                                                       "urgency": "base_urgency"}
    docs = _verdict_docs()
    for d in docs:  # the baselines' predictions are those of run "base"
        for s in list(d.other_spans):
            if s.run_id == "base":
                d.other_spans.append(type(s)(s.start, s.end, s.label, "predicted", run_id="base_es", sentiment=s.sentiment))
        for x in list(d.other_labels):
            if x.run_id == "base":
                d.other_labels.append(type(x)(x.label_set, x.label, "predicted", run_id=f"base_{x.label_set}"))
    v = compute_verdict(joint, baselines, docs, resamples=200, multi_label=("topic",))
    by_task = {d.task: d for d in v.differences}
    assert list(by_task) == ["entity_sentiment", "topic", "urgency"]  # the joint run's task order
    es, topic, urgency = by_task["entity_sentiment"], by_task["topic"], by_task["urgency"]
    assert es.joint == 100.0 and es.baseline < 100 and es.clear and es.documents == 60
    assert es.metric == "entity sentiment macro-F1"
    # topic: base misses "jobs" in 30 documents: tp 60, fn 30 -> micro-F1 = 120 / 150
    assert topic.metric == "topic micro-F1" and topic.baseline == pytest.approx(100 * 120 / 150)
    assert urgency.metric == "urgency macro-F1" and urgency.joint == 100.0 and urgency.difference > 0
    assert "raised topic micro-F1" in v.sentence


def test_run_record_task_scores_for_n_tasks():
    from mtl_studio.core.run_record import RunRecord

    labels, docs, preds = _report_fixture()
    from mtl_studio.core.evaluate import evaluate_predictions

    report = evaluate_predictions(docs, preds, split="test", tasks=labels.task_names, labels=labels)
    run = RunRecord("r", "", "completed", {"tasks": list(labels.task_names)}, "h", None,
                    {"tasks": list(labels.task_names), "test": report.to_dict()})
    assert run.tasks == labels.task_names
    assert run.task_scores() == report.task_f1() and set(run.task_scores("test")) == set(labels.task_names)
    assert run.task_scores("dev") == {}
    assert RunRecord("old", "", "completed", {}, "h", None, {}).tasks == ("ner", "sentiment")


# ---- stored predictions of the further tasks: review, accept and undo, suggestions -------------------

def test_stored_predictions_of_the_further_tasks_accept_and_undo(tmp_path):
    from mtl_studio.core.config import TrainConfig
    from mtl_studio.core.features import DocumentPrediction
    from mtl_studio.core.prediction_store import store_predictions
    from mtl_studio.core.review import WRONG_SENTIMENT, accepted_state, gold_state, review_document, write_gold_state
    from mtl_studio.core.schema import Span
    from project_helpers import MULTI_TASK, make_project

    store = make_project(tmp_path / "m.mtl", MULTI_TASK)
    try:
        tasks = ("ner", "entity_sentiment", "sentiment", "topic", "urgency")
        run = store.create_run(TrainConfig(tasks=tasks).to_dict())
        store.update_run(run, status="completed", metrics={"tasks": list(tasks)})
        doc = store.get_document(2)  # Nokia (negative) and Finland (neutral); topic jobs+markets, urgency high
        pred = DocumentPrediction(None, [Span(s.start, s.end, s.label, "predicted", 0.9, sentiment="positive",
                                               sentiment_confidence=0.8) for s in doc.spans], "negative",
                                  {"negative": 1.0}, labels={"topic": [("markets", 0.9)], "urgency": [("low", 0.7)]})
        store_predictions(store, run, [doc], [pred])
        review = review_document(store, 2, run)
        assert [s.sentiment for s in review.predicted_spans] == ["positive", "positive"]
        assert {k: [x.label for x in v] for k, v in review.predicted_labels.items()} == \
            {"topic": ["markets"], "urgency": ["low"]}
        assert [d.kind for d in review.diffs] == [WRONG_SENTIMENT] * 2
        assert review.label_set_wrong("topic") and review.label_set_wrong("urgency") and review.has_error
        before = gold_state(store, 2)
        write_gold_state(store, 2, accepted_state(store, 2, run))
        now = store.get_document(2)
        assert [s.sentiment for s in now.spans] == ["positive", "positive"]
        assert now.labels_of("topic") == ("markets",) and now.labels_of("urgency") == ("low",)
        write_gold_state(store, 2, before)  # undo restores polarities and labels
        again = store.get_document(2)
        assert [s.sentiment for s in again.spans] == [s.sentiment for s in doc.spans]
        assert set(again.labels_of("topic")) == {"jobs", "markets"} and again.labels_of("urgency") == ("high",)
    finally:
        store.close()


def test_label_set_suggestions_show_where_gold_is_missing_and_are_accepted_or_rejected(tmp_path):
    from mtl_studio.core.schema import DocumentLabel
    from mtl_studio.core.suggestions import (SUGGESTION_RUN_META, accept_all, document_suggestions, reject_label)
    from project_helpers import MULTI_TASK, make_project

    store = make_project(tmp_path / "m.mtl", MULTI_TASK)
    try:
        # document 3 has topic "markets" but no urgency; the run suggests both
        store.replace_model_annotations(3, "predicted", "r1", [], None,
                                        [DocumentLabel("topic", "jobs", "predicted", 0.9),
                                         DocumentLabel("urgency", "high", "predicted", 0.8)])
        store.mark_suggested("r1", [3])
        store.set_meta(SUGGESTION_RUN_META, "r1")
        shown = document_suggestions(store, 3)
        assert [(x.label_set, x.label) for x in shown.labels] == [("urgency", "high")]  # topic has gold
        reject_label(store, 3, shown.labels[0])
        assert document_suggestions(store, 3).labels == ()
        store.unreject_suggestion("r1", 3, "urgency", "high")
        before = accept_all(store, 3)
        assert store.get_document(3).labels_of("urgency") == ("high",)
        assert store.get_document(3).labels_of("topic") == ("markets",)
        from mtl_studio.core.review import write_gold_state

        write_gold_state(store, 3, before)  # undo: the set the document had no label of is empty again
        assert store.get_document(3).labels_of("urgency") == () and store.get_document(3).labels_of("topic") == ("markets",)
    finally:
        store.close()
