"""Hill formulas, the pooled fit's gradient, and what the fit recovers (roi_ml.budget.curves)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import approx_fprime

from roi_ml.budget import curves as cv
from roi_ml.budget.curves import CurveSettings, PooledHillCurves, hill_curve, hill_derivative


def test_hill_hand_values():
    # vmax 10, ec50 100, slope 2: at 100 -> 10 * 1e4 / 2e4 = 5; at 200 -> 10 * 4e4 / 5e4 = 8;
    # at 0 -> 0
    assert hill_curve(100.0, 10.0, 100.0, 2.0) == pytest.approx(5.0)
    assert hill_curve(200.0, 10.0, 100.0, 2.0) == pytest.approx(8.0)
    assert hill_curve(0.0, 10.0, 100.0, 2.0) == 0.0
    # derivative vmax * n * s^(n-1) * ec50^n / (s^n + ec50^n)^2:
    # at 100: 10 * 2 * 100 * 1e4 / (2e4)^2 = 2e7 / 4e8 = 0.05
    # at 200: 10 * 2 * 200 * 1e4 / (5e4)^2 = 4e7 / 2.5e9 = 0.016
    assert hill_derivative(100.0, 10.0, 100.0, 2.0) == pytest.approx(0.05)
    assert hill_derivative(200.0, 10.0, 100.0, 2.0) == pytest.approx(0.016)
    # slope 1 at zero spend: vmax / ec50 = 0.1; slope 2 at zero: 0
    assert hill_derivative(0.0, 10.0, 100.0, 1.0) == pytest.approx(0.1)
    assert hill_derivative(0.0, 10.0, 100.0, 2.0) == 0.0


@pytest.mark.parametrize("slope", [0.7, 1.0, 1.6, 3.0])
def test_hill_derivative_matches_finite_differences(slope):
    s = np.array([1.0, 30.0, 100.0, 250.0, 900.0])
    h = 1e-4 * s
    numeric = (hill_curve(s + h, 12.0, 120.0, slope) - hill_curve(s - h, 12.0, 120.0, slope)) / (2 * h)
    np.testing.assert_allclose(hill_derivative(s, 12.0, 120.0, slope), numeric, rtol=1e-6)


def _world(rng, n_creators=40, per_creator=3, vmax=None, ec50_ratio=2.0, slope=1.3, noise=True):
    """Creators in two tiers x two platforms; spend = deliverables x fee; y ~ Poisson(curve)."""
    tiers = np.where(np.arange(n_creators) % 2 == 0, "nano", "micro")
    plats = np.where(np.arange(n_creators) % 4 < 2, "instagram", "tiktok")
    fee = np.where(tiers == "nano", 150.0, 600.0) * rng.uniform(0.8, 1.25, n_creators)
    if vmax is None:
        vmax = np.where(tiers == "nano", 40.0, 160.0) * np.exp(rng.normal(0, 0.3, n_creators))
    rows = []
    for c in range(n_creators):
        for k in range(per_creator):
            d = rng.integers(1, 6)
            spend = d * fee[c]
            mu = hill_curve(spend, vmax[c], ec50_ratio * fee[c], slope)
            y = rng.poisson(mu) if noise else mu
            rows.append({"creator_id": f"C{c:03d}", "spend_usd": spend, "conversions": float(y),
                         "revenue": 80.0 * y, "prior_contracts": float(k), "is_awareness": False})
    creators = pd.DataFrame({"creator_id": [f"C{c:03d}" for c in range(n_creators)], "tier": tiers,
                             "platform": plats, "followers": np.where(tiers == "nano", 5e3, 5e4),
                             "spend_scale_usd": fee, "contracts_to_date": per_creator})
    return pd.DataFrame(rows), creators, vmax


def test_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    obs, creators, _ = _world(rng, n_creators=8, per_creator=2)
    obs.loc[obs.index % 3 == 0, "is_awareness"] = True
    creators["reach_per_post"] = rng.lognormal(8, 1, len(creators))   # a third level covariate
    model = PooledHillCurves(CurveSettings(n_bootstrap=0, eb_iterations=1, level_covariates=(
        "followers", "spend_scale_usd", "reach_per_post")))
    d = model._design(obs, creators)
    L = cv._Layout(d)
    theta = rng.normal(0, 0.3, L.size)
    y = obs["conversions"].to_numpy()
    s = CurveSettings()
    f = lambda t: cv._loss_grad(t, L, d, y, 1.3, 0.8, 0.1, s)[0]  # noqa: E731
    analytic = cv._loss_grad(theta, L, d, y, 1.3, 0.8, 0.1, s)[1]
    numeric = approx_fprime(theta, f, 1e-6)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-4)


def test_fit_recovers_shape_and_ranks_creators_on_clean_data():
    rng = np.random.default_rng(0)
    obs, creators, vmax = _world(rng, n_creators=60, per_creator=4, noise=False)
    m = PooledHillCurves(CurveSettings(n_bootstrap=0, tau_b=0.05)).fit(obs, creators)
    g = m.globals_
    # the world: ec50 = 2 x fee, slope 1.3, no familiarity growth
    assert g["hill_slope"] == pytest.approx(1.3, rel=0.1)
    assert g["ec50_to_price_scale"] == pytest.approx(2.0, rel=0.1)
    assert abs(g["familiarity_growth"]) < 0.02
    # vmax per creator (next contract = 5th; no growth): on noise-free data typically within
    # 5 %, every creator within 20 % (the priors pull the extremes a little toward their group)
    rel = np.abs(m.curves_["vmax_conversions"].to_numpy() / vmax - 1)
    assert np.median(rel) < 0.05 and rel.max() < 0.2
    # revenue per conversion is 80 for everyone
    np.testing.assert_allclose(m.curves_["revenue_per_conversion_usd"], 80.0, rtol=1e-6)


def test_one_contract_creator_is_pulled_toward_its_group():
    """A nano creator whose single contract converted 4x its group's level ends up between
    its own level and the group's (partial pooling), nearer its own the more it converted."""
    rng = np.random.default_rng(1)
    obs, creators, _ = _world(rng, n_creators=40, per_creator=3, vmax=np.where(
        np.arange(40) % 2 == 0, 40.0, 160.0))
    extra = pd.DataFrame({"creator_id": ["NEW"], "tier": ["nano"], "platform": ["instagram"],
                          "followers": [5e3], "spend_scale_usd": [150.0], "contracts_to_date": [1]})
    spend = 2 * 150.0
    group_level = hill_curve(spend, 40.0, 300.0, 1.3)  # what a typical nano creator converts
    one = pd.DataFrame({"creator_id": ["NEW"], "spend_usd": [spend], "conversions": [4 * group_level],
                        "revenue": [80 * 4 * group_level], "prior_contracts": [0.0], "is_awareness": [False]})
    m = PooledHillCurves(CurveSettings(n_bootstrap=0)).fit(
        pd.concat([obs, one], ignore_index=True), pd.concat([creators, extra], ignore_index=True))
    c = m.curves_.set_index("creator_id").loc["NEW"]
    fitted_at_spend = hill_curve(spend, c["vmax_conversions"], c["ec50_usd"], c["hill_slope"])
    assert group_level * 1.2 < fitted_at_spend < 4 * group_level * 0.98
    assert c["curve_basis"] == "fitted"


