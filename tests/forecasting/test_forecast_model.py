"""The model a series gets: constant (flat), weekday means (short), Prophet (otherwise)."""

import logging

import numpy as np
import pandas as pd
import pytest

from roi_ml.forecasting.model import ProphetSpec, forecast_series, holidays_frame

KW = dict(holidays=None, min_days_prophet=28, min_days_yearly=365, interval_width=0.8,
          uncertainty_samples=50, seed=0)


def _dates(n):
    return pd.date_range("2026-01-05", periods=n, freq="D")  # a Monday


def test_flat_series_is_forecast_as_its_value():
    fc = forecast_series(_dates(40), np.full(40, 7.0), np.zeros(45), 5, ProphetSpec(), **KW)
    assert fc.model_used == "constant"
    assert len(fc.frame) == 45
    assert (fc.frame[["yhat", "yhat_lower", "yhat_upper"]].to_numpy() == 7.0).all()


def test_short_series_falls_back_to_weekday_means():
    # 14 days, Monday..Sunday twice: Mondays 2 and 4 -> 3; every other weekday 10 and 10 -> 10
    y = np.array([2, 10, 10, 10, 10, 10, 10, 4, 10, 10, 10, 10, 10, 10], dtype=float)
    fc = forecast_series(_dates(14), y, np.zeros(21), 7, ProphetSpec(), **KW)
    assert fc.model_used == "seasonal_naive"
    future = fc.frame.iloc[14:]
    assert future["date"].iloc[0].day_of_week == 0
    np.testing.assert_allclose(future["yhat"], [3, 10, 10, 10, 10, 10, 10])
    # deviations from the weekday means: -1, +1 and twelve zeros; 10 % / 90 % quantiles
    # of [-1, 0 x 12, 1] are 0 and 0 -> the interval collapses on the mean except at the tails
    assert (future["yhat_lower"] <= future["yhat"]).all()
    assert (future["yhat_upper"] >= future["yhat"]).all()


def test_prophet_learns_the_spend_effect():
    # level 50, +1 conversion per $10 of spend on spend days (no carry-over, linear Hill)
    rng = np.random.default_rng(0)
    n, h = 90, 14
    spend = np.zeros(n + h)
    spend[::9] = 400.0
    y = 50 + spend[:n] / 10 + rng.normal(0, 1, n)
    spec = ProphetSpec(adstock_decay=0.0, half_saturation_multiple=1000.0,
                       changepoint_prior_scale=0.001, transform="none")
    fc = forecast_series(_dates(n), y, spend, h, spec, **KW)
    assert fc.model_used == "prophet"
    future = fc.frame.iloc[n:]
    on = future["yhat"].to_numpy()[spend[n:] > 0]
    off = future["yhat"].to_numpy()[spend[n:] == 0]
    assert on.mean() - off.mean() == pytest.approx(40, abs=6)  # 400 / 10
    assert (fc.frame["yhat_lower"] <= fc.frame["yhat_upper"]).all()


def test_prophet_is_quiet(caplog):
    y = 20 + np.sin(np.arange(60))
    with caplog.at_level(logging.DEBUG):
        forecast_series(_dates(60), y, np.zeros(67), 7, ProphetSpec(), **KW)
    assert not [r for r in caplog.records if r.name.startswith(("cmdstanpy", "prophet"))]


def test_holiday_calendar_from_conf():
    frame = holidays_frame({"prime_day": {"dates": ["2026-07-15"], "lower_window": -2,
                                          "upper_window": 1}})
    assert frame.to_dict("records") == [{"holiday": "prime_day", "ds": pd.Timestamp("2026-07-15"),
                                         "lower_window": -2, "upper_window": 1}]
    assert holidays_frame({}) is None


def test_holiday_window_with_wrong_sign_names_the_conf_key():
    with pytest.raises(ValueError, match="forecasting.holidays.xmas"):
        holidays_frame({"xmas": {"dates": ["2026-12-25"], "lower_window": 2}})
