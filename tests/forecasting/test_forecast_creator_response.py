"""The creator response regressor (roi_ml.forecasting.creator_response) and the CV interval
calibration, on hand-computed cases (docs/metrics.md, "Creator response regressor")."""

import numpy as np
import pandas as pd
import pytest

from roi_ml.forecasting import cv as fcv
from roi_ml.forecasting.creator_response import (
    campaign_weights,
    contract_weights,
    creator_and_objective_rates,
    creator_rates,
    creator_regressor,
    creator_response_series,
    objective_factors,
    projection_error,
    realised_response,
    response_kernel,
)
from roi_ml.forecasting.metrics import interval_scale_needed, scale_interval
from roi_ml.forecasting.model import ProphetSpec, SeriesForecast
from roi_ml.inputs import InputError

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
    # the joint fit's rounds: the shipped 1 wherever a caller leaves them out
    rounds = {inspect.signature(f).parameters[k].default
              for f, k in ((creator_and_objective_rates, "rounds"),
                           (creator_regressor, "objective_rounds"))}
    assert rounds == {conf["objective_rounds"]} == {1}


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


def test_objective_factors_and_rates_without_the_objective_by_hand():
    # κ = 0.5, 0.3, 0.2 (K = 0.5, 0.8, 1.0), origin Jan 10, m = 100 USD, min developed 0.6.
    # B1 (X, awareness, Jan 1, K 1): spend 100, response 5 → ultimate 5
    # B2 (Y, conversion, Jan 9, K 0.8): spend 100, response 12 → ultimate 15
    # B3 (Y, conversion, Jan 2, K 1): spend 200, response 20 → ultimate 20
    # B4 (Y, no objective, Jan 10, K 0.5 < 0.6): left out
    # B5 (Y, no objective, Jan 1, K 1): spend 100, response 30 → ultimate 30 (in ρ, in no f_o)
    # ρ = 70 / 500 = 0.14
    # f_awareness  = ((5 + 100·0.14) / (100 + 100)) / 0.14 = 0.095 / 0.14 = 19/28
    # f_conversion = ((35 + 14) / (300 + 100)) / 0.14 = 0.1225 / 0.14 = 7/8
    # rates with the objective taken out (spend counted as f_o · spend, 1 without objective):
    #   ρ_X = (5 + 14) / (19/28·100 + 100) = 19 / (4700/28);
    #   ρ_Y = (65 + 14) / (7/8·300 + 100 + 100) = 79 / 462.5
    # without factors: ρ_X = 19 / 200, ρ_Y = 79 / 500
    kappa = np.array([0.5, 0.3, 0.2])
    spend = pd.DataFrame({"post_id": ["B1", "B2", "B3", "B4", "B5"],
                          "creator_id": ["X", "Y", "Y", "Y", "Y"],
                          "date": [D("2026-01-01"), D("2026-01-09"), D("2026-01-02"), D("2026-01-10"),
                                   D("2026-01-01")],
                          "spend_usd": [100.0, 100.0, 200.0, 500.0, 100.0],
                          "objective": pd.array(["awareness", "conversion", "conversion", None, None],
                                                dtype="str")})
    daily = pd.DataFrame({"post_id": ["B1", "B2", "B3", "B4", "B5"],
                          "date": [D("2026-01-03"), D("2026-01-09"), D("2026-01-05"), D("2026-01-10"),
                                   D("2026-01-02")],
                          "conversions": [5.0, 12.0, 20.0, 9.0, 30.0]})
    f = objective_factors(daily, spend, D("2026-01-10"), kappa, 100.0, 0.6)
    assert f.to_dict() == pytest.approx({"awareness": 19 / 28, "conversion": 7 / 8})
    rho, rates = creator_rates(daily, spend, D("2026-01-10"), kappa, 100.0, 0.6, factors=f)
    assert rho == pytest.approx(0.14)
    assert rates["X"] == pytest.approx(19 / (4700 / 28)) and rates["Y"] == pytest.approx(79 / 462.5)
    _, plain = creator_rates(daily, spend, D("2026-01-10"), kappa, 100.0, 0.6)
    assert plain["X"] == pytest.approx(19 / 200) and plain["Y"] == pytest.approx(79 / 500)
    # one round of the joint fit is exactly these two steps
    rho1, rates1, f1 = creator_and_objective_rates(daily, spend, D("2026-01-10"), kappa, 100.0,
                                                   0.6, rounds=1)
    assert rho1 == pytest.approx(0.14)
    assert f1.to_dict() == pytest.approx(f.to_dict())
    assert rates1.to_dict() == pytest.approx(rates.to_dict())
    # a contract's weight is ρ_c · f_o / ρ: K1 (X on an awareness campaign); K2 (Z, no rate: ρ)
    # on a conversion campaign 7/8; K3 (Y) on a campaign whose objective has no factor
    # ("reach": never seen) or none at all: ρ_Y / ρ
    campaigns = pd.DataFrame({"campaign_id": ["CA", "CC", "CR", "CN"],
                              "objective": pd.array(["awareness", "conversion", "reach", None],
                                                    dtype="str")})
    contracts = pd.DataFrame({"contract_id": ["K1", "K2", "K3", "K4"],
                              "creator_id": ["X", "Z", "Y", "Y"],
                              "campaign_id": ["CA", "CC", "CR", "CN"]})
    w = contract_weights(contracts, rates, rho, campaign_weights(campaigns, f))
    rx, ry = 19 / (4700 / 28), 79 / 462.5
    assert w.to_dict() == pytest.approx({"K1": rx * (19 / 28) / 0.14, "K2": 7 / 8,
                                         "K3": ry / 0.14, "K4": ry / 0.14})
    # the budget not contracted yet weighs its campaign's factor (1 without one)
    assert campaign_weights(campaigns, f).to_dict() == pytest.approx(
        {"CA": 19 / 28, "CC": 7 / 8, "CR": 1.0, "CN": 1.0})
    assert campaign_weights(campaigns, None).to_dict() == {"CA": 1.0, "CC": 1.0, "CR": 1.0,
                                                            "CN": 1.0}
    # no objective column: no factors (every weight as before)
    assert objective_factors(daily, spend.drop(columns="objective"), D("2026-01-10"), kappa,
                             100.0, 0.6).empty
    assert creator_and_objective_rates(daily, spend.drop(columns="objective"), D("2026-01-10"),
                                       kappa, 100.0, 0.6)[2] is None


