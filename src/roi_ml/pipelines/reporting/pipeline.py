"""Reporting pipeline wiring: model outputs -> data/08_reporting/dashboard.html and the daily
summary. Wiring only; the views are in roi_ml.reporting.views."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from roi_ml.pipelines.reporting import nodes

P = "params:reporting"
TARGETS = "params:kpis.targets"

# Dashboard inputs by DashboardInputs field name -> catalog entry.
DASHBOARD_INPUTS = {
    "kpi_campaign": "kpi_campaign",
    "kpi_creator": "kpi_creator",
    "kpi_creator_campaign": "kpi_creator_campaign",
    "kpi_post": "kpi_post",
    "kpi_daily": "kpi_daily",
    "kpi_campaign_daily": "kpi_campaign_daily",
    "creator_authenticity": "creator_authenticity",
    "non_compliant_posts": "non_compliant_posts",
    "campaigns": "campaigns",
    "creator_attribution": "creator_attribution",
    "attribution_model_comparison": "attribution_model_comparison",
}


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(nodes.build_dashboard, {"params": P, "targets": TARGETS, **DASHBOARD_INPUTS},
             "dashboard_html", name="build_dashboard"),
        Node(nodes.build_daily_summary,
             {"kpi_daily": "kpi_daily", "kpi_campaign": "kpi_campaign",
              "alerts_seen_previous": "alerts_seen_previous", "params": P, "targets": TARGETS},
             ["daily_summary_md", "daily_summary_html", "alerts_seen"], name="build_daily_summary"),
    ])
