"""The forecast nodes on small synthetic frames: fallbacks named in model_used and the log,
the forecast_daily contract, the registered model bundle, run through Kedro's runner."""

import logging

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog
from kedro.runner import SequentialRunner

from roi_ml.pipelines.forecasting.forecast_nodes import (
    FORECAST_COLUMNS,
    forecast_all_series,
    tune_forecast_models,
)
from roi_ml.pipelines.forecasting.forecast_pipeline import create_forecast_pipeline
from roi_ml.registry import ModelBundle

PARAMS = {
    "horizon_days": 7, "interval_width": 0.8, "uncertainty_samples": 30, "random_seed": 0,
    "min_days_prophet": 28, "min_days_yearly": 365,
    "prophet": {"changepoint_prior_scale": 0.01, "transform": "sqrt"},
    "cv": {"n_folds": 2, "period_days": 7, "min_train_days": 30, "uncertainty_samples": 20,
           "spend_as_planned": False,
           "grid": {"changepoint_prior_scale": [0.001, 0.05]}},
    "holidays": {},
}


def _history(n_total=50):
    rng = np.random.default_rng(1)
    total_days = pd.date_range("2026-05-01", periods=n_total, freq="D")
    total = pd.DataFrame({"series": "total", "date": total_days,
                          "conversions": rng.poisson(40, n_total).astype(float),
                          "revenue": rng.normal(4000, 300, n_total), "credit_model": ""})
    # a platform with nothing at all (flat 0) and a campaign with 10 days
    flat = pd.DataFrame({"series": "platform:x", "date": total_days, "conversions": 0.0,
                         "revenue": 0.0, "credit_model": "time_decay"})
    short_days = total_days[-10:]
    short = pd.DataFrame({"series": "campaign:C1", "date": short_days,
                          "conversions": rng.poisson(3, 10).astype(float),
                          "revenue": rng.normal(300, 30, 10), "credit_model": "time_decay"})
    h = pd.concat([total, flat, short], ignore_index=True)
    h["series"] = h["series"].astype("str")
    return h


def _spend():
    return pd.DataFrame({"date": pd.to_datetime(["2026-05-10", "2026-05-20"]),
                         "campaign_id": ["C1", "C1"], "platform": ["x", "x"],
                         "spend_usd": [500.0, 800.0], "is_planned": [False, False]})


def test_short_history_skips_the_cv_and_says_why(caplog):
    # the CV needs 30 + 7 + 7 = 44 days; give it 40
    with caplog.at_level(logging.WARNING):
        out = tune_forecast_models(_history(40), _spend(), None, None, None, None, PARAMS)
    assert out.empty and {"metric", "cv_mase", "selected"} <= set(out.columns)
    assert "the CV needs 44" in caplog.text and "prophet_fixed" in caplog.text


def test_every_series_gets_a_forecast_and_names_its_model():
    hist = _history(50)
    cv = tune_forecast_models(hist, _spend(), None, None, None, None, PARAMS)  # 50 >= 44: two folds
    assert set(cv["metric"]) == {"conversions", "revenue"}
    assert cv.groupby("metric")["selected"].sum().tolist() == [1, 1]
    assert (cv["cv_folds"] == 2).all()
    fc, bundle, metrics = forecast_all_series(hist, _spend(), cv, None, None, None, None, PARAMS)
    assert fc.columns.tolist() == FORECAST_COLUMNS
    used = fc.groupby(["series", "metric"])["model_used"].first()
    assert used[("total", "conversions")] == "prophet_cv"
    assert used[("platform:x", "revenue")] == "constant; credit=time_decay"
    assert used[("campaign:C1", "conversions")] == "seasonal_naive; credit=time_decay"
    # each series: its history + 7 forecast days, actual null exactly in the future
    for (series, _metric), g in fc.groupby(["series", "metric"]):
        n_hist = int(((hist["series"] == series)).sum())
        assert len(g) == n_hist + 7 and g["is_forecast"].sum() == 7
        assert g.loc[g["is_forecast"], "actual"].isna().all()
    flat = fc[fc["series"] == "platform:x"]
    assert (flat[["yhat", "yhat_lower", "yhat_upper"]] == 0).all().all()
    assert isinstance(bundle, ModelBundle) and len(bundle.input_example) == 5
    assert bundle.input_example["ds"].min() > hist["date"].max()
    assert "total.conversions.cv_mase" in metrics
    assert metrics["n_fallback_series"]["value"] == 4.0  # flat and short, two metrics each