def _mature(rows):
    """post_spend and post_daily of posts published Jan 1, all response on Jan 2 (mature by
    Jan 10 with κ = 0.5, 0.3, 0.2): rows of (post_id, creator, objective, spend, response)."""
    spend = pd.DataFrame({"post_id": [r[0] for r in rows], "creator_id": [r[1] for r in rows],
                          "date": D("2026-01-01"), "spend_usd": [float(r[3]) for r in rows],
                          "objective": pd.array([r[2] for r in rows], dtype="str")})
    daily = pd.DataFrame({"post_id": [r[0] for r in rows], "date": D("2026-01-02"),
                          "conversions": [float(r[4]) for r in rows]})
    return spend, daily


def test_creator_and_objective_rates_two_rounds_by_hand():
    # m = 0. X: awareness 100 USD → 5, conversion 100 → 15; Y: conversion 200 → 20. ρ = 40/400 = 0.1
    # round 1: f_aw = (5/100)/0.1 = 0.5, f_cv = (35/300)/0.1 = 7/6;
    #          ρ_X = 20 / (0.5·100 + 7/6·100) = 0.12, ρ_Y = 20 / (7/6·200) = 3/35
    # round 2: spend weighed by ρ_c/ρ (X 1.2, Y 6/7): f_aw = (5/120)/0.1 = 5/12,
    #          f_cv = (35 / (120 + 6/7·200))/0.1 = 245/204;
    #          ρ_X = 20 / (5/12·100 + 245/204·100) = 34/275, ρ_Y = 20 / (245/204·200) = 102/1225
    spend, daily = _mature([("P1", "X", "awareness", 100, 5), ("P2", "X", "conversion", 100, 15),
                            ("P3", "Y", "conversion", 200, 20)])
    kappa = np.array([0.5, 0.3, 0.2])
    rho, rates, f = creator_and_objective_rates(daily, spend, D("2026-01-10"), kappa, 0.0, 0.6,
                                                rounds=1)
    assert rho == pytest.approx(0.1)
    assert f.to_dict() == pytest.approx({"awareness": 0.5, "conversion": 7 / 6})
    assert rates.to_dict() == pytest.approx({"X": 0.12, "Y": 3 / 35})
    _, rates, f = creator_and_objective_rates(daily, spend, D("2026-01-10"), kappa, 0.0, 0.6,
                                              rounds=2)
    assert f.to_dict() == pytest.approx({"awareness": 5 / 12, "conversion": 245 / 204})
    assert rates.to_dict() == pytest.approx({"X": 34 / 275, "Y": 102 / 1225})
    # the same second-round factors from objective_factors given the first round's rates
    f2 = objective_factors(daily, spend, D("2026-01-10"), kappa, 0.0, 0.6,
                           rates=pd.Series({"X": 0.12, "Y": 3 / 35}))
    assert f2.to_dict() == pytest.approx({"awareness": 5 / 12, "conversion": 245 / 204})
    with pytest.raises(ValueError, match="objective_rounds"):
        creator_and_objective_rates(daily, spend, D("2026-01-10"), kappa, 0.0, 0.6, rounds=0)