def test_creator_without_history_gets_its_prior_curve():
    rng = np.random.default_rng(2)
    obs, creators, _ = _world(rng, n_creators=30, per_creator=2)
    new = pd.DataFrame({"creator_id": ["NOHIST"], "tier": ["micro"], "platform": ["tiktok"],
                        "followers": [5e4], "spend_scale_usd": [600.0], "contracts_to_date": [0]})
    m = PooledHillCurves(CurveSettings(n_bootstrap=5)).fit(obs, pd.concat([creators, new], ignore_index=True))
    c = m.curves_.set_index("creator_id")
    row = c.loc["NOHIST"]
    assert row["curve_basis"] == "prior"
    assert row["vmax_conversions"] == pytest.approx(row["prior_vmax_conversions"], rel=1e-3)
    # its prior sits with the micro creators, well above the nano ones (4x in this world)
    micro = c[(c["curve_basis"] == "fitted") & (creators.set_index("creator_id")["tier"]
                                                 .reindex(c.index) == "micro")]
    nano = c[(c["curve_basis"] == "fitted") & (creators.set_index("creator_id")["tier"]
                                                .reindex(c.index) == "nano")]
    assert nano["vmax_conversions"].median() < row["vmax_conversions"]
    assert row["vmax_conversions"] == pytest.approx(micro["vmax_conversions"].median(), rel=0.5)
    assert m.draws_["vmax_conversions"].shape == (5, len(c))


def test_flat_data_all_zero_conversions_gives_zero_curves():
    rng = np.random.default_rng(4)
    obs, creators, _ = _world(rng, n_creators=6, per_creator=2)
    obs["conversions"] = 0.0
    obs["revenue"] = 0.0
    m = PooledHillCurves(CurveSettings(n_bootstrap=3)).fit(obs, creators)
    assert np.all(np.isfinite(m.curves_["ec50_usd"]))
    assert m.curves_["vmax_revenue_usd"].max() < 1e-3
    assert np.all(m.draws_["vmax_conversions"] < 1e-3)


