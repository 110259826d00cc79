"""Interval variants of the total series' forecast (docs/accuracy.md, "interval round 4").

Usage: python benchmarks/forecast_interval/variants.py PROJECT_DIR
PROJECT_DIR: a project copy after a full `kedro run` on a simulated world (it reads the
forecasting inputs, forecast_cv_results and data/ground_truth/future_daily.csv). Refits the
CV-selected spec on every CV fold and on the whole history and prints, per metric, the CV and
final-window coverage of four intervals: the regressor's level error only or with its
day-level scatter, over all posts or the plan's posts only.

Regressor uncertainty with a day-level term. Per CV fold f: projection x_f(h),
realised response R_f(h) (all posts, or the plan's posts only); r_f = ΣR/Σx; dispersion
φ_f = Σ_h (R_f − r_f x_f)² / Σ_h x_f. Draws: Prophet draws + β[(r−1)x_h + sqrt(φ x_h) z_h]."""
import sys, warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

warnings.simplefilter("ignore")
import logging; logging.disable(logging.WARNING)
from roi_ml.pipelines.forecasting import forecast_nodes as fn
from roi_ml.forecasting import series as fs, cv as fcv
from roi_ml.forecasting.model import (prophet_forecast, holidays_frame, predict_quietly, REGRESSOR, TRANSFORMS)
from roi_ml.forecasting.metrics import mase, coverage

def bounds(fc, n_hist, ratios, phi, spec, width=0.8, seed=0, mode="both"):
    m, x = fc.model, fc.regressor
    dates = fc.frame["date"].iloc[n_hist:].to_numpy()
    future = pd.DataFrame({"ds": dates, REGRESSOR: x[n_hist:]})
    shifted = future.assign(**{REGRESSOR: future[REGRESSOR] + 1.0})
    s0 = m.uncertainty_samples; m.uncertainty_samples = 0
    beta = predict_quietly(m, shifted)["yhat"].to_numpy() - predict_quietly(m, future)["yhat"].to_numpy()
    m.uncertainty_samples = s0
    np.random.seed(seed)
    draws = m.predictive_samples(future)["yhat"]
    rng = np.random.default_rng(seed)
    k = draws.shape[1]
    xh = future[REGRESSOR].to_numpy()[:, None]
    r = rng.choice(np.asarray(ratios), size=k) if mode in ("both", "ratio") else np.ones(k)
    dx = (r[None, :] - 1.0) * xh
    if mode in ("both", "noise"):
        ph = rng.choice(np.asarray(phi), size=k)
        dx = dx + np.sqrt(ph[None, :] * np.clip(xh, 0, None)) * rng.standard_normal(draws.shape)
    back = np.clip(TRANSFORMS[spec.transform][1](draws + beta[:, None] * dx), 0, None)
    a = (1 - width) / 2
    return np.quantile(back, a, axis=1), np.quantile(back, 1 - a, axis=1)

d = sys.argv[1]
params = yaml.safe_load(open(Path(__file__).parents[2] / "conf/base/parameters_forecasting.yml"))["forecasting"]
P = lambda p: pd.read_parquet(f"{d}/data/{p}.parquet")
hist, spend_t = P("04_feature/forecast_history"), P("05_model_input/forecast_spend")
post_resp = P("04_feature/forecast_post_response")
posts, contracts, campaigns = P("02_intermediate/posts"), P("02_intermediate/contracts"), P("02_intermediate/campaigns")
cvr = P("08_reporting/forecast_cv_results")
fut = pd.read_csv(f"{d}/data/ground_truth/future_daily.csv", parse_dates=["date"]).set_index("date")
horizon = params["horizon_days"]; hol = holidays_frame(params["holidays"]); cv = params["cv"]
signed = contracts.set_index("contract_id")["signed_date"]
pub = posts.set_index("post_id")["published_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
post_contract = posts.set_index("post_id")["contract_id"]
out = [d.split("_")[-1]]
for metric, tcol in (("conversions", "conversions"), ("revenue", "revenue_usd")):
    spec = fn._selected_spec(cvr, metric, params)
    dates, y, _ = fn._series_arrays(hist, spend_t, fs.SERIES_TOTAL, metric, horizon)
    n = len(y)
    cuts = fcv.rolling_origin_cutoffs(n, horizon, cv["n_folds"], cv["period_days"], cv["min_train_days"])
    folds = []
    for cut in cuts:
        origin = dates[cut - 1]
        hdays = pd.date_range(origin + pd.Timedelta(days=1), periods=horizon)
        xf = fn._total_regressor(post_resp, posts, contracts, campaigns, origin,
                                 pd.date_range(dates[0], periods=cut + horizon), metric, params)
        proj = xf[cut:cut + horizon]
        win = post_resp[(post_resp["date"] > origin) & (post_resp["date"] <= hdays[-1])]
        planned = ((win["post_id"].map(post_contract).map(signed) <= origin)
                   | (win["post_id"].map(pub) <= origin)).fillna(False).to_numpy()
        stats = {}
        for name, w in (("all", win), ("plan", win[planned])):
            R = w.groupby("date")[metric].sum().reindex(hdays, fill_value=0.0).to_numpy()
            r = R.sum() / proj.sum()
            stats[name] = (r, float(((R - r * proj) ** 2).sum() / proj.sum()))
        unplanned = win[~planned].groupby("date")[metric].sum().reindex(hdays, fill_value=0.0).to_numpy()
        fc = prophet_forecast(dates[:cut], y[:cut], xf, horizon, spec, hol, params["min_days_yearly"], 0.8,
                              cv["uncertainty_samples"], 0)
        folds.append(dict(cut=cut, fc=fc, stats=stats, actual=y[cut:cut + horizon], unplanned=unplanned))
    alld = pd.date_range(dates[0], periods=n + horizon)
    x = fn._total_regressor(post_resp, posts, contracts, campaigns, dates[-1], alld, metric, params)
    fcf = prophet_forecast(dates, y, x, horizon, spec, hol, params["min_days_yearly"], 0.8, 1000, 0)
    a = fut.reindex(alld[n:])[tcol].to_numpy()
    yh = fcf.frame["yhat"].to_numpy()[n:]
    res = []
    for name in ("all", "plan"):
        for mode in ("ratio", "both"):
            fcov = []
            for i, f in enumerate(folds):
                others = [g["stats"][name] for j, g in enumerate(folds) if j != i]
                lo, hi = bounds(f["fc"], f["cut"], [o[0] for o in others], [o[1] for o in others], spec, mode=mode)
                act = f["actual"] - (f["unplanned"] if name == "plan" else 0)
                fcov.append(coverage(act, lo, hi))
            st = [f["stats"][name] for f in folds]
            lo, hi = bounds(fcf, n, [s[0] for s in st], [s[1] for s in st], spec, mode=mode)
            res.append(f"{name}/{mode}: cv {np.mean(fcov):.2f} fin {coverage(a, lo, hi):.2f} wk01 {coverage(a[:14], lo[:14], hi[:14]):.2f}")
    phis = {k: round(float(np.mean([f['stats'][k][1] for f in folds])), 1) for k in ("all", "plan")}
    out.append(f"{metric} mase {mase(a, yh, y):.2f} phi {phis} | " + " | ".join(res))
print("\n".join(out), flush=True)
