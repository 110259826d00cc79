"""Nodes of the forecast part of the forecasting pipeline: thin adapters over roi_ml.forecasting.

history + spend  ->  CV tuning of the total series  ->  forecasts of every series (+ the
registered total-conversions model and the MLflow metrics);  contracts  ->  budget pacing.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from roi_ml.forecasting import cv as fcv
from roi_ml.forecasting import series as fs
from roi_ml.forecasting.creator_response import (
    creator_regressor,
    projection_error,
    realised_response,
)
from roi_ml.forecasting.metrics import scale_interval
from roi_ml.forecasting.model import (
    REGRESSOR,
    ProphetSpec,
    SeriesForecast,
    forecast_series,
    holidays_frame,
    predict_quietly,
    prophet_forecast,
    regressor_uncertainty_bounds,
)
from roi_ml.forecasting.pacing import pace_campaigns
from roi_ml.registry import ModelBundle

log = logging.getLogger(__name__)

METRICS = ("conversions", "revenue")
FORECAST_COLUMNS = ["series", "metric", "date", "yhat", "yhat_lower", "yhat_upper", "actual",
                    "is_forecast", "model_used"]


def _frame(table: Any, columns: list[str]) -> pd.DataFrame:
    """A pandas frame of `columns` from a pandas frame or an Ibis table (events' outputs)."""
    if hasattr(table, "execute") and not isinstance(table, pd.DataFrame):
        return table.select(*columns).execute()
    return table[columns]


def build_forecast_history(orders: pd.DataFrame, leads: pd.DataFrame,
                           conversion_events: pd.DataFrame, journeys: pd.DataFrame,
                           journey_touches: pd.DataFrame, posts: pd.DataFrame,
                           campaigns: pd.DataFrame, campaign_attribution: pd.DataFrame,
                           platform_attribution: pd.DataFrame, mentions: pd.DataFrame,
                           params: dict[str, Any]) -> pd.DataFrame:
    """Daily observed conversions and revenue per series (total, campaign:<id>, platform:<p>):
    series, date, conversions, revenue, credit_model (attribution model behind breakdowns).

    History runs from the first order day to conf forecasting.as_of or, when null, the last
    day the dated exports cover (Shopify order days, the listening export's daily mentions): a
    quiet last day without orders is still a day of history. GA4 and CRM timestamps are not
    used for this: a session that started before midnight spills a few events into a day the
    export does not cover."""
    conversion_events = _frame(conversion_events, ["event_timestamp", "conversion_type"])
    journeys = _frame(journeys, ["journey_id", "converted", "conversion_time", "conversions",
                                 "revenue_usd"])
    journey_touches = _frame(journey_touches, ["journey_id", "position", "post_id"])
    start, end = fs.window_bounds(orders, params.get("as_of"))
    if not params.get("as_of"):
        end = max(end, fs.last_day(mentions["date"])) if len(mentions) else end
    total = fs.total_outcomes(orders, leads, conversion_events, start, end)
    out = [total.drop(columns="purchases").assign(series=fs.SERIES_TOTAL, credit_model="")]
    bd = params["breakdowns"]
    if bd["campaigns"] or bd["platforms"]:
        model, fallback = params["attribution_model"], params["attribution_fallback_model"]
        c_credit, c_used = fs.select_attribution(campaign_attribution, model, fallback)
        p_credit, p_used = fs.select_attribution(platform_attribution, model, fallback)
        touched = fs.touched_outcomes(journeys, journey_touches, posts, start, end)
        parts = fs.breakdown_outcomes(touched, c_credit, p_credit, start, end)
        parts["credit_model"] = np.where(parts["series"].str.startswith("campaign:"), c_used, p_used)
        if not bd["platforms"]:
            parts = parts[~parts["series"].str.startswith("platform:")]
        if not bd["campaigns"]:
            parts = parts[~parts["series"].str.startswith("campaign:")]
        else:
            recent = end - pd.Timedelta(days=bd["campaign_recent_days"])
            keep = campaigns.loc[pd.to_datetime(campaigns["end_date"]) >= recent, "campaign_id"]
            parts = parts[~parts["series"].str.startswith("campaign:")
                          | parts["series"].isin("campaign:" + keep.astype("str"))]
            parts = _trim_campaign_series(parts, campaigns)
        out.append(parts)
    hist = pd.concat(out, ignore_index=True)
    hist["series"] = hist["series"].astype("str")
    hist["credit_model"] = hist["credit_model"].astype("str")
    return hist[["series", "date", "conversions", "revenue", "credit_model"]]


def _trim_campaign_series(parts: pd.DataFrame, campaigns: pd.DataFrame) -> pd.DataFrame:
    """A campaign's series starts on the campaign's start date (zeros before are not history)."""
    starts = dict(zip("campaign:" + campaigns["campaign_id"].astype("str"),
                      pd.to_datetime(campaigns["start_date"]), strict=False))
    first = parts["series"].map(starts)
    return parts[first.isna() | (parts["date"] >= first)].reset_index(drop=True)


def build_forecast_spend(posts: pd.DataFrame, contracts: pd.DataFrame, campaigns: pd.DataFrame,
                         forecast_history: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """Creator spend per day, campaign and platform: history and the brand's plan over the
    horizon (date, campaign_id, platform, spend_usd, is_planned)."""
    end = forecast_history["date"].max()
    return fs.daily_spend(posts, contracts, campaigns, end, params["horizon_days"],
                          later_deliverables_after_days=_later_after(params),
                          uncontracted_profile_bins=_profile_bins(params))


def _base_spec(params: dict[str, Any]) -> ProphetSpec:
    return ProphetSpec(**params["prophet"])


def _series_arrays(history: pd.DataFrame, spend: pd.DataFrame, series: str, metric: str,
                   horizon: int) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    h = history[history["series"] == series].sort_values("date")
    dates = pd.DatetimeIndex(h["date"])
    all_days = pd.date_range(dates[0], periods=len(dates) + horizon, freq="D")
    return dates, h[metric].to_numpy("float64"), fs.spend_for_series(spend, series, all_days)


def build_post_response(journeys: Any, journey_touches: Any) -> pd.DataFrame:
    """forecast_post_response: post_id, date, conversions, revenue of converting journeys by
    their last creator touch (each post's observed response by conversion day): the raw
    material of the total series' creator regressor (roi_ml.forecasting.creator_response)."""
    journeys = _frame(journeys, ["journey_id", "converted", "conversion_time", "conversions",
                                 "revenue_usd"])
    journey_touches = _frame(journey_touches, ["journey_id", "position", "post_id"])
    out = fs.touched_by_post(journeys, journey_touches)
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    return out[["post_id", "date", "conversions", "revenue"]]


def _uses_creator_response(spec: ProphetSpec) -> bool:
    return spec.regressor == "creator_response"


def _total_regressor(post_response: pd.DataFrame, posts: pd.DataFrame, contracts: pd.DataFrame,
                     campaigns: pd.DataFrame, origin: pd.Timestamp, days: pd.DatetimeIndex,
                     metric: str, params: dict[str, Any]) -> np.ndarray:
    """The total series' creator_response regressor on `days` built on `origin`."""
    cr = params["creator_response"]
    return creator_regressor(post_response, posts, contracts, campaigns, origin, days,
                             params["horizon_days"], metric, int(cr["max_age_days"]),
                             float(cr["shrinkage_usd"]), float(cr["min_developed"]),
                             float(cr["fallback_half_life_days"]), _later_after(params),
                             _profile_bins(params), bool(cr.get("by_objective", True)),
                             int(cr.get("objective_rounds", 1)))


def _later_after(params: dict[str, Any]) -> int:
    """conf forecasting.plan.later_deliverables_after_days (2 without the key)."""
    return int((params.get("plan") or {}).get("later_deliverables_after_days", 2))


def _profile_bins(params: dict[str, Any]) -> int:
    """conf forecasting.plan.uncontracted_profile_bins (10, as shipped, without the key; 0 is
    the even spread)."""
    return int((params.get("plan") or {}).get("uncontracted_profile_bins", 10))


def tune_forecast_models(forecast_history: pd.DataFrame, forecast_spend: pd.DataFrame,
                         forecast_post_response: pd.DataFrame, posts: pd.DataFrame,
                         contracts: pd.DataFrame, campaigns: pd.DataFrame,
                         params: dict[str, Any]) -> pd.DataFrame:
    """Rolling-origin CV of every spec of conf forecasting.cv.grid on the total series, per
    metric: series, metric, the grid's settings, cv_mase, cv_coverage, cv_naive_mase,
    cv_full_coverage and cv_full_coverage_all_days (the shipped interval; creator_response
    only; per fold in cv_fold_full_coverages_all_days), cv_folds, selected, and the folds'
    regressor projection errors (cv_regressor_ratios, cv_regressor_dispersions). Empty (with a log line) when the history
    is shorter than the CV needs."""
    cv, horizon = params["cv"], params["horizon_days"]
    holidays = holidays_frame(params.get("holidays"))
    tables, plan_ids = [], {}
    for metric in METRICS:
        dates, y, spend = _series_arrays(forecast_history, forecast_spend, fs.SERIES_TOTAL,
                                         metric, horizon)
        cuts = fcv.rolling_origin_cutoffs(len(y), horizon, cv["n_folds"], cv["period_days"],
                                          cv["min_train_days"])
        if not cuts:
            need = fcv.min_days_for_cv(horizon, cv["n_folds"], cv["period_days"],
                                       cv["min_train_days"])
            log.warning("Forecast CV skipped for total %s: %d days of history, the CV needs %d "
                        "(conf forecasting.cv): the fixed settings of forecasting.prophet are "
                        "used (model_used prophet_fixed)", metric, len(y), need)
            continue
        fold_spend, errors, ratios, dispersions = None, None, [], []
        if _uses_creator_response(_base_spec(params)):
            # each fold's regressor as the brand would have built it on the fold's origin
            fold_spend = {cut: _total_regressor(forecast_post_response, posts, contracts,
                                                campaigns, dates[cut - 1],
                                                pd.date_range(dates[0], periods=cut + horizon),
                                                metric, params) for cut in cuts}
            # how far each fold's projection erred (the realised response is history by the
            # end of the data): level ratio and day-level dispersion; by default only the
            # response of the posts the origin's plan covered, as the forecast is conditional
            # on the plan (creator_response.projection_error)
            plan_only = bool(cv.get("regressor_plan_only", True))
            errors = fcv.FoldRegressorErrors({}, {}, {})
            for cut in cuts:
                days = dates[cut:cut + horizon]
                if plan_only and cut not in plan_ids:  # the plan is the same for both metrics
                    plan_ids[cut] = fs.planned_post_ids(posts, contracts, campaigns,
                                                        dates[cut - 1])
                realised = realised_response(forecast_post_response,
                                             plan_ids[cut] if plan_only else None, days, metric)
                r, phi = projection_error(fold_spend[cut][cut:cut + horizon], realised)
                if np.isfinite(r):
                    errors.ratios[cut], errors.dispersions[cut] = r, phi
                errors.unplanned[cut] = (realised_response(forecast_post_response, None, days,
                                                           metric) - realised)
            ratios, dispersions = list(errors.ratios.values()), list(errors.dispersions.values())
            if not cv.get("regressor_day_noise", True):
                errors.dispersions = None
        elif cv.get("spend_as_planned", True):
            fold_spend = {}
            for cut in cuts:
                planned = fs.spend_as_planned_on(posts, contracts, campaigns, dates[cut - 1],
                                                 horizon, later_deliverables_after_days=_later_after(params),
                                                 uncontracted_profile_bins=_profile_bins(params))
                fold_spend[cut] = fs.spend_for_series(planned, fs.SERIES_TOTAL,
                                                      pd.date_range(dates[0], periods=cut + horizon))
        best, table = fcv.tune(dates, y, spend, _base_spec(params), cv["grid"], horizon, cuts,
                               holidays, params["min_days_yearly"], params["interval_width"],
                               cv["uncertainty_samples"], params["random_seed"], fold_spend,
                               cv.get("n_jobs", 1), cv.get("calibration_folds"),
                               errors if cv.get("regressor_uncertainty", True) else None)
        table["selected"] = [all(row[k] == getattr(best.spec, k) for k in cv["grid"])
                             for _, row in table.iterrows()]
        table.insert(0, "metric", metric)
        table.insert(0, "series", fs.SERIES_TOTAL)
        table["cv_folds"] = len(cuts)
        table["cv_regressor_ratios"] = ",".join(f"{r:.4g}" for r in ratios)
        table["cv_regressor_dispersions"] = ",".join(f"{v:.4g}" for v in dispersions)
        log.info("Forecast CV, total %s: best %s, MASE %.3f (seasonal naive %.3f), coverage "
                 "%.2f (Prophet's interval), %.2f (with the regressor's uncertainty)",
                 metric, {k: getattr(best.spec, k) for k in cv["grid"]}, best.mase,
                 best.naive_mase, best.coverage, best.full_coverage)
        tables.append(table)
    if not tables:
        return pd.DataFrame({"series": pd.Series(dtype="str"), "metric": pd.Series(dtype="str"),
                             "cv_mase": pd.Series(dtype="float64"),
                             "cv_coverage": pd.Series(dtype="float64"),
                             "cv_naive_mase": pd.Series(dtype="float64"),
                             "cv_folds": pd.Series(dtype="int64"),
                             "selected": pd.Series(dtype="bool")})
    out = pd.concat(tables, ignore_index=True)
    for col in ("series", "metric"):
        out[col] = out[col].astype("str")
    return out


def _selected_spec(cv_results: pd.DataFrame, metric: str, params: dict[str, Any]) -> ProphetSpec | None:
    if cv_results.empty:
        return None
    row = cv_results[(cv_results["metric"] == metric) & cv_results["selected"].astype(bool)]
    if row.empty:
        return None
    grid_keys = [k for k in params["cv"]["grid"] if k in row.columns]
    values = {k: row.iloc[0][k] for k in grid_keys}
    values = {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items()}
    return _base_spec(params).with_(**values)


def _regressor_errors(cv_results: pd.DataFrame, metric: str,
                      column: str = "cv_regressor_ratios") -> np.ndarray:
    """The CV's per-fold regressor projection errors of `metric`: realised ÷ projected ratios
    (cv_regressor_ratios) or day-level dispersions (cv_regressor_dispersions); empty without."""
    if cv_results.empty or column not in cv_results.columns:
        return np.zeros(0)
    row = cv_results[cv_results["metric"] == metric]
    text = str(row[column].iloc[0]) if len(row) else ""
    return np.array([float(v) for v in text.split(",") if v and v != "nan"], dtype="float64")


def _interval_scale(cv_results: pd.DataFrame, metric: str) -> float:
    """The CV's interval calibration factor of the selected spec (1 without CV)."""
    if cv_results.empty or "cv_interval_scale" not in cv_results.columns:
        return 1.0
    row = cv_results[(cv_results["metric"] == metric) & cv_results["selected"].astype(bool)]
    return float(row["cv_interval_scale"].iloc[0]) if len(row) else 1.0


def forecast_all_series(forecast_history: pd.DataFrame, forecast_spend: pd.DataFrame,
                        forecast_cv_results: pd.DataFrame, forecast_post_response: pd.DataFrame,
                        posts: pd.DataFrame, contracts: pd.DataFrame, campaigns: pd.DataFrame,
                        params: dict[str, Any]
                        ) -> tuple[pd.DataFrame, ModelBundle, dict[str, Any]]:
    """forecast_daily (BRIEF contract), the total-conversions Prophet model as a ModelBundle,
    and the CV figures as MLflow metrics. The total series uses the creator_response regressor
    when the spec says so (the breakdown series keep the spend regressor: their own response
    is the series itself), and its interval is scaled by the CV's calibration factor when
    forecasting.cv.calibrate_interval is true."""
    horizon, holidays = params["horizon_days"], holidays_frame(params.get("holidays"))
    frames: list[pd.DataFrame] = []
    total_conv: SeriesForecast | None = None
    for metric in METRICS:
        tuned = _selected_spec(forecast_cv_results, metric, params)
        spec = tuned or _base_spec(params)
        for series, h in forecast_history.groupby("series", sort=True):
            dates, y, spend = _series_arrays(forecast_history, forecast_spend, series, metric,
                                             horizon)
            s_spec, ratios, dispersions = spec, np.zeros(0), None
            if _uses_creator_response(spec):
                if series == fs.SERIES_TOTAL:
                    spend = _total_regressor(forecast_post_response, posts, contracts, campaigns,
                                             dates[-1], pd.date_range(dates[0], periods=len(y) + horizon),
                                             metric, params)
                    ratios = _regressor_errors(forecast_cv_results, metric)
                    if params["cv"].get("regressor_day_noise", True):
                        dispersions = _regressor_errors(forecast_cv_results, metric,
                                                        "cv_regressor_dispersions")
                        if dispersions.shape != ratios.shape:  # CV results from before them
                            dispersions = None
                else:
                    s_spec = spec.with_(regressor="spend")
            fc = forecast_series(dates, y, spend, horizon, s_spec, holidays,
                                 params["min_days_prophet"], params["min_days_yearly"],
                                 params["interval_width"], params["uncertainty_samples"],
                                 params["random_seed"])
            used = fc.model_used
            if used == "prophet":
                used = "prophet_cv" if (tuned is not None and series == fs.SERIES_TOTAL) else (
                    "prophet_total_cv_spec" if tuned is not None else "prophet_fixed")
            else:
                log.info("Forecast %s %s: %s (%d days of history, %s)", series, metric, used,
                         len(y), "flat series" if used == "constant" else
                         f"fewer than forecasting.min_days_prophet = {params['min_days_prophet']}")
            credit = h["credit_model"].iloc[0]
            if credit:
                used = f"{used}; credit={credit}"
            f = fc.frame.copy()
            if (series == fs.SERIES_TOTAL and fc.model_used == "prophet"
                    and _uses_creator_response(s_spec)
                    and params["cv"].get("regressor_uncertainty", True)):
                n_hist = len(y)
                lo, hi = regressor_uncertainty_bounds(
                    fc, n_hist, ratios, s_spec,
                    params["interval_width"], params["random_seed"], dispersions)
                f.loc[f.index[n_hist:], "yhat_lower"] = lo
                f.loc[f.index[n_hist:], "yhat_upper"] = hi
            if (series == fs.SERIES_TOTAL and fc.model_used == "prophet"
                    and params["cv"].get("calibrate_interval", False)):
                c = _interval_scale(forecast_cv_results, metric)
                f["yhat_lower"], f["yhat_upper"] = scale_interval(
                    f["yhat"].to_numpy(), f["yhat_lower"].to_numpy(), f["yhat_upper"].to_numpy(), c)
            f["actual"] = np.r_[y, np.full(horizon, np.nan)]
            f["is_forecast"] = np.r_[np.zeros(len(y), bool), np.ones(horizon, bool)]
            f["series"], f["metric"], f["model_used"] = series, metric, used
            frames.append(f[FORECAST_COLUMNS])
            if series == fs.SERIES_TOTAL and metric == "conversions":
                total_conv = fc if fc.model is not None else prophet_forecast(
                    dates, y, spend, horizon, s_spec, holidays, params["min_days_yearly"],
                    params["interval_width"], params["uncertainty_samples"],
                    params["random_seed"])
    out = pd.concat(frames, ignore_index=True)
    for col in ("series", "metric", "model_used"):
        out[col] = out[col].astype("str")
    out["is_forecast"] = out["is_forecast"].astype(bool)
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    return out, _model_bundle(total_conv, forecast_history, params), \
        _cv_metrics(forecast_cv_results, out)


def _model_bundle(fc: SeriesForecast, history: pd.DataFrame,
                  params: dict[str, Any]) -> ModelBundle:
    """The total-conversions Prophet model, with the first horizon days as input example
    (ds and, when the model has it, the transformed spend regressor)."""
    m = fc.model
    n_hist = int((fc.frame["date"] <= history["date"].max()).sum())
    future = fc.frame.iloc[n_hist:n_hist + 5]
    example = pd.DataFrame({"ds": future["date"].to_numpy()})
    if fc.regressor is not None:
        example[REGRESSOR] = fc.regressor[n_hist:n_hist + len(example)]
    output = predict_quietly(m, example)[["yhat", "yhat_lower", "yhat_upper"]]
    return ModelBundle(model=m, input_example=example, output_example=output,
                       metadata={"series": fs.SERIES_TOTAL, "metric": "conversions",
                                 "regressor": REGRESSOR if fc.regressor is not None else None,
                                 "regressor_half_saturation": fc.regressor_scale,
                                 "history_end": str(history["date"].max().date()),
                                 "horizon_days": params["horizon_days"]})


def _cv_metrics(cv_results: pd.DataFrame, forecast: pd.DataFrame) -> dict[str, Any]:
    """MLflow metrics (forecasting.<metric>.cv_mase / cv_coverage / cv_naive_mase /
    cv_interval_scale / cv_full_coverage of the selected spec on the total series; n_series;
    n_fallback series)."""
    out: dict[str, Any] = {}
    if not cv_results.empty:
        for _, row in cv_results[cv_results["selected"].astype(bool)].iterrows():
            for fig in ("cv_mase", "cv_coverage", "cv_naive_mase", "cv_interval_scale",
                        "cv_full_coverage", "cv_full_coverage_all_days"):
                if fig not in row or not np.isfinite(float(row[fig])):
                    continue
                out[f"total.{row['metric']}.{fig}"] = {"value": float(row[fig]), "step": 0}
    per_series = forecast.groupby(["series", "metric"])["model_used"].first()
    out["n_series"] = {"value": float(len(per_series)), "step": 0}
    fallback = per_series.str.startswith(("constant", "seasonal_naive")).sum()
    out["n_fallback_series"] = {"value": float(fallback), "step": 0}
    return out


def pace_budgets(campaigns: pd.DataFrame, contracts: pd.DataFrame, posts: pd.DataFrame,
                 forecast_history: pd.DataFrame, params: dict[str, Any]) -> pd.DataFrame:
    """budget_pacing (BRIEF contract): projected end-of-campaign spend against plan, as of the
    forecast history's last day."""
    p = params["pacing"]
    as_of = pd.Timestamp(forecast_history["date"].max())
    return pace_campaigns(campaigns, contracts, posts, as_of, interval_width=p["interval_width"],
                          min_completed_campaigns=p["min_completed_campaigns"],
                          n_draws=p["n_draws"], seed=params["random_seed"])
