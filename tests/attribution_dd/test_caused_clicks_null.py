"""Caused clicks (roi_ml.attribution.caused_clicks): the baseline gap density of the last of n
clicks, journeys bounded by the person's previous conversion, and empirical-Bayes pooling —
each worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from roi_ml.attribution.caused_clicks import (
    CausedClickConfig,
    _densities,
    beta_binomial_log_marginal,
    caused_probability,
    delay_prior_strength,
    fit_delay_mixture,
    intercept_prior_strength,
    journey_spans,
    log_marginal_likelihood,
    null_gap_density,
    prior_strength_candidates,
    share_nodes,
)

T0 = pd.Timestamp("2026-03-01 00:00", tz="UTC")


def _h(hours: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(hours=hours)


def test_null_gap_density_by_hand():
    """H = 10, lo = 0: n = 1 is flat 1/10; n = 2 at g = 5: 2·(1 − 0.5)/10 = 0.1, at g = 0: 0.2,
    at g = 10: 0 (two clicks cannot both be at the start of the span). lo = 1: the mass above lo
    is (1 − 0.1)² = 0.81, so g = 5 → 0.1 / 0.81; flat on (1, 10] is 1/9."""
    g = np.array([0.0, 5.0, 10.0])
    np.testing.assert_allclose(null_gap_density(g, np.array([1, 1, 1]), 0.0, 10.0), [0.1] * 3)
    np.testing.assert_allclose(null_gap_density(g, np.array([2, 2, 2]), 0.0, 10.0), [0.2, 0.1, 0.0])
    assert null_gap_density(np.array([5.0]), np.array([2]), 1.0, 10.0)[0] == pytest.approx(0.1 / 0.81)
    assert null_gap_density(np.array([5.0]), None, 1.0, 10.0) == pytest.approx(1 / 9)
    # one span per gap: H = 4 → n = 1 flat 1/4
    assert null_gap_density(np.array([2.0]), np.array([1]), 0.0, np.array([4.0]))[0] == pytest.approx(0.25)


def test_null_gap_density_integrates_to_one_above_lo():
    g = np.linspace(0.5, 720, 200_001)
    for n in (1, 2, 5):
        dens = null_gap_density(g, np.full(len(g), n), 0.5, 720.0)
        assert np.trapezoid(dens, g) == pytest.approx(1.0, rel=1e-4)


def test_exponential_truncated_to_each_span_by_hand():
    """τ = 10, lo = 0: span 10 → mass 1 − e^−1, density at 0 = 0.1 / 0.63212; span 20 → mass
    1 − e^−2 = 0.86466, density at 0 = 0.1 / 0.86466."""
    e, u = _densities(np.array([0.0, 0.0]), 10.0, 0.0, np.array([10.0, 20.0]))
    np.testing.assert_allclose(e, [0.1 / (1 - math.exp(-1)), 0.1 / (1 - math.exp(-2))])
    np.testing.assert_allclose(u, [0.1, 0.05])


def test_journey_span_is_bounded_by_the_previous_conversion():
    """User u converts at 0 h, 100 h and 1,000 h (lookback 30 days = 720 h): spans 720 (first),
    100 (100 h after the previous one), 720 (900 h after, capped by the lookback). User v has no
    earlier conversion: 720; a journey without a user id: 720. Off: 720 everywhere."""
    journeys = pd.DataFrame({
        "journey_id": ["u1", "u2", "u3", "v1", "x1", "n1"],
        "user_pseudo_id": ["u", "u", "u", "v", None, "u"],
        "converted": [True, True, True, True, True, False],
        "conversion_time": [_h(0), _h(100), _h(1000), _h(50), _h(60), _h(90)]})
    pairs = pd.DataFrame({"journey_id": ["u1", "u2", "u3", "v1", "x1"]})
    cfg = CausedClickConfig(lookback_days=30)
    np.testing.assert_allclose(journey_spans(pairs, journeys, cfg), [720, 100, 720, 720, 720])
    off = CausedClickConfig(lookback_days=30, span_from_previous_conversion=False)
    np.testing.assert_allclose(journey_spans(pairs, journeys, off), [720] * 5)


def test_delay_scale_is_recovered_with_spans_and_biased_without():
    """Caused gaps Exp(τ = 48 h) cut at each journey's span (half the journeys 720 h, half 60 h:
    frequent buyers), plus 30 % uncaused gaps flat over each span. With the spans the mixture
    finds τ within 10 %; treating every journey as 720 h long reads the short ones' uncaused
    gaps as quick caused ones and the short spans' truncation as a fast delay."""
    rng = np.random.default_rng(4)
    n = 6000
    span = np.where(np.arange(n) % 2 == 0, 720.0, 60.0)
    caused = rng.random(n) < 0.7
    g = np.empty(n)
    for i in range(n):
        if caused[i]:
            while True:
                x = 0.5 + rng.exponential(48.0)
                if x <= span[i]:
                    break
            g[i] = x
        else:
            g[i] = rng.uniform(0.5, span[i])
    creators = np.array(["A"] * n)
    tau, w, _ = fit_delay_mixture(g, creators, CausedClickConfig(), None, span)
    assert tau == pytest.approx(48.0, rel=0.1)
    assert w == pytest.approx(0.7, abs=0.05)
    tau0, w0, _ = fit_delay_mixture(g, creators, CausedClickConfig(span_from_previous_conversion=False))
    assert w0 > w + 0.05  # the short journeys' uncaused gaps look caused over a 720 h lookback


