"""Interval variants of the total series' forecast (docs/accuracy.md, "interval round 4").

Usage: python benchmarks/forecast_interval/variants.py PROJECT_DIR

PROJECT_DIR: a project copy after a full `kedro run` on a simulated world (it reads the
forecasting inputs, forecast_cv_results and data/ground_truth/future_daily.csv). Refits the
CV-selected spec on every CV fold and on the whole history and prints, per metric, the CV and
final-window coverage of four intervals: the creator regressor's level error only ("ratio") or
with its day-level scatter ("both"), measured over every post ("all") or over the posts the
origin's plan stood for ("plan"; the fold's days less the other posts' response are then the
CV target). The pipeline's own functions build the plan, the error draws and the bounds; a
fold draws only from the folds whose horizon had ended by its origin, as the pipeline's
cv_full_coverage does.
"""

import logging
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from roi_ml.forecasting import cv as fcv
from roi_ml.forecasting import series as fs
from roi_ml.forecasting.creator_response import projection_error, realised_response
from roi_ml.forecasting.metrics import coverage, mase
from roi_ml.forecasting.model import holidays_frame, prophet_forecast, regressor_uncertainty_bounds
from roi_ml.pipelines.forecasting import forecast_nodes as fn

warnings.simplefilter("ignore")
logging.disable(logging.WARNING)

d = Path(sys.argv[1])
params = yaml.safe_load((Path(__file__).parents[2] / "conf/base/parameters_forecasting.yml")
                        .read_text())["forecasting"]
width, seed = params["interval_width"], params["random_seed"]


def load(name: str) -> pd.DataFrame:
    return pd.read_parquet(d / "data" / f"{name}.parquet")


hist, spend_t = load("04_feature/forecast_history"), load("05_model_input/forecast_spend")
post_resp = load("04_feature/forecast_post_response")
posts, contracts = load("02_intermediate/posts"), load("02_intermediate/contracts")
campaigns, cvr = load("02_intermediate/campaigns"), load("08_reporting/forecast_cv_results")
fut = pd.read_csv(d / "data/ground_truth/future_daily.csv", parse_dates=["date"]).set_index("date")
horizon, hol, cv = params["horizon_days"], holidays_frame(params["holidays"]), params["cv"]
out = [str(d)]
for metric, tcol in (("conversions", "conversions"), ("revenue", "revenue_usd")):
    spec = fn._selected_spec(cvr, metric, params)
    dates, y, _ = fn._series_arrays(hist, spend_t, fs.SERIES_TOTAL, metric, horizon)
    n = len(y)
    cuts = fcv.rolling_origin_cutoffs(n, horizon, cv["n_folds"], cv["period_days"],
                                      cv["min_train_days"])
    folds, errors = [], {"all": fcv.FoldRegressorErrors({}, {}), "plan": fcv.FoldRegressorErrors({}, {})}
    for cut in cuts:
        origin, days = dates[cut - 1], dates[cut:cut + horizon]
        xf = fn._total_regressor(post_resp, posts, contracts, campaigns, origin,
                                 pd.date_range(dates[0], periods=cut + horizon), metric, params)
        realised = {"all": realised_response(post_resp, None, days, metric),
                    "plan": realised_response(post_resp, fs.planned_post_ids(
                        posts, contracts, campaigns, origin), days, metric)}
        for scope, e in errors.items():
            r, phi = projection_error(xf[cut:cut + horizon], realised[scope])
            if np.isfinite(r):
                e.ratios[cut], e.dispersions[cut] = r, phi
        fc = prophet_forecast(dates[:cut], y[:cut], xf, horizon, spec, hol,
                              params["min_days_yearly"], width, cv["uncertainty_samples"], seed)
        folds.append({"cut": cut, "fc": fc, "actual": y[cut:cut + horizon],
                      "unplanned": realised["all"] - realised["plan"]})
    alld = pd.date_range(dates[0], periods=n + horizon)
    x = fn._total_regressor(post_resp, posts, contracts, campaigns, dates[-1], alld, metric, params)
    fcf = prophet_forecast(dates, y, x, horizon, spec, hol, params["min_days_yearly"], width,
                           params["uncertainty_samples"], seed)
    a = fut.reindex(alld[n:])[tcol].to_numpy()
    yh = fcf.frame["yhat"].to_numpy()[n:]
    res = []
    for scope, e in errors.items():
        for mode in ("ratio", "both"):
            fold_cov = []
            for f in folds:
                r, phi = e.known_by(f["cut"], horizon)
                if not r.size:
                    continue
                lo, hi = regressor_uncertainty_bounds(f["fc"], f["cut"], r, spec, width, seed,
                                                      phi if mode == "both" else None)
                target = f["actual"] - (f["unplanned"] if scope == "plan" else 0.0)
                fold_cov.append(coverage(target, lo, hi))
            r_all = np.array(list(e.ratios.values()))
            phi_all = np.array(list(e.dispersions.values()))
            lo, hi = regressor_uncertainty_bounds(fcf, n, r_all, spec, width, seed,
                                                  phi_all if mode == "both" else None)
            res.append(f"{scope}/{mode}: cv {np.mean(fold_cov):.2f} fin {coverage(a, lo, hi):.2f}")
    out.append(f"{metric} mase {mase(a, yh, y):.2f} | " + " | ".join(res))
print("\n".join(out), flush=True)
