"""MASE, coverage and the seasonal-naive forecast: hand-computed cases."""

import numpy as np
import pytest

from roi_ml.forecasting.metrics import coverage, mase, seasonal_naive_forecast, seasonal_naive_scale


def test_mase_by_hand():
    # train of 9 days, season 7: |y7 - y0| = |8 - 1| = 7, |y8 - y1| = |1 - 2| = 1 -> scale 4
    train = np.array([1, 2, 3, 4, 5, 6, 7, 8, 1], dtype=float)
    assert seasonal_naive_scale(train) == pytest.approx(4.0)
    # errors |10-12| = 2, |10-4| = 6 -> MAE 4 -> MASE 4 / 4 = 1
    assert mase(np.array([10.0, 10.0]), np.array([12.0, 4.0]), train) == pytest.approx(1.0)


def test_mase_of_flat_history_is_undefined():
    assert np.isnan(mase(np.array([1.0]), np.array([2.0]), np.full(14, 5.0)))


def test_coverage_by_hand():
    # 1 in [0, 2], 5 not in [0, 4], 3 in [3, 3] (bounds inclusive) -> 2 / 3
    assert coverage(np.array([1.0, 5.0, 3.0]), np.array([0, 0, 3]), np.array([2, 4, 3])) == \
        pytest.approx(2 / 3)


def test_seasonal_naive_repeats_last_week():
    train = np.arange(10, dtype=float)  # last week: 3..9
    np.testing.assert_allclose(seasonal_naive_forecast(train, 9), [3, 4, 5, 6, 7, 8, 9, 3, 4])


def test_seasonal_naive_needs_a_week():
    with pytest.raises(ValueError, match="at least 7"):
        seasonal_naive_forecast(np.ones(3), 5)
