"""The creator response regressor (roi_ml.forecasting.creator_response) and the CV interval
calibration, on hand-computed cases (docs/metrics.md, "Creator response regressor")."""

import numpy as np
import pandas as pd
import pytest

from roi_ml.forecasting import cv as fcv
from roi_ml.forecasting.creator_response import (
    contract_weights,
    creator_rates,
    creator_response_series,
    response_kernel,
)
from roi_ml.forecasting.metrics import interval_scale_needed, scale_interval
from roi_ml.forecasting.model import ProphetSpec, SeriesForecast

D = pd.Timestamp


def test_kernel_from_mature_posts_only():
    # A = 3, origin Jan 31. P1 (Jan 1): ages 0, 1, 2 → 2, 1, 1 and age 5 → 10 (beyond A, left
    # out); P2 (Jan 10): ages 0, 1 → 4, 2; P3 (Jan 30) is younger than A: left out.
    # Sums by age: 6, 3, 1 → κ = 0.6, 0.3, 0.1
    daily = pd.DataFrame({"post_id": ["P1", "P1", "P1", "P1", "P2", "P2", "P3"],
                          "date": [D("2026-01-01"), D("2026-01-02"), D("2026-01-03"),
                                   D("2026-01-06"), D("2026-01-10"), D("2026-01-11"),
                                   D("2026-01-30")],
                          "conversions": [2.0, 1, 1, 10, 4, 2, 50]})
    published = pd.Series([D("2026-01-01"), D("2026-01-10"), D("2026-01-30")],
                          index=["P1", "P2", "P3"])
    k = response_kernel(daily, published, D("2026-01-31"), 3)
    np.testing.assert_allclose(k, [0.6, 0.3, 0.1])
    # no mature post: a geometric kernel with half-life 3 days, summing to 1
    k0 = response_kernel(daily, published, D("2026-01-02"), 3)
    np.testing.assert_allclose(k0, 0.5 ** (np.arange(3) / 3) / (0.5 ** (np.arange(3) / 3)).sum())
    # half-life 1 day: weights 1, 1/2, 1/4 over 1.75 -> 4/7, 2/7, 1/7
    k1 = response_kernel(daily, published, D("2026-01-02"), 3, fallback_half_life_days=1.0)
    np.testing.assert_allclose(k1, [4 / 7, 2 / 7, 1 / 7])
    with pytest.raises(ValueError, match="max_age_days"):
        response_kernel(daily, published, D("2026-01-31"), 0)


def test_conf_fallback_half_life_is_the_code_default():
    import inspect
    from pathlib import Path

    import yaml
    conf = yaml.safe_load((Path(__file__).parents[2] / "conf/base/parameters_forecasting.yml")
                          .read_text())["forecasting"]["creator_response"]
    default = inspect.signature(response_kernel).parameters["fallback_half_life_days"].default
    assert conf["fallback_half_life_days"] == default == 3.0


def test_rates_per_creator_shrunk_toward_everyone():
    # κ = 0.5, 0.3, 0.2 (K = 0.5, 0.8, 1.0), origin Jan 10, m = 100 USD, min developed 0.6.
    # A1 (X, Jan 1, age 9, K 1): spend 200, response 16 → ultimate 16
    # A2 (Y, Jan 9, age 1, K 0.8): spend 100, response 4 → ultimate 5
    # A3 (Y, Jan 10, age 0, K 0.5 < 0.6): left out
    # ρ = 21 / 300 = 0.07; ρ_X = (16 + 7) / 300 = 0.076667; ρ_Y = (5 + 7) / 200 = 0.06
    kappa = np.array([0.5, 0.3, 0.2])
    spend = pd.DataFrame({"post_id": ["A1", "A2", "A3"], "creator_id": ["X", "Y", "Y"],
                          "date": [D("2026-01-01"), D("2026-01-09"), D("2026-01-10")],
                          "spend_usd": [200.0, 100.0, 1000.0]})
    daily = pd.DataFrame({"post_id": ["A1", "A2", "A3", "A2"],
                          "date": [D("2026-01-02"), D("2026-01-09"), D("2026-01-10"), D("2026-01-12")],
                          "conversions": [16.0, 4.0, 1.0, 99.0]})   # Jan 12 is after the origin
    rho, rates = creator_rates(daily, spend, D("2026-01-10"), kappa, 100.0, 0.6)
    assert rho == pytest.approx(0.07)
    assert rates["X"] == pytest.approx(23 / 300) and rates["Y"] == pytest.approx(0.06)
    w = contract_weights(pd.DataFrame({"contract_id": ["K1", "K2"], "creator_id": ["X", "Z"]}),
                         rates, rho)
    assert w["K1"] == pytest.approx((23 / 300) / 0.07) and w["K2"] == 1.0


def test_series_observed_then_projected_by_hand():
    # κ = 0.5, 0.3, 0.2; origin Jan 10; days Jan 8 … Jan 13.
    # Q1 (creator X, Jan 9, age 1): observed 4 (Jan 9) + 2 (Jan 10) = 6, K(1) = 0.8, left 0.2,
    #   prior = ρ_X 0.1 × 100 USD = 10; remaining = 0.2 × (6 + 0.2 × 10) = 1.6, all on Jan 11
    #   (age 2: κ 0.2 / left 0.2); nothing after (age 3 ≥ A).
    # plan: 50 effective USD on Jan 12, ρ 0.04 → Jan 12: 0.04·50·0.5 = 1.0, Jan 13: 0.04·50·0.3 = 0.6
    # history: Jan 8: 0, Jan 9: 4, Jan 10: 2 (the 99 on Jan 11 is after the origin: ignored)
    kappa = np.array([0.5, 0.3, 0.2])
    days = pd.date_range("2026-01-08", "2026-01-13")
    daily = pd.DataFrame({"post_id": ["Q1", "Q1", "Q1"],
                          "date": [D("2026-01-09"), D("2026-01-10"), D("2026-01-11")],
                          "conversions": [4.0, 2.0, 99.0]})
    spend = pd.DataFrame({"post_id": ["Q1"], "creator_id": ["X"], "date": [D("2026-01-09")],
                          "spend_usd": [100.0]})
    plan = np.array([0, 0, 0, 0, 50.0, 0])
    x = creator_response_series(daily, spend, days, D("2026-01-10"), plan, kappa, 0.04,
                                pd.Series({"X": 0.1}))
    np.testing.assert_allclose(x, [0, 4, 2, 1.6, 1.0, 0.6])
    with pytest.raises(ValueError, match="planned_spend"):
        creator_response_series(daily, spend, days, D("2026-01-10"), plan[:3], kappa, 0.04,
                                pd.Series({"X": 0.1}))


