from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

from roi_ml.ground_truth import GroundTruth, GroundTruthDataset
from roi_ml.pipelines.evaluation.nodes import assemble_evaluation, score_ingestion
from roi_ml.scoring import relative_error, top_k_overlap, total_variation_distance


def test_tvd_by_hand():
    est = pd.Series({"a": 6.0, "b": 3.0, "c": 1.0})   # shares .6 .3 .1
    true = pd.Series({"a": 2.0, "b": 2.0, "d": 1.0})  # shares .4 .4 0 .2
    # ½(|.6-.4| + |.3-.4| + |.1-0| + |0-.2|) = ½(.2+.1+.1+.2) = .3
    assert total_variation_distance(est, true) == pytest.approx(0.3)
    assert total_variation_distance(true, true) == 0.0
    assert pd.isna(total_variation_distance(pd.Series({"a": 0.0}), true))


def test_top_k_and_relative_error_by_hand():
    est = pd.Series({"a": 5, "b": 4, "c": 3, "d": 2})
    true = pd.Series({"a": 9, "c": 8, "d": 7, "b": 1})
    assert top_k_overlap(est, true, k=2) == 0.5  # {a,b} vs {a,c}
    assert relative_error(95.0, 100.0) == pytest.approx(0.05)


def _truth_dir(tmp_path):
    (tmp_path / "creator_truth.csv").write_text("creator_id\nCR1\n")
    pd.DataFrame({
        "conversion_type": ["purchase", "purchase", "sign_up", "purchase"],
        "in_window": [True, True, True, False],
        "revenue_usd": [100.0, 50.0, 0.0, 70.0],
        "cause": ["creator", "baseline", "creator", "creator"],
        "creator_touch_visible": [True, False, False, True],
    }).to_parquet(tmp_path / "conversions_truth.parquet")
    pd.DataFrame({"in_window": [True, True, False]}).to_csv(tmp_path / "post_truth.csv", index=False)
    return tmp_path


def test_score_ingestion_by_hand(tmp_path):
    truth = GroundTruthDataset(str(_truth_dir(tmp_path))).load()
    orders = pd.DataFrame({"financial_status": ["paid", "refunded"], "total_usd": [100.0, 49.0]})
    posts = pd.DataFrame({"post_id": ["P1", "P2"]})
    events = pd.DataFrame({"conversion_type": ["purchase", "sign_up"]})
    out = score_ingestion(truth, orders, posts, events)
    assert out["orders_captured_share"] == 1.0            # 2 of the 2 true in-window purchases
    assert out["revenue_relative_error"] == pytest.approx(50 / 150)  # paid 100 against true 150
    assert out["ga4_conversions_captured_share"] == pytest.approx(2 / 3)
    assert out["ga4_purchases_captured_share"] == pytest.approx(1 / 2)
    assert out["posts_captured_share"] == 1.0
    assert out["creator_caused_without_visible_touch_share"] == pytest.approx(0.5)


def test_no_truth_means_skip_with_a_log_line(tmp_path, caplog):
    truth = GroundTruthDataset(str(tmp_path / "missing")).load()
    assert not truth.available
    with caplog.at_level(logging.INFO):
        out = score_ingestion(truth, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    assert "skipped" in out and "No ground truth" in caplog.text
    report, metrics = assemble_evaluation(ingestion=out)
    assert report == {"ingestion": out} and metrics == {}
    json.dumps(report)


def test_assemble_flattens_numbers_for_mlflow():
    report, metrics = assemble_evaluation(ingestion={"a": 0.5, "n": 3, "nested": {"b": 1.0}, "nan": float("nan")})
    assert metrics == {"ingestion.a": {"value": 0.5, "step": 0}, "ingestion.n": {"value": 3.0, "step": 0},
                       "ingestion.nested.b": {"value": 1.0, "step": 0}}


def test_assemble_writes_strict_json():
    # NaN / inf have no JSON token: they become null in the report and stay out of the metrics;
    # numpy scalars become plain numbers and tuples lists.
    section = {"nan": float("nan"), "inf": np.inf, "np": np.float64(0.25), "i": np.int64(7),
               "t": (1.0, float("-inf")), "deep": {"x": np.float32(np.nan)}, "s": "ok"}
    report, metrics = assemble_evaluation(kpis=section)
    assert report == {"kpis": {"nan": None, "inf": None, "np": 0.25, "i": 7, "t": [1.0, None],
                               "deep": {"x": None}, "s": "ok"}}
    assert type(report["kpis"]["i"]) is int and type(report["kpis"]["np"]) is float
    text = json.dumps(report, allow_nan=False)  # raises on any NaN left behind
    assert json.loads(text) == report
    # lists are not flattened into metrics; only the finite scalars are logged
    assert metrics == {"kpis.np": {"value": 0.25, "step": 0}, "kpis.i": {"value": 7.0, "step": 0}}


def test_ground_truth_cannot_be_written(tmp_path):
    from kedro.io import DatasetError
    with pytest.raises(DatasetError):
        GroundTruthDataset(str(tmp_path)).save(None)
    with pytest.raises(FileNotFoundError):
        GroundTruth(tmp_path).read("nothing")