def test_forecast_pipeline_runs_in_a_catalog():
    """The forecast part wired as in the project, from canonical-table-shaped frames."""
    days = pd.date_range("2026-04-01", periods=60, freq="D")
    rng = np.random.default_rng(2)
    n_orders = rng.poisson(20, len(days))
    order_days = np.repeat(days, n_orders)
    orders = pd.DataFrame({"created_at": pd.DatetimeIndex(order_days).tz_localize("UTC")
                           + pd.Timedelta(hours=12),
                           "total_usd": rng.normal(100, 10, len(order_days)),
                           "financial_status": pd.array(["paid"] * len(order_days), dtype="str")})
    empty_ts = pd.Series([], dtype="datetime64[ns, UTC]")
    catalog = DataCatalog()
    catalog["orders"] = orders
    catalog["leads"] = pd.DataFrame({"created_at": empty_ts})
    catalog["conversion_events"] = pd.DataFrame({"event_timestamp": empty_ts,
                                                 "conversion_type": pd.Series([], dtype="str")})
    catalog["journeys"] = pd.DataFrame({"journey_id": ["j"], "converted": [False],
                                        "conversion_time": pd.to_datetime(["2026-04-02"]).tz_localize("UTC"),
                                        "conversions": [0.0], "revenue_usd": [0.0]})
    catalog["journey_touches"] = pd.DataFrame({"journey_id": ["j"], "position": [0],
                                               "post_id": [None]})
    catalog["posts"] = pd.DataFrame({"post_id": ["P1"], "contract_id": ["K1"], "campaign_id": ["C1"],
                                     "platform": ["tiktok"],
                                     "published_at": pd.to_datetime(["2026-04-20"]).tz_localize("UTC"),
                                     "due_date": pd.to_datetime(["2026-04-20"])})
    catalog["contracts"] = pd.DataFrame({"contract_id": ["K1"], "campaign_id": ["C1"],
                                         "creator_id": ["A"], "fee_usd": [900.0],
                                         "product_cost_usd": [50.0],
                                         "management_overhead_usd": [20.0],
                                         "deliverables_committed": [3], "deliverables_delivered": [1],
                                         "signed_date": pd.to_datetime(["2026-04-10"])})
    catalog["campaigns"] = pd.DataFrame({"campaign_id": ["C1"], "start_date": pd.to_datetime(["2026-04-15"]),
                                         "end_date": pd.to_datetime(["2026-06-10"]),
                                         "planned_budget_usd": [1000.0],
                                         "planned_daily_spend_usd": [17.5]})
    catalog["campaign_attribution"] = pd.DataFrame({"model": pd.Series([], dtype="str")})
    catalog["platform_attribution"] = pd.DataFrame({"model": pd.Series([], dtype="str")})
    catalog["mentions"] = pd.DataFrame({"date": pd.to_datetime(["2026-05-30"])})
    catalog["params:forecasting"] = {**PARAMS, "cv": {**PARAMS["cv"], "spend_as_planned": True},
                                     "as_of": None, "attribution_model": "data_driven",
                                     "attribution_fallback_model": "time_decay",
                                     "breakdowns": {"campaigns": True, "platforms": True,
                                                    "campaign_recent_days": 30},
                                     "pacing": {"interval_width": 0.8, "min_completed_campaigns": 3,
                                                "n_draws": 200}}
    SequentialRunner().run(create_forecast_pipeline(), catalog)
    fc = catalog.load("forecast_daily")
    total = fc[(fc["series"] == "total") & (fc["metric"] == "conversions")]
    assert total["date"].max() == pd.Timestamp("2026-06-06")  # last day 2026-05-30 + 7
    pacing = catalog.load("budget_pacing")
    # live C1: to date 70 fixed + 900 x 1/3 = 370; no completed campaigns -> projection with
    # every outstanding deliverable delivered and the whole budget contracted:
    # 70 + 900 + (1000 − 970) = 1000, low 370
    row = pacing.iloc[0]
    assert (row["campaign_state"], row["spend_to_date_usd"]) == ("live", pytest.approx(370.0))
    assert row["projected_spend_usd"] == pytest.approx(1000.0)
    assert row["projected_spend_low_usd"] == pytest.approx(370.0)


def _creator_world(n_days=60):
    """A total series driven by two contracts' posts: K1 (signed before the history) posts on
    days 5, 15, …, 55; K2 (signed on day 47, after the first CV origin, day 45) posts daily on
    days 48–52. Each post's response: 6, 3, 1 conversions on its day and the next two."""
    days = pd.date_range("2026-05-01", periods=n_days, freq="D")
    pub = {f"A{i}": days[i] for i in range(5, n_days, 10)} | {f"B{i}": days[i] for i in range(48, 53)}
    posts = pd.DataFrame({
        "post_id": pd.array(list(pub), dtype="string"),
        "contract_id": pd.array(["K1" if p[0] == "A" else "K2" for p in pub], dtype="string"),
        "creator_id": pd.array(["A" if p[0] == "A" else "B" for p in pub], dtype="string"),
        "campaign_id": pd.array(["C1"] * len(pub), dtype="string"),
        "platform": pd.array(["x"] * len(pub), dtype="string"),
        "published_at": pd.DatetimeIndex(list(pub.values())).tz_localize("UTC") + pd.Timedelta(hours=12),
        "due_date": pd.DatetimeIndex(list(pub.values()))})
    rows = [{"post_id": p, "date": d + pd.Timedelta(days=a), "conversions": c, "revenue": 50.0 * c}
            for p, d in pub.items() for a, c in enumerate((6.0, 3.0, 1.0))
            if d + pd.Timedelta(days=a) <= days[-1]]
    response = pd.DataFrame(rows)
    response["post_id"] = response["post_id"].astype("string")
    contracts = pd.DataFrame({"contract_id": ["K1", "K2"], "campaign_id": ["C1", "C1"],
                              "creator_id": ["A", "B"], "fee_usd": [600.0, 500.0],
                              "product_cost_usd": [0.0, 0.0], "management_overhead_usd": [0.0, 0.0],
                              "deliverables_committed": pd.array([6, 5], dtype="Int64"),
                              "deliverables_delivered": pd.array([6, 5], dtype="Int64"),
                              "signed_date": pd.to_datetime(["2026-04-01", "2026-06-16"])})
    campaigns = pd.DataFrame({"campaign_id": ["C1"], "start_date": pd.to_datetime(["2026-05-01"]),
                              "end_date": pd.to_datetime(["2026-08-31"]),
                              "planned_budget_usd": [600.0], "planned_daily_spend_usd": [0.0]})
    rng = np.random.default_rng(3)
    creator = response.groupby("date")["conversions"].sum().reindex(days, fill_value=0.0).to_numpy()
    conv = 20.0 + creator + rng.poisson(3, n_days)
    hist = pd.DataFrame({"series": "total", "date": days, "conversions": conv,
                         "revenue": 50.0 * conv + rng.normal(0, 20, n_days), "credit_model": ""})
    hist["series"] = hist["series"].astype("str")
    return hist, response, posts, contracts, campaigns


