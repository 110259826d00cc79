"""Data-driven attribution building blocks on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from roi_ml.attribution.data_driven import (
    DataDrivenAttribution,
    DataDrivenConfig,
    allocate,
    journey_features,
    prior_conversions,
)

T0 = pd.Timestamp("2026-03-01", tz="UTC")


def _world():
    touches = pd.DataFrame({
        "journey_id": ["j1", "j1", "j1", "j2", "j3"],
        "position": [0, 1, 2, 0, 0],
        "timestamp": [T0, T0 + pd.Timedelta(hours=2), T0 + pd.Timedelta(hours=5), T0, T0],
        "touch_type": ["channel", "click", "click", "click", "channel"],
        "entity": ["direct", "PA", "PB", "PA", "organic_search"],
        "creator_id": [None, "A", "B", "A", None],
        "channel": ["direct", "creator", "creator", "creator", "organic_search"],
        "platform": [None, "instagram", "tiktok", "instagram", None],
        "format": [None, "short", "short", "short", None],
        "tier": [None, "micro", "nano", "micro", None],
        "had_cart": [True, False, False, False, False],
    })
    journeys = pd.DataFrame({
        "journey_id": ["j1", "j2", "j3"], "user_pseudo_id": ["u1", "u2", "u3"],
        "converted": [True, False, True], "conversions": [1.0, 0.0, 1.0],
        "revenue": [100.0, 0.0, 40.0],
        "conversion_time": [T0 + pd.Timedelta(hours=6), T0, T0 + pd.Timedelta(hours=1)],
    })
    return touches, journeys


def test_features_by_hand():
    touches, journeys = _world()
    X = journey_features(touches, pd.Index(["j1", "j2", "j3"]), prior_conversions(journeys))
    j1 = X.loc["j1"]
    assert (j1["n_direct"], j1["n_click"], j1["n_creators"]) == (1, 2, 2)
    assert (j1["platform_instagram"], j1["platform_tiktok"], j1["tier_micro"]) == (1, 1, 1)
    assert j1["click_gap_h"] == 0.0 and j1["span_h"] == 5.0  # last click is the last touch
    assert j1["cart_before_creator"] == 1  # the direct session with a cart came before PA
    assert X.loc["j3", "n_organic_search"] == 1 and np.isnan(X.loc["j3", "click_gap_h"])


def test_shapley_against_the_no_creator_baseline_by_hand():
    """v(∅)=0 (nothing left but the direct session is worth 0 here), v(A)=.4, v(B)=.2, v(AB)=.8.
    φ_A = ½(.4−0) + ½(.8−.2) = .5 ; φ_B = ½(.2−0) + ½(.8−.4) = .3 ; shares = φ / v(AB)."""
    touches, journeys = _world()
    dd = DataDrivenAttribution(DataDrivenConfig())
    dd.feature_names_ = ["platform_instagram", "platform_tiktok"]
    dd.prior_ = prior_conversions(journeys)
    dd._predict = lambda X: (0.4 * (X["platform_instagram"] > 0) + 0.2 * (X["platform_tiktok"] > 0)
                             + 0.2 * ((X["platform_instagram"] > 0) & (X["platform_tiktok"] > 0))).to_numpy(float)
    sh = dd.creator_shapley(touches, journeys).set_index("creator_id")
    assert sh.loc["A", "share"] == pytest.approx(0.5 / 0.8)
    assert sh.loc["B", "share"] == pytest.approx(0.3 / 0.8)
    assert sh.loc["A", "f_baseline"] == pytest.approx(0.0)
    credit = allocate(touches, journeys, sh.reset_index())
    # j1: PA .625, PB .375 of 1 conversion and 100 revenue; j3 (no creator) → organic_search
    c = credit.set_index(["journey_id", "entity"])
    assert c.loc[("j1", "PA"), "revenue"] == pytest.approx(62.5)
    assert c.loc[("j1", "PB"), "conversions"] == pytest.approx(0.375)
    assert ("j1", "direct") not in c.index  # the creators took the whole conversion
    assert c.loc[("j3", "organic_search"), "conversions"] == pytest.approx(1.0)
    assert credit["conversions"].sum() == pytest.approx(2.0)
    assert credit["revenue"].sum() == pytest.approx(140.0)


def test_unknown_setting_names_the_conf_file():
    with pytest.raises(ValueError, match="parameters_attribution.yml"):
        DataDrivenConfig.from_params({"n_trees": 3})
