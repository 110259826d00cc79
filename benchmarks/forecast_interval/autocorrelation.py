"""Autocorrelation of the final window's daily forecast errors and the coverage spread of a
perfectly calibrated 80 % interval under AR(1) errors (docs/accuracy.md, "interval round 4").

Usage: python benchmarks/forecast_interval/autocorrelation.py PROJECT_DIR [PROJECT_DIR ...]
(project copies after a full `kedro run` on simulated worlds). Per world and metric: coverage
and the lag-1 correlation of the standardised errors z_h = 1.2816 · (y − ŷ) / (the interval's
half-width on the side of y); then, for lag-1 correlations 0 … 0.7 and their mean, the share of
20,000 simulated 56-day windows whose coverage of a calibrated interval falls outside 0.70–0.90.
"""

import sys

import numpy as np
import pandas as pd
from scipy.stats import norm

Z80 = norm.ppf(0.9)
rows = []
for d in sys.argv[1:]:
    fc = pd.read_parquet(f"{d}/data/07_model_output/forecast_daily.parquet")
    fut = pd.read_csv(f"{d}/data/ground_truth/future_daily.csv", parse_dates=["date"])
    for metric, col in (("conversions", "conversions"), ("revenue", "revenue_usd")):
        f = fc[(fc.series == "total") & (fc.metric == metric) & fc.is_forecast].merge(fut, on="date")
        a, y = f[col].to_numpy(), f.yhat.to_numpy()
        lo, hi = f.yhat_lower.to_numpy(), f.yhat_upper.to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(a >= y, (a - y) / (hi - y), (a - y) / (y - lo)) * Z80
        z = z[np.isfinite(z)]
        rows.append((d, metric, float(((a >= lo) & (a <= hi)).mean()),
                     float(np.corrcoef(z[:-1], z[1:])[0, 1])))
table = pd.DataFrame(rows, columns=["world", "metric", "coverage", "lag1"])
print(table.round(2).to_string())
mean_lag1 = float(table["lag1"].mean())
rng = np.random.default_rng(0)
n_days, n_windows = 56, 20_000
for phi in sorted({0.0, 0.3, 0.5, 0.7, round(mean_lag1, 2)}):
    e = np.empty((n_windows, n_days))
    e[:, 0] = rng.standard_normal(n_windows)
    for t in range(1, n_days):
        e[:, t] = phi * e[:, t - 1] + np.sqrt(1 - phi ** 2) * rng.standard_normal(n_windows)
    cov = (np.abs(e) <= Z80).mean(axis=1)
    outside = ((cov < 0.70 - 1e-9) | (cov > 0.90 + 1e-9)).mean()
    print(f"lag-1 {phi:.2f}: sd of coverage {cov.std():.3f}, outside 0.70-0.90 {outside:.3f}")