def test_interval_scale_needed_and_scaling_by_hand():
    # above ŷ: (10 − 8) / (9 − 8) = 2; below: (6 − 4) / (6 − 5) = 2; on ŷ: 0;
    # outside a zero-width side: inf
    r = interval_scale_needed([10, 4, 7, 6], [8, 6, 7, 5], [6, 5, 5, 5], [9, 7, 9, 5])
    np.testing.assert_allclose(r, [2, 2, 0, np.inf])
    lo, hi = scale_interval([10.0, 10.0], [8.0, 8.0], [13.0, 13.0], 2.0)
    np.testing.assert_allclose(lo, [6, 6]) and np.testing.assert_allclose(hi, [16, 16])
    lo, _ = scale_interval([10.0], [8.0], [13.0], 6.0)       # 10 − 12 < 0 → 0
    assert lo[0] == 0.0


def test_cv_interval_scale_is_the_median_fold_factor(monkeypatch):
    # A fake model forecasting 10 within [9, 11] on every day: the factor a day needs is
    # |y − 10|. Series 0 … 15, horizon 2, folds at 8, 10 and 12: actual (8, 9), (10, 11),
    # (12, 13) → needed (2, 1), (0, 1), (2, 3); each fold's 0.5-quantile: 1.5, 0.5, 2.5;
    # their median: 1.5
    def fake(dates, train, x, horizon, *args, **kwargs):
        n = len(train) + horizon
        return SeriesForecast(pd.DataFrame({"date": pd.date_range("2026-01-01", periods=n),
                                            "yhat": 10.0, "yhat_lower": 9.0, "yhat_upper": 11.0}),
                              "prophet")
    monkeypatch.setattr(fcv, "prophet_forecast", fake)
    y = np.arange(16, dtype=float)
    dates = pd.date_range("2026-01-01", periods=16)
    res = fcv.cross_validate(dates, y, np.zeros(16), ProphetSpec(), 2, [8, 10, 12], None, 365,
                             0.5, 10)
    assert res.interval_scale == pytest.approx(1.5)
    assert [f["interval_scale"] for f in res.folds] == pytest.approx([1.5, 0.5, 2.5])
    # only the latest fold (the one trained on the most days): 2.5
    latest = fcv.cross_validate(dates, y, np.zeros(16), ProphetSpec(), 2, [8, 10, 12], None,
                                365, 0.5, 10, calibration_folds=1)
    assert latest.interval_scale == pytest.approx(2.5)


def test_spec_rejects_an_unknown_regressor():
    with pytest.raises(ValueError, match="regressor"):
        ProphetSpec(regressor="clicks")


class _LinearModel:
    """Stands in for a fitted Prophet: yhat = 5 + 2·regressor; 50 predictive draws per day,
    each equal to that day's yhat (no noise of its own)."""

    uncertainty_samples = 50

    def predict(self, frame):
        return pd.DataFrame({"yhat": 5.0 + 2.0 * frame["creator_spend"].to_numpy()})

    def predictive_samples(self, frame):
        y = self.predict(frame)["yhat"].to_numpy()
        return {"yhat": np.repeat(y[:, None], self.uncertainty_samples, axis=1)}


def test_regressor_uncertainty_bounds_by_hand():
    from roi_ml.forecasting.model import regressor_uncertainty_bounds

    # one history day, two future days with regressor 10 and 20: yhat 25 and 45; β = 2.
    # Ratios 0.5 and 1.5 (both drawn among 50 draws): yhat + 2·(r − 1)·x → 25 ∓ 10, 45 ∓ 20;
    # the 80 % interval of draws split between the two values: [15, 35] and [25, 65]
    frame = pd.DataFrame({"date": pd.date_range("2026-01-01", periods=3), "yhat": [5.0, 25, 45],
                          "yhat_lower": [5.0, 25, 45], "yhat_upper": [5.0, 25, 45]})
    fc = SeriesForecast(frame, "prophet", _LinearModel(), 1.0, np.array([0.0, 10.0, 20.0]))
    lo, hi = regressor_uncertainty_bounds(fc, 1, np.array([0.5, 1.5]), ProphetSpec(), 0.8)
    np.testing.assert_allclose(lo, [15, 25]) and np.testing.assert_allclose(hi, [35, 65])
    # sqrt transform: the bounds are squared back (15² = 225, 35² = 1225 on day 1)
    lo, hi = regressor_uncertainty_bounds(fc, 1, np.array([0.5, 1.5]),
                                          ProphetSpec(transform="sqrt"), 0.8)
    np.testing.assert_allclose([lo[0], hi[0]], [225, 1225])
    # no ratio: Prophet's own bounds
    lo, hi = regressor_uncertainty_bounds(fc, 1, np.array([]), ProphetSpec(), 0.8)
    np.testing.assert_allclose(lo, [25, 45])
