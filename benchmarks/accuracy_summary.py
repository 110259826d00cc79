"""The summary rows of docs/accuracy.md from one full run per seed.

    python benchmarks/accuracy_summary.py PROJECT_DIR [PROJECT_DIR ...]

Each PROJECT_DIR holds a full default run of one medium world (e.g. the work directory of
`roi-ml bench --size medium --seed S`); its data/08_reporting/evaluation.json and
forecast_cv_results.parquet are read. One column per directory, in the order given.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd


def cv_figure(project: Path, metric: str, column: str) -> float:
    """A column of the selected spec's row of the forecast CV table (nan when the history was
    too short for the CV, e.g. on small)."""
    c = pd.read_parquet(project / "data" / "08_reporting" / "forecast_cv_results.parquet")
    if c.empty or column not in c.columns:
        return float("nan")
    row = c.loc[c["selected"].astype(bool) & (c["metric"] == metric), column]
    return float(row.iloc[0]) if len(row) else float("nan")


def cv_windows_in_band(project: Path, low: float = 0.70, high: float = 0.90) -> str:
    """How many of the CV folds' windows (both metrics) the shipped interval covers within
    [low, high] on their own: "k of n" ("–" without the per-fold column)."""
    c = pd.read_parquet(project / "data" / "08_reporting" / "forecast_cv_results.parquet")
    column = "cv_fold_full_coverages_all_days"
    if c.empty or column not in c.columns:
        return "–"
    values = [float(v) for text in c.loc[c["selected"].astype(bool), column]
              for v in str(text).split(",") if v and v != "nan"]
    return f"{sum(low <= v <= high for v in values)} of {len(values)}"


def rows(project: Path) -> dict[str, str]:
    e = json.loads((project / "data" / "08_reporting" / "evaluation.json").read_text())
    att, fc, cs, k = e["attribution"], e["forecasting"], e["creator_scoring"], e["kpis"]
    dd, lt = att["data_driven"], att["last_touch"]
    conv, rev = fc["total_conversions"], fc["total_revenue"]
    last = cs["next_roi_last_campaign"]

    def pair(a: float, b: float, fmt: str = ".2f") -> str:
        return f"{a:{fmt}} / {b:{fmt}}"

    def pacing(p: dict, prefix: str, count: str) -> str:
        n = int(p.get(count, 0))
        if not n:
            return "none"
        return (f"{100 * p[prefix + 'mean_abs_relative_error']:.1f} %, "
                f"{round(p[prefix + 'interval_coverage'] * n)} of {n}")

    def cv(col: str) -> str:
        return pair(cv_figure(project, "conversions", col), cv_figure(project, "revenue", col))

    return {
        "3 · data_driven creator-share TVD": f"{dd['tvd']:.3f}",
        "3 · data_driven TVD ÷ last_touch TVD": f"{dd['tvd'] / lt['tvd']:.2f}",
        "3 · last_touch / time_decay / markov TVD": " / ".join(
            f"{att[m]['tvd']:.3f}" for m in ("last_touch", "time_decay", "markov")),
        "3 · data_driven Spearman, top-10 overlap": f"{dd['spearman']:.2f}, {dd['top10_overlap']:.1f}",
        "5 · next-campaign ROI Spearman, model (naive)":
            f"{last['spearman_model']:.3f} ({last['spearman_naive']:.3f})",
        "5 · performance score vs true ROI, Spearman":
            f"{cs['performance_score']['spearman_performance_score_vs_true_roi']:.3f}",
        "6 · forecast MASE conversions / revenue": pair(conv["mase"], rev["mase"]),
        "6 · seasonal-naive MASE, same window": pair(conv["naive_mase"], rev["naive_mase"]),
        "6 · 80 % interval coverage conversions / revenue":
            pair(conv["coverage"], rev["coverage"], ".3f"),
        "6 · CV MASE conversions / revenue": cv("cv_mase"),
        "6 · CV coverage of the shipped interval, every day": cv("cv_full_coverage_all_days"),
        "6 · CV windows (folds × metrics) whose own coverage is in 0.70–0.90": cv_windows_in_band(project),
        "6 · pacing, live campaigns: mean abs. error of projected final spend, inside the interval":
            pacing(fc["pacing"], "", "live_campaigns"),
        "6 · pacing, planned campaigns: the same": pacing(fc["pacing"], "planned_", "planned_campaigns"),
        "6 · allocation capture of the true-optimal gain (naive)":
            f"{e['budget']['capture']:.3f} ({e['budget']['naive_capture']:.3f})",
        "4 · campaign reach relative error, mean / max":
            pair(k["reach"]["relative_error_mean"], k["reach"]["relative_error_max"], ".4f"),
        "4 · authenticity precision / recall":
            pair(k["authenticity"]["precision"], k["authenticity"]["recall"], ".3f"),
        "4 · comment sentiment accuracy": f"{k['sentiment']['accuracy']:.3f}",
    }


def main(paths: list[str]) -> None:
    columns = [rows(Path(p)) for p in paths]
    for name in columns[0]:
        print(f"| {name} | " + " | ".join(col[name] for col in columns) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