@pytest.mark.parametrize("awareness_effect", [1.0, 0.5])
def test_joint_fit_tells_creators_and_objectives_apart(awareness_effect):
    # A (0.05 conversions per dollar) works mostly awareness campaigns, B (0.15) mostly
    # conversion ones; an awareness campaign multiplies a creator's rate by `awareness_effect`.
    # Factors from the objectives' own spend blame awareness for A (and credit conversion for
    # B); fitted together, ρ_c · f_o is each creator's true rate on each objective.
    true = {"A": 0.05, "B": 0.15}
    rows = []
    for i, (c, obj) in enumerate([("A", "awareness")] * 3 + [("A", "conversion")]
                                 + [("B", "awareness")] + [("B", "conversion")] * 3):
        rate = true[c] * (awareness_effect if obj == "awareness" else 1.0)
        rows.append((f"P{i}", c, obj, 100, 100 * rate))
    spend, daily = _mature(rows)
    kappa = np.array([0.5, 0.3, 0.2])

    def implied(rounds):
        _, rates, f = creator_and_objective_rates(daily, spend, D("2026-01-10"), kappa, 0.0, 0.6,
                                                  rounds=rounds)
        return {(c, o): rates[c] * f[o] for c in true for o in ("awareness", "conversion")}

    want = {(c, o): true[c] * (awareness_effect if o == "awareness" else 1.0)
            for c in true for o in ("awareness", "conversion")}
    assert implied(50) == pytest.approx(want, rel=1e-3)
    one = implied(1)
    assert abs(one[("B", "awareness")] - want[("B", "awareness")]) > 0.1 * want[("B", "awareness")]