def test_beta_binomial_log_marginal_by_hand():
    """x = 2 of n = 2 under Beta(k·m, k·(1 − m)), m = 0.5: k = 2 (Beta(1, 1), uniform) gives
    E[π²] = 1/3; k = 6 (Beta(3, 3)) gives E[π²] = 3·4 / (6·7) = 2/7. Two creators 2/2 and 0/2 at
    k = 2: 1/3 · 1/3 = 1/9."""
    assert beta_binomial_log_marginal(np.array([2]), np.array([2]), 0.5, 2.0) == pytest.approx(math.log(1 / 3))
    assert beta_binomial_log_marginal(np.array([2]), np.array([2]), 0.5, 6.0) == pytest.approx(math.log(2 / 7))
    assert beta_binomial_log_marginal(np.array([2, 0]), np.array([2, 2]), 0.5, 2.0) == pytest.approx(math.log(1 / 9))


def test_beta_binomial_at_a_small_strength_by_hand():
    """k = 0.1, m = 0.5: a = b = 0.05. One creator x = 1 of n = 1: E[π] = a/(a + b) = 0.5.
    x = 2 of n = 2: E[π²] = a(a + 1) / ((a + b)(a + b + 1)) = 0.05·1.05 / (0.1·1.1) = 0.47727 —
    a weak prior piles its mass at 0 and 1, so two intercepts in a row are nearly as likely as
    one. (Midpoints of an even 200-cell grid give Σ mass_j v_j² = 0.47552: the cell next to 1
    holds ~half the mass and counts it at v = 0.9975, the grid error of the old code.)"""
    assert beta_binomial_log_marginal(np.array([1]), np.array([1]), 0.5, 0.1) == pytest.approx(math.log(0.5))
    assert beta_binomial_log_marginal(np.array([2]), np.array([2]), 0.5, 0.1) == pytest.approx(
        math.log(0.05 * 1.05 / (0.1 * 1.1)))
    # the quadrature of the delay weights reproduces it (likelihood v² at its nodes)
    cfg = CausedClickConfig()
    v = share_nodes(cfg)
    ll = (2 * np.log(v))[None, :]
    assert log_marginal_likelihood(ll, 0.5, 0.1, cfg) == pytest.approx(math.log(0.47727272727), abs=1e-5)
    assert log_marginal_likelihood(ll, 0.5, 6.0, cfg) == pytest.approx(math.log(2 / 7), abs=1e-9)


