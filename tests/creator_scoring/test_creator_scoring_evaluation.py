"""The evaluation section `creator_scoring`: skips without truth, scores the held-out last
campaigns, the performance score and the campaign ROI against a hand-made truth."""

from __future__ import annotations

import pandas as pd
import pytest

from roi_ml.ground_truth import GroundTruth
from roi_ml.pipelines.evaluation.creator_scoring import score_creator_scoring


def _truth(tmp_path):
    pd.DataFrame({"creator_id": ["x"]}).to_csv(tmp_path / "creator_truth.csv", index=False)
    pd.DataFrame({
        "creator_id": ["A", "B", "C", "D", "A"], "campaign_id": ["K2", "K2", "K2", "K2", "K1"],
        "true_roi": [3.0, 2.0, 1.0, 0.0, 1.0], "true_revenue": [400.0, 300.0, 200.0, 100.0, 200.0],
        "total_cost_usd": [100.0] * 5, "complete_in_window": [True, True, True, False, True],
    }).to_csv(tmp_path / "contract_truth.csv", index=False)
    return GroundTruth(tmp_path)


def _backtest():
    # model ranks the last campaigns perfectly; the naive baseline backwards; tier flat-ish
    return pd.DataFrame({
        "creator_id": ["A", "B", "C", "D", "A"], "campaign_id": ["K2", "K2", "K2", "K2", "K1"],
        "is_last": [True, True, True, True, False],
        "predicted_roi": [0.9, 0.5, 0.1, -0.5, 0.0], "naive_roi": [-0.5, 0.1, 0.5, 0.2, 0.2],
        "tier_avg_roi": [0.2, 0.2, 0.3, 0.2, 0.2]})


def _scores():
    return pd.DataFrame({"creator_id": ["A", "B", "C", "D"], "performance_score": [90.0, 70.0, 50.0, 10.0],
                         "conversion_score": [1.0, 2.0, 3.0, 4.0], "engagement_score": [4.0, 3.0, 2.0, 1.0],
                         "brand_fit_score": [1.0, 1.0, 2.0, 2.0], "roi": [1.0, 0.5, 0.2, 0.1]})


def _campaign_roi():
    return pd.DataFrame({"creator_id": ["A", "A", "B", "C", "D"], "campaign_id": ["K1", "K2", "K2", "K2", "K2"],
                         "roi": [0.1, 1.0, 0.5, 0.2, 0.1], "attributed_revenue": [50.0, 150.0, 100.0, 80.0, 0.0],
                         "attributed_revenue_low": [10.0, 100.0, 50.0, 40.0, 0.0],
                         "attributed_revenue_high": [250.0, 450.0, 200.0, 150.0, 90.0],
                         "model_used": ["time_decay"] * 5})


def test_skips_without_truth(tmp_path):
    out = score_creator_scoring(GroundTruth(tmp_path / "none"), _backtest(), _scores(), _campaign_roi(), {})
    assert "skipped" in out


def test_scores_against_hand_made_truth(tmp_path):
    out = score_creator_scoring(_truth(tmp_path), _backtest(), _scores(), _campaign_roi(), {})
    last = out["next_roi_last_campaign"]
    assert last["n"] == 4
    assert last["spearman_model"] == pytest.approx(1.0)
    # naive -0.5, 0.1, 0.5, 0.2 against truth 3, 2, 1, 0: ranks 1, 2, 4, 3 vs 4, 3, 2, 1 -> -0.8
    assert last["spearman_naive"] == pytest.approx(-0.8)
    assert out["bar_met"] is True
    assert out["next_roi_last_campaign_complete"]["n"] == 3          # D's campaign ran past the window
    # creators' true ROI over their campaigns: A (600 - 200) / 200 = 2, B 2, C 1, D 0
    ps = out["performance_score"]
    assert ps["n"] == 4 and ps["spearman_performance_score_vs_true_roi"] > 0.9
    cr = out["campaign_roi"]
    # true revenue in [low, high]: A/K1 200 yes, A/K2 400 yes, B 300 no, C 200 no, D 100 no
    assert cr["true_revenue_in_interval_share"] == pytest.approx(2 / 5)
    assert cr["attributed_to_true_revenue_ratio"] == pytest.approx(380.0 / 1200.0)