def test_creator_regressor_projects_a_plan_at_its_campaigns_objective():
    # One creator X: an awareness post (CA, Jan 1, 100 USD) brought 2 + 2 conversions, a
    # conversion post (CC, Jan 5, 100 USD) 8 + 8 (κ = 0.5, 0.5 from them; max age 2 days).
    # ρ = 20 / 200 = 0.1, m = 0: f_aw = (4/100)/0.1 = 0.4, f_cv = (16/100)/0.1 = 1.6,
    # ρ_X = 20 / (0.4·100 + 1.6·100) = 0.1 (one creator: the same every round).
    # X's signed contract on the awareness campaign CF, 1 deliverable of 100 USD launching Jan 22,
    # is projected at ρ_X · f_aw = 0.04 per dollar: 4 conversions, 2 on Jan 22 and 2 on Jan 23;
    # without the objective at ρ_X = 0.1: 5 and 5
    campaigns = pd.DataFrame({
        "campaign_id": ["CA", "CC", "CF"],
        "objective": pd.array(["awareness", "conversion", "awareness"], dtype="str"),
        "start_date": pd.to_datetime(["2026-01-01", "2026-01-05", "2026-01-21"]),
        "end_date": pd.to_datetime(["2026-01-10", "2026-01-12", "2026-01-31"]),
        "planned_budget_usd": [100.0, 100.0, 100.0], "planned_daily_spend_usd": [None, None, None]})
    contracts = pd.DataFrame({
        "contract_id": ["KA", "KC", "KF"], "campaign_id": ["CA", "CC", "CF"],
        "creator_id": ["X", "X", "X"], "fee_usd": [100.0, 100.0, 100.0],
        "product_cost_usd": [0.0, 0.0, 0.0], "management_overhead_usd": [0.0, 0.0, 0.0],
        "deliverables_committed": pd.array([1, 1, 1], dtype="Int64"),
        "deliverables_delivered": pd.array([1, 1, 0], dtype="Int64"),
        "signed_date": pd.to_datetime(["2025-12-20", "2025-12-20", "2026-01-15"]),
        "planned_launch_date": pd.to_datetime(["2026-01-01", "2026-01-05", "2026-01-22"])})
    posts = pd.DataFrame({
        "post_id": ["PA", "PC"], "contract_id": ["KA", "KC"], "creator_id": ["X", "X"],
        "campaign_id": ["CA", "CC"], "platform": ["x", "x"],
        "published_at": pd.to_datetime(["2026-01-01 12:00", "2026-01-05 12:00"]).tz_localize("UTC"),
        "due_date": pd.to_datetime(["2026-01-01", "2026-01-05"])})
    response = pd.DataFrame({"post_id": ["PA", "PA", "PC", "PC"],
                             "date": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-05",
                                                     "2026-01-06"]),
                             "conversions": [2.0, 2.0, 8.0, 8.0], "revenue": [0.0] * 4})
    days = pd.date_range("2026-01-01", "2026-01-25")

    def regressor(by_objective):
        return creator_regressor(response, posts, contracts, campaigns, D("2026-01-20"), days, 5,
                                 "conversions", 2, 0.0, 0.3, by_objective=by_objective)

    on, off = regressor(True), regressor(False)
    history = np.zeros(20)
    history[[0, 1, 4, 5]] = [2, 2, 8, 8]
    np.testing.assert_allclose(on, np.r_[history, [0, 2, 2, 0, 0]])
    np.testing.assert_allclose(off, np.r_[history, [0, 5, 5, 0, 0]])
    # a campaign plan without an objective column: as without the objective
    np.testing.assert_allclose(creator_regressor(response, posts, contracts,
                                                 campaigns.drop(columns="objective"),
                                                 D("2026-01-20"), days, 5, "conversions", 2,
                                                 0.0, 0.3), off)


def test_open_post_prior_at_its_objective_factor():
    # as test_series_observed_then_projected_by_hand, Q1 now on an awareness campaign with
    # f = 0.5: prior = ρ_X 0.1 × 0.5 × 100 USD = 5; remaining = 0.2 × (6 + 0.2 × 5) = 1.4 on Jan 11
    kappa = np.array([0.5, 0.3, 0.2])
    days = pd.date_range("2026-01-08", "2026-01-13")
    daily = pd.DataFrame({"post_id": ["Q1", "Q1"], "date": [D("2026-01-09"), D("2026-01-10")],
                          "conversions": [4.0, 2.0]})
    spend = pd.DataFrame({"post_id": ["Q1"], "creator_id": ["X"], "date": [D("2026-01-09")],
                          "spend_usd": [100.0], "objective": pd.array(["awareness"], dtype="str")})
    plan = np.array([0, 0, 0, 0, 50.0, 0])
    x = creator_response_series(daily, spend, days, D("2026-01-10"), plan, kappa, 0.04,
                                pd.Series({"X": 0.1}), factors=pd.Series({"awareness": 0.5}))
    np.testing.assert_allclose(x, [0, 4, 2, 1.4, 1.0, 0.6])


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
    np.testing.assert_allclose(lo, [15, 25])
    np.testing.assert_allclose(hi, [35, 65])
    # sqrt transform: the bounds are squared back (15² = 225, 35² = 1225 on day 1)
    lo, hi = regressor_uncertainty_bounds(fc, 1, np.array([0.5, 1.5]),
                                          ProphetSpec(transform="sqrt"), 0.8)
    np.testing.assert_allclose([lo[0], hi[0]], [225, 1225])
    # no ratio: Prophet's own bounds
    lo, hi = regressor_uncertainty_bounds(fc, 1, np.array([]), ProphetSpec(), 0.8)
    np.testing.assert_allclose(lo, [25, 45])


