"""Coverage of the total series' interval on days 1-14 and 15-56 of the final window
(docs/accuracy.md, "interval round 4").

Usage: python benchmarks/forecast_interval/coverage_by_week.py PROJECT_DIR [PROJECT_DIR ...]"""
import sys

import pandas as pd

for d in sys.argv[1:]:
    fc = pd.read_parquet(f"{d}/data/07_model_output/forecast_daily.parquet")
    fut = pd.read_csv(f"{d}/data/ground_truth/future_daily.csv", parse_dates=["date"])
    cells = []
    for metric, col in (("conversions", "conversions"), ("revenue", "revenue_usd")):
        f = fc[(fc.series == "total") & (fc.metric == metric) & fc.is_forecast].merge(fut, on="date")
        a = f[col].to_numpy()
        ins = ((a >= f.yhat_lower) & (a <= f.yhat_upper)).to_numpy()
        cells.append(f"{metric} days 1-14 {ins[:14].mean():.2f}, days 15-56 {ins[14:].mean():.2f}")
    print(d, " | ".join(cells))
