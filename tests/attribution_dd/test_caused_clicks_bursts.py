"""Caused clicks (roi_ml.attribution.caused_clicks): clicks counted in bursts and the flat floor
of the last-of-n baseline gap density — a burst of clicks long before a purchase must not make
the purchase look caused. Worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from roi_ml.attribution.caused_clicks import (
    CausedClickConfig,
    _densities,
    creator_pairs,
    fit_delay_mixture,
    null_gap_density,
)

T0 = pd.Timestamp("2026-03-01 00:00", tz="UTC")


def _h(hours: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(hours=hours)


def _frames(clicks_h: list[float], conv_h: float):
    touches = pd.DataFrame({
        "journey_id": "j1", "position": range(len(clicks_h)),
        "timestamp": [_h(h) for h in clicks_h], "touch_type": "click",
        "entity": "P-A", "creator_id": "A", "channel": "creator", "had_cart": False})
    journeys = pd.DataFrame({"journey_id": ["j1"], "user_pseudo_id": ["u"], "converted": [True],
                             "conversions": [1.0], "revenue": [10.0], "conversion_time": [_h(conv_h)]})
    return touches, journeys


def test_bursts_are_counted_by_hand():
    """Clicks at 0, 0.5, 0.9, 3 and 10 h, burst gap 1 h: 0 → 0.5 → 0.9 (each within 1 h of the
    previous click) is one burst, 3 and 10 two more: 3 bursts of 5 clicks. Gap 5 h: 0…3 is one
    burst (steps 0.5, 0.4, 2.1), 10 another: 2. Gap 0: every click its own burst: 5."""
    touches, journeys = _frames([10.0, 0.0, 3.0, 0.5, 0.9], 12.0)  # order of rows does not matter
    pairs = creator_pairs(touches, journeys, 1.0)
    assert pairs["n_clicks"].tolist() == [5] and pairs["n_bursts"].tolist() == [3]
    assert pairs["gap_h"].tolist() == [2.0]
    assert creator_pairs(touches, journeys, 5.0)["n_bursts"].tolist() == [2]
    assert creator_pairs(touches, journeys, 0.0)["n_bursts"].tolist() == [5]


def test_flat_floor_of_the_baseline_density_by_hand():
    """H = 10, lo = 0, n = 2: last-of-n at g = 10 (the span's start) is 0; with ε = 0.2 it is
    0.8·0 + 0.2·(1/10) = 0.02; at g = 5: 0.8·0.1 + 0.2·0.1 = 0.1; n = 1 is flat for any ε."""
    g = np.array([10.0, 5.0])
    np.testing.assert_allclose(null_gap_density(g, np.array([2, 2]), 0.0, 10.0, 0.2), [0.02, 0.1])
    np.testing.assert_allclose(null_gap_density(g, np.array([1, 1]), 0.0, 10.0, 0.7), [0.1, 0.1])


def test_a_burst_long_before_the_purchase_is_not_caused():
    """τ = 60 h, w = 0.3, span H = 100 h, lo = 0.5 h, the last click 95 h before the purchase.
    Caused density e = e^(−95/60) / 60 / (e^(−0.5/60) − e^(−100/60)) = 0.205374 / 60 / 0.802826
    = 0.0042618; flat 1 / 99.5 = 0.0100503.
    - one click: p = 0.3·0.0042618 / (0.3·0.0042618 + 0.7·0.0100503) = 0.0012785 / 0.0083137 = 0.15379;
    - three independent clicks (last of 3): u = 3·0.05² / 100 / 0.995³ = 7.6136e-5, p = 0.960 —
      the reviewer's case: a burst of clicks made the purchase look caused;
    - the same three clicks within an hour are one burst: n = 1, p = 0.15379 again;
    - three separate bursts with ε = 0.2: u = 0.8·7.6136e-5 + 0.2·0.0100503 = 0.00207096,
      p = 0.0012785 / (0.0012785 + 0.7·0.00207096) = 0.46864."""
    tau, w, H, lo = 60.0, 0.3, 100.0, 0.5
    e, _ = _densities(np.array([95.0]), tau, lo, H)
    assert e[0] == pytest.approx(math.exp(-95 / 60) / 60 / (math.exp(-0.5 / 60) - math.exp(-100 / 60)))
    assert e[0] == pytest.approx(0.0042618, rel=1e-4)

    def p(n, eps):
        u = null_gap_density(np.array([95.0]), np.array([n]), lo, H, eps)[0]
        return w * e[0] / (w * e[0] + (1 - w) * u)

    assert p(1, 0.0) == pytest.approx(0.15379, abs=1e-4)
    assert p(3, 0.0) == pytest.approx(0.9600, abs=1e-3)
    assert p(3, 0.2) == pytest.approx(0.46864, abs=1e-4)
    # clicks at −95.6, −95.3, −95.0 h: one burst at a 1 h burst gap
    touches, journeys = _frames([4.4, 4.7, 5.0], 100.0)
    n = creator_pairs(touches, journeys, 1.0)["n_bursts"].iloc[0]
    assert n == 1 and p(n, 0.0) == pytest.approx(0.15379, abs=1e-4)


def test_a_gap_at_the_span_start_keeps_a_baseline_with_the_floor():
    """n = 2 bursts, gap clipped to the span (H = 100): last-of-n density 0, so without the floor
    p = 1 whatever the delay; with ε = 0.1 the baseline is 0.1 / 99.5 and p < 1:
    e(100) = e^(−100/60) / 60 / 0.802826 = 0.188876 / 60 / 0.802826 = 0.0039211 →
    p = 0.3·0.0039211 / (0.0011763 + 0.7·0.00100503) = 0.0011763 / 0.0018798 = 0.62576."""
    e, _ = _densities(np.array([100.0]), 60.0, 0.5, 100.0)
    u0 = null_gap_density(np.array([100.0]), np.array([2]), 0.5, 100.0, 0.0)[0]
    u1 = null_gap_density(np.array([100.0]), np.array([2]), 0.5, 100.0, 0.1)[0]
    assert u0 == 0.0
    assert u1 == pytest.approx(0.1 / 99.5)
    assert 0.3 * e[0] / (0.3 * e[0] + 0.7 * u1) == pytest.approx(0.62576, abs=1e-4)


def test_em_recovers_the_flat_share_of_the_baseline():
    """Simulated: every journey has n = 3 bursts in a 720 h span, lo = 0.5. 30 % of conversions
    are caused (Exp(48 h) delay after the last click); of the uncaused, 40 % have the gap of the
    last of 3 independent uniform clicks (H·(1 − max of 3 uniforms)), 60 % a flat gap (bursts
    that cluster). `null_gap_flat_weight: auto` finds ε ≈ 0.6 and w ≈ 0.3; a fixed ε is kept."""
    rng = np.random.default_rng(7)
    n, H = 20000, 720.0
    caused = rng.random(n) < 0.3
    flat = rng.random(n) < 0.6
    g = np.where(caused, 0.5 + rng.exponential(48.0, n),
                 np.where(flat, rng.uniform(0.5, H, n), H * (1 - rng.random((n, 3)).max(axis=1))))
    keep = (g > 0.5) & (g <= H)
    g = g[keep]
    creators = np.array(["A"] * len(g))
    cfg = CausedClickConfig(prior_strength=20.0, em_iterations=500)
    tau, w, wc = fit_delay_mixture(g, creators, cfg, np.full(len(g), 3.0), np.full(len(g), H))
    assert wc.attrs["null_gap_flat_weight"] == pytest.approx(0.6, abs=0.05)
    assert w == pytest.approx(0.3 * n / len(g), abs=0.03)
    assert tau == pytest.approx(48.0, rel=0.15)
    fixed = CausedClickConfig(prior_strength=20.0, null_gap_flat_weight=0.25)
    assert fit_delay_mixture(g, creators, fixed, np.full(len(g), 3.0),
                             np.full(len(g), H))[2].attrs["null_gap_flat_weight"] == 0.25


def test_bad_burst_settings_name_the_conf_key():
    with pytest.raises(ValueError, match="null_gap_flat_weight.*parameters_attribution.yml"):
        CausedClickConfig(null_gap_flat_weight=1.5)
    with pytest.raises(ValueError, match="null_gap_flat_weight"):
        CausedClickConfig(null_gap_flat_weight="fit")
    with pytest.raises(ValueError, match="burst_gap_hours.*parameters_attribution.yml"):
        CausedClickConfig(burst_gap_hours=-1)