def test_projection_error_by_hand():
    # projected 1, 2, 1 (Σ 4), realised 2, 2, 0 (Σ 4): r = 1;
    # φ = ((2 − 1)² + (2 − 2)² + (0 − 1)²) / 4 = 0.5
    assert projection_error(np.array([1.0, 2, 1]), np.array([2.0, 2, 0])) == (1.0, 0.5)
    # realised 3, 6, 3 = 1.5 × projected: r = 1.5, no scatter around r·x
    assert projection_error(np.array([1.0, 2, 1]), np.array([1.5, 3, 1.5])) == (1.5, 0.0)
    # nothing projected: undefined
    r, phi = projection_error(np.zeros(3), np.ones(3))
    assert np.isnan(r) and np.isnan(phi)
    with pytest.raises(ValueError, match="lengths"):
        projection_error(np.ones(2), np.ones(3))


def test_realised_response_of_some_posts_by_day():
    pr = pd.DataFrame({"post_id": pd.array(["P1", "P2", "P1", "P3"], dtype="string"),
                       "date": [D("2026-01-01"), D("2026-01-01"), D("2026-01-03"),
                                D("2026-01-02")],
                       "conversions": [1.0, 2, 4, 8], "revenue": [10.0, 20, 40, 80]})
    days = pd.date_range("2026-01-01", periods=3)
    np.testing.assert_allclose(realised_response(pr, None, days), [3, 8, 4])
    np.testing.assert_allclose(realised_response(pr, pd.Index(["P1"]), days, "revenue"),
                               [10, 0, 40])


def test_regressor_error_draws_take_a_folds_ratio_and_scatter_together():
    from roi_ml.forecasting.model import regressor_error_draws

    x = np.array([4.0, 9.0])
    rng = np.random.default_rng(0)
    # ratios only: every draw is (r − 1)·x for r = 0.5 or 2 → −2, −4.5 or 4, 9
    d = regressor_error_draws(x, np.array([0.5, 2.0]), None, 200, rng)
    assert set(map(tuple, d.T.round(9))) == {(-2.0, -4.5), (4.0, 9.0)}
    # fold 0: r 0.5, φ 0 (exact); fold 1: r 1.5, φ 100 (scattered around 0.5·x): the exact
    # draws are fold 0's, never fold 1's ratio without its scatter
    d = regressor_error_draws(x, np.array([0.5, 1.5]), np.array([0.0, 100.0]), 400, rng)
    exact = np.all(np.isclose(d, (-0.5 * x)[:, None]), axis=0)
    assert 100 < exact.sum() < 300
    assert not np.any(np.all(np.isclose(d, (0.5 * x)[:, None]), axis=0))
    # the scatter of fold 1 around its level: sd √(φ·x) = √400 = 20 and √900 = 30
    scatter = d[:, ~exact] - (0.5 * x)[:, None]
    np.testing.assert_allclose(scatter.std(axis=1), [20, 30], rtol=0.15)
    # a fold with a non-finite ratio or dispersion is left out; none left: zeros
    d = regressor_error_draws(x, np.array([np.nan, 2.0]), np.array([0.0, np.nan]), 5, rng)
    np.testing.assert_array_equal(d, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="dispersions"):
        regressor_error_draws(x, np.array([1.0, 2.0]), np.array([1.0]), 5, rng)


