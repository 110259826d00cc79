"""Reporting pipeline wiring: model outputs -> data/08_reporting/dashboard.html and the daily
summary. Wiring only; the views are in roi_ml.reporting.views.

Inputs written by the creator_scoring, forecasting and recommendations pipelines (UPSTREAM
below) are wired only when some other pipeline of the project outputs them, so the default run
works while one of them is absent; the dashboard then shows a "no data" note in place of the
charts they feed.
"""

from __future__ import annotations

import pkgutil
from functools import cache
from importlib import import_module

from kedro.pipeline import Node, Pipeline

from roi_ml.pipelines.reporting import nodes

P = "params:reporting"
TARGETS = "params:kpis.targets"

# Dashboard inputs always present (DashboardInputs field name = catalog entry).
DASHBOARD_INPUTS = [
    "kpi_campaign", "kpi_creator", "kpi_creator_campaign", "kpi_post", "kpi_daily",
    "kpi_campaign_daily", "creator_authenticity", "non_compliant_posts", "campaigns",
    "creator_attribution", "attribution_model_comparison",
]
# Optional inputs -> the pipeline expected to write them (for people; the wiring looks at what
# every other pipeline actually outputs).
UPSTREAM = {
    "creator_scores": "creator_scoring", "creator_campaign_roi": "creator_scoring",
    "forecast_daily": "forecasting", "budget_pacing": "forecasting",
    "response_curve_points": "forecasting", "budget_allocation": "forecasting",
    "alerts": "recommendations", "partnership_decisions": "recommendations",
    "creator_suggestions": "recommendations", "budget_reallocation": "recommendations",
    "budget_signals": "recommendations", "content_formats": "recommendations",
    "posting_windows": "recommendations",
}


@cache
def _outputs_of_other_pipelines() -> frozenset[str]:
    import roi_ml.pipelines as pkg

    outputs: set[str] = set()
    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.ispkg and mod.name != "reporting":
            outputs |= import_module(f"{pkg.__name__}.{mod.name}").create_pipeline().all_outputs()
    return frozenset(outputs)


def upstream_available(dataset: str) -> bool:
    """Whether another pipeline of this project outputs `dataset`."""
    return dataset in _outputs_of_other_pipelines()


def dashboard_inputs() -> dict[str, str]:
    """DashboardInputs field -> catalog entry, for every input this project produces."""
    names = DASHBOARD_INPUTS + [d for d in UPSTREAM if upstream_available(d)]
    return {name: name for name in names}


def create_pipeline(**kwargs) -> Pipeline:
    summary_inputs = {"kpi_daily": "kpi_daily", "kpi_campaign": "kpi_campaign",
                      "alerts_seen_previous": "alerts_seen_previous", "params": P,
                      "targets": TARGETS}
    if upstream_available("alerts"):
        summary_inputs["alerts"] = "alerts"
    return Pipeline([
        Node(nodes.build_dashboard, {"params": P, "targets": TARGETS, **dashboard_inputs()},
             "dashboard_html", name="build_dashboard"),
        Node(nodes.build_daily_summary, summary_inputs,
             ["daily_summary_md", "daily_summary_html", "alerts_seen"], name="build_daily_summary"),
    ])