CREATOR_PARAMS = {**PARAMS,
                  "prophet": {"changepoint_prior_scale": 0.01, "transform": "none",
                              "regressor": "creator_response"},
                  "creator_response": {"max_age_days": 5, "shrinkage_usd": 100.0,
                                       "min_developed": 0.3, "fallback_half_life_days": 3.0},
                  "cv": {**PARAMS["cv"], "regressor_uncertainty": True,
                         "regressor_day_noise": True, "regressor_plan_only": True}}


def test_creator_response_cv_measures_the_plans_projection_error():
    hist, response, posts, contracts, campaigns = _creator_world()
    spend = _spend()
    cv = tune_forecast_models(hist, spend, response, posts, contracts, campaigns, CREATOR_PARAMS)
    row = cv[(cv["metric"] == "conversions") & cv["selected"]].iloc[0]
    ratios = [float(v) for v in row["cv_regressor_ratios"].split(",")]
    dispersions = [float(v) for v in row["cv_regressor_dispersions"].split(",")]
    assert len(ratios) == len(dispersions) == 2 and all(d >= 0 for d in dispersions)
    # two folds (origins day 45 and 52): only the later one had the earlier one's horizon
    # ended by its origin (45 + 7 <= 52), so the shipped interval is scored on it alone
    assert 0.0 <= row["cv_full_coverage"] <= 1.0
    assert 0.0 <= row["cv_full_coverage_all_days"] <= 1.0
    # per fold: the first fold had no fold ended by its origin (nan), the second is the mean
    per_fold = [float(v) for v in row["cv_fold_full_coverages_all_days"].split(",")]
    assert np.isnan(per_fold[0]) and per_fold[1] == pytest.approx(row["cv_full_coverage_all_days"],
                                                                  abs=1e-4)
    # K2, signed after the first origin for a campaign whose budget (600) K1 had used up, is
    # outside that origin's plan: counting every post (regressor_plan_only false) raises the
    # first fold's realised ÷ projected ratio
    every_post = {**CREATOR_PARAMS, "cv": {**CREATOR_PARAMS["cv"], "regressor_plan_only": False}}

    def first_ratio(params, camps):
        t = tune_forecast_models(hist, spend, response, posts, contracts, camps, params)
        r = t[(t["metric"] == "conversions") & t["selected"]].iloc[0]
        return float(r["cv_regressor_ratios"].split(",")[0])

    assert first_ratio(every_post, campaigns) > ratios[0]
    # with a budget of 1,100, 500 was still open on the first origin: the plan projected it and
    # K2, signed to spend it, is in the plan — plan-only and every-post ratios agree
    budgeted = campaigns.assign(planned_budget_usd=1100.0)
    assert first_ratio(CREATOR_PARAMS, budgeted) == pytest.approx(first_ratio(every_post, budgeted))
    fc, _bundle, metrics = forecast_all_series(hist, spend, cv, response, posts, contracts,
                                               campaigns, CREATOR_PARAMS)
    total = fc[(fc["series"] == "total") & fc["is_forecast"]]
    assert (total["yhat_lower"] <= total["yhat"] + 1e-9).all()
    assert (total["yhat"] <= total["yhat_upper"] + 1e-9).all()
    assert "total.conversions.cv_full_coverage" in metrics


def test_the_spend_profile_setting_defaults_to_the_shipped_value():
    from roi_ml.pipelines.forecasting.forecast_nodes import _profile_bins

    # a conf without the key gets the shipped 10 parts, not silently the even spread
    assert _profile_bins({}) == 10
    assert _profile_bins({"plan": {"uncontracted_profile_bins": 0}}) == 0