class _ManyDrawsModel(_LinearModel):
    uncertainty_samples = 40_000


def test_regressor_uncertainty_bounds_with_day_scatter_by_hand():
    from roi_ml.forecasting.model import regressor_uncertainty_bounds

    # one future day, regressor 10: yhat 25, β = 2. One fold, r = 1 and φ = 3.6: the error is
    # N(0, √(3.6 · 10) = 6), yhat + 2·error ~ N(25, 12); 80 % interval 25 ± 1.2816 · 12
    frame = pd.DataFrame({"date": pd.date_range("2026-01-01", periods=2), "yhat": [5.0, 25],
                          "yhat_lower": [5.0, 25], "yhat_upper": [5.0, 25]})
    fc = SeriesForecast(frame, "prophet", _ManyDrawsModel(), 1.0, np.array([0.0, 10.0]))
    lo, hi = regressor_uncertainty_bounds(fc, 1, np.array([1.0]), ProphetSpec(), 0.8,
                                          dispersions=np.array([3.6]))
    np.testing.assert_allclose([lo[0], hi[0]], [25 - 1.2816 * 12, 25 + 1.2816 * 12], rtol=0.02)
    # without the dispersion the single ratio 1 adds nothing: the point itself
    lo, hi = regressor_uncertainty_bounds(fc, 1, np.array([1.0]), ProphetSpec(), 0.8)
    np.testing.assert_allclose([lo[0], hi[0]], [25, 25])


def test_planned_post_ids_follow_the_plan_of_the_origin():
    from roi_ml.forecasting.series import planned_post_ids

    # origin Mar 1 (UTC day). Campaigns A, B, C run to Apr 30 (budgets 500, 300, 700); E ran
    # Jan 20 - Feb 20 (budget 100). Contract costs (fee + product + overhead):
    # C1 (A) 500, signed Feb 1; C2 (A) 200, signed Mar 10; C3 (B) 300, signed Mar 5;
    # C4 (C) 300, signed Mar 10; C5 (E) 100, signed Feb 1; C6 (C) 400, no signed date (counts
    # as signed). E, the only campaign ended by Mar 1, contracted all its budget: factor 1.
    # Open budget on Mar 1: A 500 - 500 = 0, B 300 (no contract yet), C 700 - 400 = 300.
    # P1: C2, published Feb 20 (published by the origin: planned)
    # P2: C1, published Mar 5 (contract signed by the origin, A still running: planned)
    # P3: C2, published Mar 15 (A's budget was all contracted: C2 was not in the plan)
    # P4: C3, published Mar 20 (B's open budget: planned)
    # P5: C4, published Mar 20 (C's open 300: the contract signed to spend it is planned)
    # P6: C5, published Mar 8 (E had ended: the plan projects nothing for it)
    # P7: C6, published Mar 20 (no signed date = signed, C running: planned)
    # P8: C4, published Mar 1 23:30 in New York = Mar 2 04:30 UTC: after the origin day, C4's
    #     post is planned through C's open budget
    # P9: C4, published Mar 1 23:30 UTC: on the origin day, published by then
    # P10: no contract, campaign C, published Mar 20: planned through C's open budget
    posts = pd.DataFrame({
        "post_id": [f"P{i}" for i in range(1, 11)],
        "contract_id": pd.array(["C2", "C1", "C2", "C3", "C4", "C5", "C6", "C4", "C4", None],
                                dtype="string"),
        "campaign_id": ["A", "A", "A", "B", "C", "E", "C", "C", "C", "C"],
        "published_at": pd.to_datetime([
            "2026-02-20 10:00", "2026-03-05 10:00", "2026-03-15 10:00", "2026-03-20 10:00",
            "2026-03-20 10:00", "2026-03-08 10:00", "2026-03-20 10:00", "2026-03-02 04:30",
            "2026-03-01 23:30", "2026-03-20 10:00"]).tz_localize("UTC")
        .tz_convert("America/New_York")})  # P8 is Mar 1 23:30 local: the UTC day must be used
    contracts = pd.DataFrame({"contract_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
                              "campaign_id": ["A", "A", "B", "C", "E", "C"],
                              "fee_usd": [450.0, 200.0, 300.0, 300.0, 90.0, 400.0],
                              "product_cost_usd": [50.0, 0.0, 0.0, 0.0, 10.0, 0.0],
                              "signed_date": pd.to_datetime(["2026-02-01", "2026-03-10",
                                                             "2026-03-05", "2026-03-10",
                                                             "2026-02-01", None])})
    campaigns = pd.DataFrame({"campaign_id": ["A", "B", "C", "E"],
                              "start_date": pd.to_datetime(["2026-02-01", "2026-03-15",
                                                            "2026-02-15", "2026-01-20"]),
                              "end_date": pd.to_datetime(["2026-04-30"] * 3 + ["2026-02-20"]),
                              "planned_budget_usd": [500.0, 300.0, 700.0, 100.0]})
    ids = planned_post_ids(posts, contracts, campaigns, D("2026-03-01"))
    order = lambda ids: sorted(ids, key=lambda p: int(p[1:]))  # noqa: E731
    assert order(ids) == ["P1", "P2", "P4", "P5", "P7", "P8", "P9", "P10"]
    # E contracted only half its budget (C5 costs 50): campaigns contract half of theirs, so C's
    # open budget is 0.5 × 700 - 400 < 0 and B's 150: C4's later posts and P10 drop out
    half = contracts.assign(fee_usd=contracts["fee_usd"].where(contracts["contract_id"] != "C5", 40.0))
    assert order(planned_post_ids(posts, half, campaigns, D("2026-03-01"))) == \
        ["P1", "P2", "P4", "P7", "P9"]
    # without a budget (no planned budget, no daily spend) nothing is budgeted: P4 drops out
    no_plan = campaigns.drop(columns="planned_budget_usd")
    assert "P4" not in planned_post_ids(posts, contracts, no_plan, D("2026-03-01"))
    # on Apr 1 all ten are published: all planned
    assert len(planned_post_ids(posts, contracts, campaigns, D("2026-04-01"))) == 10
    with pytest.raises(InputError, match="campaigns: missing column"):
        planned_post_ids(posts, contracts, campaigns.drop(columns="end_date"), D("2026-03-01"))


