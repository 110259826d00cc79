"""The `kpis` evaluation section scored by hand, and its skip note without truth."""

import json
import logging

import pandas as pd
import pytest

from roi_ml.ground_truth import GroundTruthDataset
from roi_ml.pipelines.evaluation.kpis import score_kpis
from roi_ml.pipelines.evaluation.nodes import assemble_evaluation
from roi_ml.pipelines.evaluation.pipeline import SECTIONS


def _truth(tmp_path):
    pd.DataFrame({"creator_id": ["A", "B", "C", "D", "E"],
                  "is_inauthentic": [True, True, False, False, True],
                  "inauthentic_type": ["bought_likes", "bot_comments", "", "", "bought_followers"]}
                 ).to_csv(tmp_path / "creator_truth.csv", index=False)
    pd.DataFrame({"campaign_id": ["C1", "C2", "C3"], "true_unique_reach": [1000.0, 2000.0, 500.0],
                  "sum_reported_reach": [1200.0, 2500.0, 900.0]}
                 ).to_csv(tmp_path / "reach_truth.csv", index=False)
    pd.DataFrame({"comment_id": ["c1", "c2", "c3", "c4"],
                  "true_sentiment": ["positive", "negative", "neutral", "positive"],
                  "is_fake": [False] * 4}).to_parquet(tmp_path / "comment_truth.parquet")
    return GroundTruthDataset(str(tmp_path)).load()


def test_score_kpis_by_hand(tmp_path):
    truth = _truth(tmp_path)
    campaign = pd.DataFrame({
        "campaign_id": ["C1", "C2", "C3"], "reach": [1200.0, 2500.0, 600.0],
        "reach_deduplicated": [1030.0, 1900.0, 400.0],
        "reach_deduplicated_low": [950.0, 1850.0, 380.0],
        "reach_deduplicated_high": [1050.0, 1950.0, 450.0],
        "reach_is_final": [True, True, True]})
    auth = pd.DataFrame({"creator_id": ["A", "B", "C", "D", "E"],
                         "is_flagged": [True, False, True, False, False],
                         "is_scored": [True, True, True, True, False]})
    sent = pd.DataFrame({"comment_id": ["c1", "c2", "c3", "c4"],
                         "sentiment_label": ["positive", "positive", "neutral", pd.NA]})
    out = score_kpis(truth, campaign, auth, sent)
    r = out["reach"]
    # C3's exports hold 600 of 900 truth reach (< 98 %): not fully observed
    assert r["campaigns"] == 2 and r["campaigns_not_fully_observed"] == 1
    # |1030 − 1000| / 1000 = 3 %, |1900 − 2000| / 2000 = 5 % → mean 4 %, max 5 %
    assert r["relative_error_mean"] == pytest.approx(0.04)
    assert r["relative_error_max"] == pytest.approx(0.05)
    assert r["interval_coverage"] == 0.5   # 1,000 ∈ [950, 1050]; 2,000 ∉ [1850, 1950]
    assert r["all_campaigns"]["relative_error_max"] == pytest.approx(0.2)  # C3: 100 / 500
    a = out["authenticity"]
    # scored A B C D: flagged A (fake) and C (honest); B fake missed → P = 1/2, R = 1/2
    assert (a["precision"], a["recall"], a["f1"]) == (0.5, 0.5, 0.5)
    assert a["recall_all_injected"] == pytest.approx(1 / 3)  # E fake but not scored
    assert a["recall_by_type"] == {"bought_likes": 1.0, "bot_comments": 0.0}
    s = out["sentiment"]
    assert s["comments"] == 3 and s["accuracy"] == pytest.approx(2 / 3)  # c4 has no label
    report, metrics = assemble_evaluation(kpis=out)
    json.dumps(report)
    assert metrics["kpis.reach.relative_error_mean"]["value"] == pytest.approx(0.04)


def test_skip_note_without_truth(tmp_path, caplog):
    truth = GroundTruthDataset(str(tmp_path / "missing")).load()
    with caplog.at_level(logging.INFO):
        out = score_kpis(truth, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    assert "skipped" in out and "kpis" in caplog.text


def test_section_is_registered():
    names = {name: inputs for name, _, inputs in SECTIONS}
    assert names["kpis"] == ["ground_truth", "kpi_campaign", "creator_authenticity",
                             "comment_sentiment"]
