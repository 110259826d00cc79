"""Recommendations pipeline wiring: KPI, attribution, score and allocation tables → six ranked
tables (data/08_reporting/recommendations/, CSV each + recommendations.xlsx) and the alerts
(data/08_reporting/alerts.csv). Wiring only; the logic is in roi_ml.recommendations.

Nodes that read the creator_scoring outputs (creator_scores) or the forecasting outputs
(budget_allocation, budget_pacing) are wired only when that pipeline is part of the project and
produces them (UPSTREAM below), so the default run works while one of them is absent.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from kedro.pipeline import Node, Pipeline

from roi_ml.pipelines.recommendations import nodes
from roi_ml.recommendations import TABLES

P = "params:recommendations"
A = "params:alerts"
POST_CONV = "recommendation_post_conversions"
CREATOR_REV = "recommendation_creator_revenue"
SOURCE_DATES = "alert_source_dates"
# datasets -> the pipeline that writes them (a folder under roi_ml/pipelines)
UPSTREAM = {"creator_scores": "creator_scoring", "budget_allocation": "forecasting",
            "budget_pacing": "forecasting"}
FRESHNESS_SOURCES = ("post_daily_metrics", "orders", "leads", "comments", "mentions")


def upstream_available(dataset: str) -> bool:
    """Whether the pipeline producing `dataset` is part of this project and produces it."""
    module = f"roi_ml.pipelines.{UPSTREAM[dataset]}"
    if find_spec(module) is None:
        return False
    return dataset in import_module(module).create_pipeline().all_outputs()


def create_pipeline(**kwargs) -> Pipeline:
    scores, allocation, pacing = (upstream_available(d) for d in
                                  ("creator_scores", "budget_allocation", "budget_pacing"))
    steps = [
        Node(nodes.select_post_conversions, ["post_attribution", P], POST_CONV,
             name="select_post_conversions"),
        Node(nodes.select_creator_revenue, ["creator_attribution", P], CREATOR_REV,
             name="select_creator_revenue"),
        Node(nodes.build_posting_windows, ["kpi_post", POST_CONV, P],
             ["posting_windows", "posting_window_norms"], name="build_posting_windows"),
        Node(nodes.build_content_formats, ["kpi_post", "creators", "posts", POST_CONV, P],
             "content_formats", name="build_content_formats"),
        Node(nodes.build_budget_signals, ["kpi_creator_campaign", POST_CONV, "campaigns", P],
             "budget_signals", name="build_budget_signals"),
    ]
    if allocation:
        steps.append(Node(nodes.build_budget_reallocation, ["budget_allocation", P],
                          "budget_reallocation", name="build_budget_reallocation"))
    else:  # forecasting absent: an empty table with the right columns
        steps.append(Node(nodes.empty_budget_reallocation, P, "budget_reallocation",
                          name="empty_budget_reallocation"))
    if scores:
        steps.append(Node(nodes.build_partnership_decisions,
                          ["creator_scores", "creator_authenticity", P], "partnership_decisions",
                          name="build_partnership_decisions"))
    else:  # creator_scoring absent: an empty table with the right columns
        steps.append(Node(nodes.empty_partnership_decisions, P, "partnership_decisions",
                          name="empty_partnership_decisions"))
    steps += [
        Node(nodes.build_creator_suggestions,
             ["kpi_post", POST_CONV, "posting_windows", "partnership_decisions", P],
             "creator_suggestions", name="build_creator_suggestions"),
        Node(nodes.assemble_workbook, list(TABLES), "recommendations_workbook",
             name="assemble_recommendations_workbook"),
        Node(nodes.collect_source_dates, {"params": A, **{s: s for s in FRESHNESS_SOURCES}},
             SOURCE_DATES, name="collect_source_dates"),
    ]
    alert_inputs = {"params": A, "kpi_campaign": "kpi_campaign", "kpi_post": "kpi_post",
                    "non_compliant_posts": "non_compliant_posts",
                    "creator_authenticity": "creator_authenticity",
                    "source_dates": SOURCE_DATES, "creator_revenue": CREATOR_REV}
    if scores:
        alert_inputs["creator_scores"] = "creator_scores"
    if pacing:
        alert_inputs["budget_pacing"] = "budget_pacing"
    steps += [
        Node(nodes.build_alert_table, alert_inputs, "alerts", name="build_alerts"),
        Node(nodes.recommendation_metrics, {"alerts_table": "alerts", **{t: t for t in TABLES}},
             "recommendation_metrics", name="recommendation_metrics"),
    ]
    return Pipeline(steps, tags=["recommendations"])
