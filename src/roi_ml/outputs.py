"""`roi-ml outputs`: where the last run's outputs are, and how to look at them."""

from __future__ import annotations

from pathlib import Path

# (path, what it is) — the files a user opens after `make demo`.
KEY_OUTPUTS = [
    ("data/02_intermediate/", "canonical tables (Parquet) made from your raw exports"),
    ("data/02_intermediate/rejected_rows.parquet", "rows quarantined by ingestion, with reasons"),
    ("data/08_reporting/ingestion_report.json", "rows read / kept / rejected per source"),
    ("data/03_primary/journeys.parquet", "converting and non-converting journeys (events)"),
    ("data/07_model_output/kpi_campaign.parquet", "every spec KPI per campaign, with target and status"),
    ("data/07_model_output/kpi_creator.parquet", "KPIs per creator (also per post, creator x campaign, platform)"),
    ("data/08_reporting/kpi_daily.parquet", "daily KPI series for trend charts"),
    ("data/07_model_output/creator_authenticity.parquet", "authenticity score, flag and reasons per creator"),
    ("data/08_reporting/non_compliant_posts.parquet", "posts without a disclosure"),
    ("data/07_model_output/creator_attribution.parquet", "conversions and revenue per creator x attribution model"),
    ("data/08_reporting/attribution_model_comparison.parquet", "the attribution models side by side"),
    ("data/07_model_output/creator_campaign_roi.parquet", "ROI, ROAS, CPA per creator x campaign, with intervals"),
    ("data/07_model_output/creator_scores.parquet", "performance score 0-100, ROI trend, predicted next ROI and its drivers"),
    ("data/08_reporting/creator_roi_shap_summary.png", "what drives the next-campaign ROI model (SHAP)"),
    ("data/07_model_output/forecast_daily.parquet", "8-week forecasts of conversions and revenue, with intervals"),
    ("data/07_model_output/budget_pacing.parquet", "projected end-of-campaign spend against plan"),
    ("data/07_model_output/response_curves.parquet", "per-creator response curve of revenue against spend"),
    ("data/07_model_output/budget_allocation.parquet", "next period's budget per creator, with bounds and marginal ROI"),
    ("data/08_reporting/recommendations/", "ranked recommendations, one CSV per table (docs/metrics.md)"),
    ("data/08_reporting/recommendations/recommendations.xlsx", "the same tables, one sheet each"),
    ("data/08_reporting/alerts.csv", "critical / warning / success alerts with stable ids"),
    ("data/08_reporting/evaluation.json", "model scores against the simulator's ground truth"),
    ("data/08_reporting/dashboard.html", "the dashboard: one self-contained page, open it in a browser"),
    ("data/08_reporting/daily_summary.html", "daily summary email: key metrics vs target, new alerts (also .md)"),
]


def print_outputs(root: str | Path = ".") -> None:
    root = Path(root)
    print("\nroi_ml outputs:")
    for rel, what in KEY_OUTPUTS:
        path = root / rel
        mark = "ok " if path.exists() else "-- "
        print(f"  {mark}{rel:<48} {what}")
    print("\nBrowse runs, metrics and registered models in the MLflow UI:")
    print("  .venv/bin/mlflow ui --backend-store-uri sqlite:///mlflow.db    (then open http://127.0.0.1:5000)")
    print("Browse the pipelines:  .venv/bin/kedro viz run")
