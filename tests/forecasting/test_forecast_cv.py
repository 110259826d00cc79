"""Rolling-origin folds and the grid."""

import pytest

from roi_ml.forecasting.cv import min_days_for_cv, rolling_origin_cutoffs, spec_grid
from roi_ml.forecasting.model import ProphetSpec


def test_cutoffs_by_hand():
    # n = 100, horizon 10, 3 folds every 5 days: 100-10 = 90, 85, 80 (oldest first)
    assert rolling_origin_cutoffs(100, 10, 3, 5, 50) == [80, 85, 90]


def test_series_too_short_for_cv_gives_no_folds():
    # the oldest fold would train on 80 days < 81
    assert rolling_origin_cutoffs(100, 10, 3, 5, 81) == []
    assert min_days_for_cv(10, 3, 5, 81) == 101  # 81 + 10 + 2*5


def test_grid_is_every_combination():
    specs = spec_grid(ProphetSpec(), {"changepoint_prior_scale": [0.001, 0.05],
                                      "transform": ["none", "sqrt"]})
    assert {(s.changepoint_prior_scale, s.transform) for s in specs} == {
        (0.001, "none"), (0.001, "sqrt"), (0.05, "none"), (0.05, "sqrt")}


def test_grid_with_unknown_setting_names_the_conf_key():
    with pytest.raises(ValueError, match="forecasting.cv.grid"):
        spec_grid(ProphetSpec(), {"changepoint_prior": [0.1]})


def test_spec_rejects_unknown_transform():
    with pytest.raises(ValueError, match="transform"):
        ProphetSpec(transform="boxcox")