def test_flat_data_identical_spend_stays_finite_and_matches_the_level():
    """Every contract at the same spend: the shape comes from the priors, the level from the data."""
    rng = np.random.default_rng(5)
    obs, creators, _ = _world(rng, n_creators=20, per_creator=2)
    obs["spend_usd"] = 500.0
    obs["conversions"] = 10.0
    obs["revenue"] = 800.0
    m = PooledHillCurves(CurveSettings(n_bootstrap=0)).fit(obs, creators)
    c = m.curves_
    assert np.all(np.isfinite(c[["vmax_conversions", "ec50_usd", "hill_slope"]].to_numpy()))
    # everyone converted 10 at 500 USD: the fitted curves pass near 10 there (next contract
    # is the 3rd; familiarity growth is estimated ~0 from equal counts)
    at_500 = hill_curve(500.0, c["vmax_conversions"], c["ec50_usd"], c["hill_slope"])
    np.testing.assert_allclose(at_500, 10.0, rtol=0.1)


def test_missing_column_is_named():
    rng = np.random.default_rng(6)
    obs, creators, _ = _world(rng, n_creators=4, per_creator=1)
    with pytest.raises(ValueError, match="spend_scale_usd"):
        PooledHillCurves().fit(obs, creators.drop(columns=["spend_scale_usd"]))
    with pytest.raises(ValueError, match="spend_usd must be > 0"):
        PooledHillCurves().fit(obs.assign(spend_usd=0.0), creators)


def test_log_covariate_is_centred_on_its_median_and_missing_is_neutral():
    # logs of the usable values 100, 1,000, 10,000 → median log(1,000); centred: log 0.1, 0,
    # log 10 = −2.302585, 0, 2.302585; NaN and a negative value carry no information → 0
    cr = pd.DataFrame({"x": [100.0, 1000.0, 10000.0, np.nan, -5.0]})
    z = PooledHillCurves._log_covariate(cr, "x")
    np.testing.assert_allclose(z, [-2.302585, 0.0, 2.302585, 0.0, 0.0], atol=1e-6)
    with pytest.raises(ValueError, match=r"level covariate column 'clicks'.*level_covariates"):
        PooledHillCurves._log_covariate(cr, "clicks")


def test_exposure_covariate_sets_the_prior_of_a_creator_without_history():
    """Noise-free world where vmax = 40 · (clicks per post / 20)^0.8 inside one tier × platform
    cell: the fitted slope of log clicks is ≈ 0.8, and a creator without history clicking twice
    the median (40 a post) gets the prior vmax 40 · 2^0.8 = 69.6 (at its next contract)."""
    rng = np.random.default_rng(5)
    n = 60
    clicks = 20.0 * np.exp(rng.normal(0, 0.6, n))
    clicks *= 20.0 / np.median(clicks)                     # median exactly 20
    vmax = 40.0 * (clicks / 20.0) ** 0.8
    fee = np.full(n, 200.0)
    rows = []
    for c in range(n):
        for k in range(3):
            spend = (1 + (c + k) % 4) * fee[c]
            rows.append({"creator_id": f"C{c:03d}", "spend_usd": spend,
                         "conversions": float(hill_curve(spend, vmax[c], 2 * fee[c], 1.3)),
                         "revenue": 0.0, "prior_contracts": 0.0, "is_awareness": False})
    creators = pd.DataFrame({"creator_id": [f"C{c:03d}" for c in range(n)] + ["NEW"],
                             "tier": "nano", "platform": "instagram", "followers": 5e3,
                             "spend_scale_usd": 200.0, "contracts_to_date": 0,
                             "clicks_per_post": [*clicks, 40.0]})
    s = CurveSettings(n_bootstrap=0, tau_b=0.05, familiarity_prior_sd=0.01,
                      level_covariates=("followers", "spend_scale_usd", "clicks_per_post"))
    m = PooledHillCurves(s).fit(pd.DataFrame(rows), creators)
    beta = m.theta_[m._L.slices["beta"]]
    assert beta[2] == pytest.approx(0.8, abs=0.08)
    new = m.curves_.set_index("creator_id").loc["NEW"]
    assert new["curve_basis"] == "prior"
    assert new["vmax_conversions"] == pytest.approx(40.0 * 2 ** 0.8, rel=0.1)