def test_quadrature_equals_the_exact_beta_binomial_and_converges():
    """The delay weights' quadrature, fed a binomial likelihood (x log v + (n − x) log(1 − v) at
    its nodes), equals the closed form at every strength from 0.01 to 1,000, and doubling the
    cells or the nodes per cell changes neither the value nor the chosen strength. Case: one
    coupon account 19/20, ten creators 0/5, pooled share 19/70."""
    x, n = np.r_[19.0, np.zeros(10)], np.r_[20.0, np.full(10, 5.0)]
    for cfg in (CausedClickConfig(), CausedClickConfig(prior_grid_cells=400),
                CausedClickConfig(prior_grid_nodes=8)):
        v = share_nodes(cfg)
        ll = x[:, None] * np.log(v)[None, :] + (n - x)[:, None] * np.log1p(-v)[None, :]
        for k in prior_strength_candidates(cfg)[::6]:
            assert log_marginal_likelihood(ll, 19 / 70, k, cfg) == pytest.approx(
                beta_binomial_log_marginal(x, n, 19 / 70, k), abs=1e-5)


def test_auto_strength_of_a_coupon_account_is_the_exact_one():
    """Same case: the exact beta-binomial marginal over the 61 strengths of 0.01 … 1,000 peaks
    at k = 0.1468 (the 15th, 10^(−2 + 14/12) = 10^(−0.8333); checked against scipy.special.betaln
    directly below). The delay weights' quadrature picks the same k (likelihood v for a caused-
    looking gap: e = 1, u = 0; 1 − v for an uncaused-looking one), at 200 and 400 cells."""
    from scipy.special import betaln

    x, n = np.r_[19.0, np.zeros(10)], np.r_[20.0, np.full(10, 5.0)]
    m = 19 / 70
    ks = np.geomspace(0.01, 1000.0, 61)
    exact = [(betaln(x + k * m, n - x + k * (1 - m)) - betaln(k * m, k * (1 - m))).sum() for k in ks]
    assert ks[int(np.argmax(exact))] == pytest.approx(10 ** (-2 + 14 / 12))
    cfg = CausedClickConfig()
    assert intercept_prior_strength(x, n, m, cfg) == pytest.approx(0.14678, rel=1e-4)
    e = np.r_[np.ones(19), 0.0, np.zeros(50)]
    idx = np.r_[np.zeros(20, int), np.repeat(np.arange(1, 11), 5)]
    for cells in (200, 400):
        k = delay_prior_strength(e, 1.0 - e, m, idx, 11, CausedClickConfig(prior_grid_cells=cells))
        assert k == pytest.approx(0.14678, rel=1e-4)


def test_prior_strength_follows_how_much_creators_differ():
    """Intercepts x of n session clicks. Two creators at 50/50 and 0/50 (an intercepting coupon
    account and a normal one): the marginal likelihood is largest with the least pooling, so the
    lowest strength of the range. Ten creators at 5/50 each (all alike, at the pooled 0.1): the
    most pooling, the top of the range."""
    cfg = CausedClickConfig(prior_strength_range=(0.1, 100.0))
    assert intercept_prior_strength(np.array([50, 0]), np.array([50, 50]), 0.5, cfg) == pytest.approx(0.1)
    assert intercept_prior_strength(np.full(10, 5), np.full(10, 50), 0.1, cfg) == pytest.approx(100.0)
    fixed = CausedClickConfig(prior_strength=7.0)
    assert intercept_prior_strength(np.array([50, 0]), np.array([50, 50]), 0.5, fixed) == 7.0
    assert intercept_prior_strength(np.array([], float), np.array([], float), 0.5, cfg) == pytest.approx(100.0)


