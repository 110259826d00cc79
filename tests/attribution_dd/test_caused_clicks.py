"""Creator-level pooled incrementality (roi_ml.attribution.caused_clicks) on hand-made cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from roi_ml.attribution.caused_clicks import (
    CausedClickConfig,
    _densities,
    caused_probability,
    fit_delay_mixture,
)
from roi_ml.attribution.data_driven import DataDrivenConfig, calibrate_shares

T0 = pd.Timestamp("2026-03-01 12:00", tz="UTC")


def _h(hours: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(hours=hours)


def _frames(rows):
    """rows: (journey, conversion hour, [(hour, kind, creator or channel, had_cart)])."""
    t, j = [], []
    for jid, conv_h, touches in rows:
        j.append({"journey_id": jid, "user_pseudo_id": f"u{jid}", "converted": conv_h is not None,
                  "conversions": 1.0 if conv_h is not None else 0.0, "revenue": 10.0,
                  "conversion_time": _h(conv_h) if conv_h is not None else pd.NaT})
        for pos, (h, kind, who, cart) in enumerate(touches):
            creator = who if kind in ("click", "code") else None
            t.append({"journey_id": jid, "position": pos, "timestamp": _h(h), "touch_type": kind,
                      "entity": f"P-{who}" if creator else who, "creator_id": creator,
                      "channel": "creator" if creator else who, "had_cart": cart})
    return pd.DataFrame(t), pd.DataFrame(j)


def test_densities_by_hand():
    """τ = 10, (lo, hi] = (0, 10]: mass 1 − e^−1 = 0.63212; e(0) = 1/10/0.63212 = 0.15820;
    flat density 1/10."""
    e, u = _densities(np.array([0.0, 10.0]), 10.0, 0.0, 10.0)
    assert e[0] == pytest.approx(0.1 / (1 - math.exp(-1)))
    assert e[1] == pytest.approx(0.1 * math.exp(-1) / (1 - math.exp(-1)))
    assert u == pytest.approx(0.1)


def test_mixture_recovers_a_known_delay_and_share():
    """3,000 gaps: 60 % exponential (τ = 48 h), 40 % flat over the 30-day lookback. EM must find
    τ within 10 % and the caused share within 0.05; a creator whose gaps are all flat gets a
    lower weight than one whose gaps are all short."""
    rng = np.random.default_rng(1)
    cfg = CausedClickConfig(session_hours=0.5, lookback_days=30)
    n = 3000
    caused = rng.random(n) < 0.6
    gaps = np.where(caused, 0.5 + rng.exponential(48, n), rng.uniform(0.5, 720, n))
    gaps = np.minimum(gaps, 720)
    creators = np.where(np.arange(n) % 2 == 0, "A", "B").astype(object)
    creators[:100] = "flat"
    gaps[:100] = np.linspace(10, 700, 100)
    creators[100:200] = "fast"
    gaps[100:200] = np.linspace(1, 20, 100)
    tau, w, w_c = fit_delay_mixture(gaps, creators, cfg)
    assert tau == pytest.approx(48, rel=0.1)
    assert w == pytest.approx(0.6 * 2800 / 3000 + 100 / 3000, abs=0.05)
    assert w_c["flat"] < w < w_c["fast"]


def test_pooling_pulls_a_small_creator_to_the_common_weight():
    """One gap of 600 h (flat-looking) for creator S: with prior_strength 0 its weight would
    drop to ~0; with 20 pseudo-gaps it stays near the pooled weight."""
    rng = np.random.default_rng(2)
    gaps = np.concatenate([0.5 + rng.exponential(30, 500), rng.uniform(0.5, 720, 500), [600.0]])
    creators = np.array(["A"] * 1000 + ["S"])
    _, w, loose = fit_delay_mixture(gaps, creators, CausedClickConfig(prior_strength=0.0))
    _, w2, pooled = fit_delay_mixture(gaps, creators, CausedClickConfig(prior_strength=20.0))
    assert loose["S"] < 0.05
    assert pooled["S"] == pytest.approx(w2, abs=0.05)


def test_in_session_click_is_caused_unless_an_intercept_and_codes_follow_the_creator():
    """Deal creator D: two buyers filled a cart 20 min before clicking D's link and bought 5 min
    later (intercepts, p = 0), a third bought in session without a cart (p = 1). D's session
    intercept share, pooled with prior_strength 2 toward the all-creator share: all-creator
    session clicks = D's 3 + N's 1 → 2/4 = 0.5; π_D = (2 + 2·0.5)/(3 + 2) = 0.6 → D's code-only
    order p = 0.4. N: one session click (p = 1), π_N = (0 + 2·0.5)/(1 + 2) = 1/3 → code p = 2/3."""
    rows = [
        ("d1", 0.5, [(0.0, "channel", "direct", True), (1 / 3, "click", "D", False)]),
        ("d2", 0.5, [(0.0, "channel", "direct", True), (1 / 3, "click", "D", False)]),
        ("d3", 0.5, [(0.4, "click", "D", False)]),
        ("d4", 5.0, [(5.0, "code", "D", False)]),
        ("n1", 0.2, [(0.1, "click", "N", False)]),
        ("n2", 9.0, [(9.0, "code", "N", False)]),
        ("x1", None, [(0.0, "click", "N", False)]),
    ]
    touches, journeys = _frames(rows)
    pairs, info = caused_probability(touches, journeys, CausedClickConfig(prior_strength=2.0))
    p = pairs.set_index("journey_id")["p_caused"]
    assert p["d1"] == 0.0 and p["d2"] == 0.0 and p["d3"] == 1.0 and p["n1"] == 1.0
    assert p["d4"] == pytest.approx(0.4)
    assert p["n2"] == pytest.approx(2 / 3)
    assert info["intercept_share_pooled"] == pytest.approx(0.5)
    assert "x1" not in p.index  # non-converting journeys have nothing to credit


def test_calibrated_shares_split_between_creators_by_shapley():
    """One journey, creators A (p .5, Shapley share .6) and B (p .5, share .2): creators' part
    1 − .5·.5 = .75, split ∝ p·(share + .001): A .75·.3005/.401 = .56203, B .75·.1005/.401."""
    shares = pd.DataFrame({"journey_id": ["j", "j"], "creator_id": ["A", "B"], "share": [0.6, 0.2],
                           "f_full": [0.8, 0.8], "f_baseline": [0.1, 0.1]})
    pairs = pd.DataFrame({"journey_id": ["j", "j"], "creator_id": ["A", "B"], "p_caused": [0.5, 0.5]})

    import roi_ml.attribution.caused_clicks as cc

    orig = cc.caused_probability
    cc.caused_probability = lambda *a, **k: (pairs, {})
    try:
        out, _ = calibrate_shares(shares, None, None, DataDrivenConfig())
    finally:
        cc.caused_probability = orig
    s = out.set_index("creator_id")["share"]
    assert s["A"] == pytest.approx(0.75 * 0.601 * 0.5 / (0.5 * 0.601 + 0.5 * 0.201))
    assert s["B"] == pytest.approx(0.75 * 0.201 * 0.5 / (0.5 * 0.601 + 0.5 * 0.201))
    assert s.sum() == pytest.approx(0.75)


def test_unknown_caused_click_setting_names_the_conf_file():
    with pytest.raises(ValueError, match="caused_clicks.*parameters_attribution.yml"):
        DataDrivenConfig.from_params({"caused_clicks": {"window": 3}})
