"""Wiring of the budget part of the forecasting pipeline: contracts and attributed credit →
per-creator response curves → next period's allocation (nodes in budget_nodes.py, model logic
in roi_ml.budget)."""

from kedro.pipeline import Node, Pipeline

from roi_ml.pipelines.forecasting import budget_nodes as nodes

P = "params:budget"


def create_budget_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(nodes.build_budget_contracts,
             ["contracts", "campaigns", "posts", "post_attribution", P],
             "budget_contracts", name="build_budget_contracts"),
        Node(nodes.fit_response_curves, ["budget_contracts", "creators", "kpi_creator", P],
             ["response_curves", "response_curve_points", "response_curve_model"],
             name="fit_response_curves"),
        Node(nodes.allocate_budget, ["response_curve_model", "budget_contracts", P],
             ["budget_allocation", "budget_allocation_summary", "budget_metrics"],
             name="allocate_budget"),
    ])