def test_every_strength_ties_with_one_click_per_creator():
    """Creators with one session click each say nothing about how they differ: under any
    Beta(k·m, k·(1 − m)) one click is an intercept with probability E[π] = m, so the marginal
    likelihood is m^x (1 − m)^(1 − x) per creator for every k (1/2 · 1/2 here, m = 0.5: a
    genuine tie, not the early return for a share of 0 or 1) and the tie goes to the strongest
    pooling, the top of the range."""
    cfg = CausedClickConfig(prior_strength_range=(0.1, 100.0), prior_strength_steps=7)
    x, n = np.array([1.0, 0.0]), np.array([1.0, 1.0])
    vals = [beta_binomial_log_marginal(x, n, 0.5, k) for k in prior_strength_candidates(cfg)]
    np.testing.assert_allclose(vals, math.log(0.25), atol=1e-12)  # it is a tie
    assert intercept_prior_strength(x, n, 0.5, cfg) == pytest.approx(100.0)
    # the candidates: 7 strengths log-spaced over [0.1, 100] = 10^(−1 + j/2)
    np.testing.assert_allclose(prior_strength_candidates(cfg), 10 ** (-1 + np.arange(7) / 2))


def test_auto_pooling_lets_a_coupon_account_keep_its_intercept_share():
    """Deal creator D: 20 session clicks, 19 of them intercepts (cart 20 min before), plus one
    code-only order; ten normal creators with 5 clean session clicks each. The auto strength is
    tiny (creators differ sharply) → π_D = (19 + k·19/70)/(20 + k) ≈ 19/20, D's code p ≈ 0.05; with
    20 pseudo-clicks at the pooled share 19/70 it would be (19 + 20·19/70)/40 = 0.61 → p = 0.39."""
    t, j = [], []

    def journey(jid, conv_h, touches):
        j.append({"journey_id": jid, "user_pseudo_id": f"u{jid}", "converted": True,
                  "conversions": 1.0, "revenue": 10.0, "conversion_time": _h(conv_h)})
        for pos, (h, kind, who, cart) in enumerate(touches):
            creator = who if kind in ("click", "code") else None
            t.append({"journey_id": jid, "position": pos, "timestamp": _h(h), "touch_type": kind,
                      "entity": f"P-{who}" if creator else who, "creator_id": creator,
                      "channel": "creator" if creator else who, "had_cart": cart})

    for i in range(20):
        cart = i < 19
        journey(f"d{i}", 10 * i + 0.5, [(10 * i, "channel", "direct", cart), (10 * i + 1 / 3, "click", "D", False)])
    journey("dcode", 500.0, [(500.0, "code", "D", False)])
    for c in range(10):
        for i in range(5):
            journey(f"n{c}_{i}", 1000 + 50 * c + 5 * i + 0.2, [(1000 + 50 * c + 5 * i, "click", f"N{c}", False)])
    touches, journeys = pd.DataFrame(t), pd.DataFrame(j)
    pairs, info = caused_probability(touches, journeys, CausedClickConfig())
    p = pairs.set_index("journey_id")["p_caused"]
    assert info["intercept_share_pooled"] == pytest.approx(19 / 70)
    k = info["intercept_prior_strength"]
    # creators differ sharply: almost no pooling — the exact beta-binomial optimum over the 61
    # strengths, 10^(−0.8333) = 0.1468 (test_auto_strength_of_a_coupon_account_is_the_exact_one)
    assert k == pytest.approx(0.14678, rel=1e-4)
    assert p["dcode"] == pytest.approx(1 - (19 + k * 19 / 70) / (20 + k))
    assert p["dcode"] < 0.06
    pooled, _ = caused_probability(touches, journeys, CausedClickConfig(prior_strength=20.0))
    assert pooled.set_index("journey_id")["p_caused"]["dcode"] == pytest.approx(
        1 - (19 + 20 * 19 / 70) / 40)


def test_unknown_null_gap_and_bad_strength_name_the_conf_file():
    with pytest.raises(ValueError, match="null_gap.*parameters_attribution.yml"):
        CausedClickConfig(null_gap="uniform")
    with pytest.raises(ValueError, match="prior_strength.*'auto'"):
        CausedClickConfig(prior_strength="strong")
    with pytest.raises(ValueError, match="prior_strength_range"):
        CausedClickConfig(prior_strength_range=(10.0, 1.0))
