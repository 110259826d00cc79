"""Scores the forecasts and the budget pacing against the simulator's truth (section
`forecasting` of evaluation.json).

Forecasts: the `total` series of forecast_daily against future_daily.csv (the days after the
export window). conversions are compared with the truth's `conversions` (all conversion types,
as the forecast counts them) and revenue with `revenue_usd` (net of refunds, as the forecast's
Shopify revenue). Per metric:
- mase: mean |actual − yhat| over the matched future days / the in-sample seasonal-naive
  (lag 7) error of the forecast's own history (the `actual` column of its history rows);
- naive_mase: the same for the 7-day seasonal-naive forecast (repeat the last week): the
  anchor, MASE 1 is seasonal naive's in-sample error;
- coverage: share of matched days inside [yhat_lower, yhat_upper];
- bias: mean (yhat − actual); n_days: matched days.
Pacing: for the campaigns live at the forecast's as-of day, and apart for those planned (not
started; the truth holds every contract they get), the projected spend against the true final
cost (contract_truth total_cost_usd summed per campaign, to the cent): mean absolute relative
error and the share inside the projected interval.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from roi_ml.forecasting.metrics import coverage, mase, seasonal_naive_forecast
from roi_ml.ground_truth import GroundTruth
from roi_ml.pipelines.evaluation.nodes import _skip

TRUTH_COLUMNS = {"conversions": "conversions", "revenue": "revenue_usd"}


def score_forecast_metric(forecast_daily: pd.DataFrame, future: pd.DataFrame, metric: str,
                          truth_column: str, series: str = "total") -> dict[str, Any]:
    """MASE, seasonal-naive MASE, coverage, bias of one series × metric against the truth."""
    f = forecast_daily[(forecast_daily["series"] == series) & (forecast_daily["metric"] == metric)]
    if f.empty:
        return {"skipped": f"no {series} {metric} forecast"}
    f = f.sort_values("date")
    hist = f.loc[~f["is_forecast"].astype(bool), "actual"].to_numpy("float64")
    fut = f[f["is_forecast"].astype(bool)].set_index("date")
    truth = future.set_index("date")[truth_column]
    days = fut.index.intersection(truth.index)
    if len(days) == 0:
        return {"skipped": "no forecast day matches the truth's future days"}
    a = truth.loc[days].to_numpy("float64")
    fc = fut.loc[days]
    naive = pd.Series(seasonal_naive_forecast(hist, len(fut)), index=fut.index).loc[days]
    return {"mase": mase(a, fc["yhat"].to_numpy(), hist),
            "naive_mase": mase(a, naive.to_numpy(), hist),
            "coverage": coverage(a, fc["yhat_lower"].to_numpy(), fc["yhat_upper"].to_numpy()),
            "bias": float(np.mean(fc["yhat"].to_numpy() - a)),
            "mean_actual": float(np.mean(a)), "n_days": int(len(days)),
            "model_used": str(fc["model_used"].iloc[0])}


def score_pacing(budget_pacing: pd.DataFrame, contract_truth: pd.DataFrame) -> dict[str, Any]:
    """Projected spend of live and of planned campaigns against their true final cost (cents)."""
    final = (contract_truth.groupby(contract_truth["campaign_id"].astype("str"))["total_cost_usd"]
             .sum().round(2))
    out: dict[str, Any] = {}
    for state, prefix in (("live", ""), ("planned", "planned_")):
        part = budget_pacing[budget_pacing["campaign_state"] == state]
        rows = part.assign(true_final=part["campaign_id"].astype("str").map(final))
        scored = rows["true_final"].notna() & (rows["true_final"] > 0)
        rows = rows[scored]
        out[f"{state}_campaigns"] = int(len(rows))
        # no contract in the truth (or no cost): no relative error to score
        out[f"{state}_campaigns_without_true_spend"] = int((~scored).sum())
        if rows.empty:
            continue
        rel = (rows["projected_spend_usd"] - rows["true_final"]) / rows["true_final"]
        inside = ((rows["true_final"] >= rows["projected_spend_low_usd"].round(2))
                  & (rows["true_final"] <= rows["projected_spend_high_usd"].round(2)))
        out[f"{prefix}mean_abs_relative_error"] = float(rel.abs().mean())
        out[f"{prefix}interval_coverage"] = float(inside.mean())
    return out


def score_forecasting(truth: GroundTruth, forecast_daily: pd.DataFrame,
                      budget_pacing: pd.DataFrame) -> dict[str, Any]:
    """Section `forecasting` (module docstring); a skip note without truth."""
    skipped = _skip(truth, "forecasting")
    if skipped:
        return skipped
    future = truth.read("future_daily").copy()
    future["date"] = pd.to_datetime(future["date"]).astype("datetime64[ns]")
    fd = forecast_daily.copy()
    fd["date"] = pd.to_datetime(fd["date"]).astype("datetime64[ns]")
    out: dict[str, Any] = {f"total_{m}": score_forecast_metric(fd, future, m, col)
                           for m, col in TRUTH_COLUMNS.items()}
    out["pacing"] = score_pacing(budget_pacing, truth.read("contract_truth"))
    return out