def test_cv_full_coverage_draws_only_from_folds_ended_by_the_origin(monkeypatch):
    # A stand-in Prophet (yhat = 5 + 2·x, no noise of its own, so its own interval is the
    # point) on the fold that trains on 8 days: horizon 2 with projected regressor 10 and 20
    # → yhat 25 and 45. Folds whose horizon had ended by day 8 (k + 2 <= 8): 5 and 6, ratios
    # 0.5 and 1.5 → [15, 35] and [25, 65] (test above). This fold's own ratio (8) and a later
    # fold's (10), 9.0 each, must not be drawn (either would lift day 2's upper bound to
    # 45 + 2·8·20 = 365).
    def fake_forecast(hist_dates, y, spend, horizon, spec, *args):
        dates = pd.date_range(hist_dates[0], periods=len(hist_dates) + horizon)
        yhat = 5.0 + 2.0 * np.asarray(spend, dtype="float64")
        frame = pd.DataFrame({"date": dates, "yhat": yhat, "yhat_lower": yhat - 1e-9,
                              "yhat_upper": yhat + 1e-9})
        return SeriesForecast(frame, "prophet", _LinearModel(), 1.0, np.asarray(spend, float))

    monkeypatch.setattr(fcv, "prophet_forecast", fake_forecast)
    dates = pd.date_range("2026-01-01", periods=10)
    y = np.r_[np.arange(8.0), 30.0, 100.0]
    x = np.r_[np.zeros(8), 10.0, 20.0]
    spec = ProphetSpec(regressor="creator_response")
    errors = fcv.FoldRegressorErrors({5: 0.5, 6: 1.5, 8: 9.0, 10: 9.0})
    run = lambda e: fcv.cross_validate(dates, y, x, spec, 2, [8], None, 365, 0.8, 50,  # noqa: E731
                                       fold_spend={8: x}, regressor_errors=e)
    # day 1: 30 in [15, 35]; day 2: 100 above 65 → 0.5 (both targets: nothing left out)
    res = run(errors)
    assert (res.full_coverage, res.full_coverage_all_days) == (0.5, 0.5)
    # 50 of day 2's 100 came from posts outside the plan: the plan's target 50 is inside
    # [25, 65] → 1.0 (a sign slip, 150, would stay outside); all days still 0.5
    errors.unplanned = {8: np.array([0.0, 50.0])}
    res = run(errors)
    assert (res.full_coverage, res.full_coverage_all_days) == (1.0, 0.5)
    # no fold had ended by the origin (only this one and a later one): nan, not Prophet's
    # own interval scored instead
    res = run(fcv.FoldRegressorErrors({8: 0.5, 10: 1.5}))
    assert np.isnan(res.full_coverage) and np.isnan(res.full_coverage_all_days)
    # without regressor errors the figure is not computed
    res = fcv.cross_validate(dates, y, x, spec, 2, [8], None, 365, 0.8, 50, fold_spend={8: x})
    assert np.isnan(res.full_coverage)


