"""Adstock and Hill saturation: hand-computed cases."""

import numpy as np
import pytest

from roi_ml.forecasting.transforms import geometric_adstock, hill_saturation, spend_regressor


def test_geometric_adstock_by_hand():
    # a_0 = 100; a_1 = 0 + 0.5*100 = 50; a_2 = 20 + 0.5*50 = 45; a_3 = 0 + 0.5*45 = 22.5
    out = geometric_adstock(np.array([100.0, 0.0, 20.0, 0.0]), 0.5)
    np.testing.assert_allclose(out, [100.0, 50.0, 45.0, 22.5])


def test_adstock_without_carry_over_is_the_spend():
    x = np.array([3.0, 0.0, 7.0])
    np.testing.assert_allclose(geometric_adstock(x, 0.0), x)


@pytest.mark.parametrize("decay", [-0.1, 1.0])
def test_adstock_rejects_decay_outside_unit_interval(decay):
    with pytest.raises(ValueError, match="adstock_decay"):
        geometric_adstock(np.ones(3), decay)


def test_hill_by_hand():
    # k = 10, s = 1: 10/(10+10) = 0.5, 30/(30+10) = 0.75, 0 -> 0
    np.testing.assert_allclose(hill_saturation(np.array([0.0, 10.0, 30.0]), 10.0), [0, 0.5, 0.75])
    # k = 1, s = 2: 2^2/(2^2+1) = 0.8
    np.testing.assert_allclose(hill_saturation(np.array([2.0]), 1.0, 2.0), [0.8])


def test_spend_regressor_half_saturation_from_history():
    # adstock (decay 0) of history [0, 10, 30] -> positive mean 20; k = 2 x 20 = 40
    # future 40 -> 40/(40+40) = 0.5 (the history fixes k, the future does not move it)
    x, k = spend_regressor(np.array([0.0, 10.0, 30.0, 40.0]), 0.0, 2.0,
                           reference=np.array([0.0, 10.0, 30.0]))
    assert k == pytest.approx(40.0)
    np.testing.assert_allclose(x, [0.0, 10 / 50, 30 / 70, 0.5])


def test_spend_regressor_without_spend_is_zero():
    x, k = spend_regressor(np.zeros(5), 0.5, 1.0)
    assert not x.any() and k == 1.0
