"""Scoring a forecast against the truth's future days (hand-computed)."""

import numpy as np
import pandas as pd
import pytest

from roi_ml.pipelines.evaluation.forecasting import score_forecast_metric, score_pacing


def test_score_forecast_metric_by_hand():
    # history: 8 days 1..8 -> seasonal-naive scale mean |y7 - y0| = |8 - 1| = 7
    hist_days = pd.date_range("2026-06-01", periods=8, freq="D")
    fut_days = pd.date_range("2026-06-09", periods=2, freq="D")
    f = pd.DataFrame({
        "series": "total", "metric": "conversions",
        "date": hist_days.append(fut_days),
        "yhat": [0.0] * 8 + [10.0, 10.0], "yhat_lower": [0.0] * 8 + [9.0, 0.0],
        "yhat_upper": [0.0] * 8 + [11.0, 5.0],
        "actual": list(range(1, 9)) + [np.nan, np.nan],
        "is_forecast": [False] * 8 + [True, True], "model_used": "prophet_cv"})
    truth = pd.DataFrame({"date": fut_days, "conversions": [17.0, 3.0]})
    s = score_forecast_metric(f, truth, "conversions", "conversions")
    # errors |17 - 10| = 7, |3 - 10| = 7 -> MAE 7 -> MASE 1
    assert s["mase"] == pytest.approx(1.0)
    # 17 outside [9, 11], 3 inside [0, 5]
    assert s["coverage"] == pytest.approx(0.5)
    assert s["bias"] == pytest.approx(0.0)
    # seasonal naive repeats the last week (2..8): 2, 3 -> errors 15, 0 -> 7.5 / 7
    assert s["naive_mase"] == pytest.approx(7.5 / 7)
    assert s["n_days"] == 2


def test_score_pacing_by_hand():
    pacing = pd.DataFrame({"campaign_id": ["L", "C", "P", "Q", "N"],
                           "projected_spend_usd": [110.0, 50.0, 40.0, 30.0, 10.0],
                           "projected_spend_low_usd": [90.0, 50.0, 30.0, 20.0, 0.0],
                           "projected_spend_high_usd": [95.0, 50.0, 49.999, 25.0, 20.0],
                           "campaign_state": ["live", "completed", "planned", "planned", "planned"]})
    truth = pd.DataFrame({"campaign_id": ["L", "L", "C", "P", "Q"],
                          "total_cost_usd": [60.0, 40.0, 50.0, 50.001, 20.0]})
    s = score_pacing(pacing, truth)
    # L: true final 100, projected 110 -> 10 % off, outside [90, 95]. Planned P: true 50.00 (to
    # the cent), projected 40 -> 20 % off, inside [30, 50.00]; Q: true 20, projected 30 -> 50 %
    # off, inside [20, 25]; planned N never got a contract: counted, not scored
    assert s == {"live_campaigns": 1, "live_campaigns_without_true_spend": 0,
                 "mean_abs_relative_error": pytest.approx(0.1),
                 "interval_coverage": 0.0, "planned_campaigns": 2,
                 "planned_campaigns_without_true_spend": 1,
                 "planned_mean_abs_relative_error": pytest.approx(0.35),
                 "planned_interval_coverage": 1.0}


def test_score_pacing_without_live_or_planned_campaigns():
    pacing = pd.DataFrame({"campaign_id": ["C"], "projected_spend_usd": [50.0],
                           "projected_spend_low_usd": [50.0], "projected_spend_high_usd": [50.0],
                           "campaign_state": ["completed"]})
    truth = pd.DataFrame({"campaign_id": ["C"], "total_cost_usd": [50.0]})
    assert score_pacing(pacing, truth) == {"live_campaigns": 0, "live_campaigns_without_true_spend": 0,
                                           "planned_campaigns": 0,
                                           "planned_campaigns_without_true_spend": 0}