def test_fold_errors_known_by_an_origin():
    e = fcv.FoldRegressorErrors({10: 1.1, 20: np.nan, 30: 1.3, 40: 1.4},
                                {10: 2.0, 20: 3.0, 30: np.nan, 40: 5.0})
    # origin 40, horizon 10: folds 10, 20, 30 ended; 20 (ratio nan) and 30 (dispersion nan) out
    r, phi = e.known_by(40, 10)
    np.testing.assert_array_equal(r, [1.1])
    np.testing.assert_array_equal(phi, [2.0])
    r, phi = fcv.FoldRegressorErrors({10: 1.1, 30: 1.3}).known_by(40, 10)
    np.testing.assert_array_equal(r, [1.1, 1.3])
    assert phi is None


def test_creator_regressor_before_any_post_is_zero_not_an_error():
    # a programme whose first contract is signed but nothing is published yet: no response per
    # dollar can be learnt (ρ = 0), the kernel falls back, the regressor is 0 throughout
    campaigns = pd.DataFrame({"campaign_id": ["CF"], "objective": pd.array(["awareness"], dtype="str"),
                              "start_date": pd.to_datetime(["2026-01-21"]),
                              "end_date": pd.to_datetime(["2026-01-31"]),
                              "planned_budget_usd": [100.0], "planned_daily_spend_usd": [None]})
    contracts = pd.DataFrame({"contract_id": ["KF"], "campaign_id": ["CF"], "creator_id": ["X"],
                              "fee_usd": [100.0], "product_cost_usd": [0.0],
                              "management_overhead_usd": [0.0],
                              "deliverables_committed": pd.array([1], dtype="Int64"),
                              "deliverables_delivered": pd.array([0], dtype="Int64"),
                              "signed_date": pd.to_datetime(["2026-01-15"]),
                              "planned_launch_date": pd.to_datetime(["2026-01-22"])})
    no_dates = pd.Series([], dtype="datetime64[ns]")
    posts = pd.DataFrame({c: pd.array([], dtype="str") for c in
                          ("post_id", "contract_id", "creator_id", "campaign_id", "platform")}
                         | {"published_at": no_dates.dt.tz_localize("UTC"), "due_date": no_dates})
    response = pd.DataFrame({"post_id": pd.array([], dtype="str"), "date": no_dates,
                             "conversions": pd.Series([], dtype="float64"),
                             "revenue": pd.Series([], dtype="float64")})
    days = pd.date_range("2026-01-01", "2026-01-25")
    x = creator_regressor(response, posts, contracts, campaigns, D("2026-01-20"), days, 5,
                          "conversions", 2, 0.0, 0.3)
    np.testing.assert_array_equal(x, np.zeros(len(days)))
