"""Evaluation pipeline wiring: one scoring node per section, then one node that assembles them.

To score a new part of roi_ml, write its scoring function in a module of this package and add
one line to SECTIONS: (section name, function, its catalog inputs). The function's first input
is always `ground_truth`; it returns a JSON-able dict (or a skip note when there is no truth).
"""

from kedro.pipeline import Node, Pipeline

from roi_ml.pipelines.evaluation.attribution import score_attribution
from roi_ml.pipelines.evaluation.budget import score_budget
from roi_ml.pipelines.evaluation.creator_scoring import score_creator_scoring
from roi_ml.pipelines.evaluation.forecasting import score_forecasting
from roi_ml.pipelines.evaluation.kpis import score_kpis
from roi_ml.pipelines.evaluation.nodes import assemble_evaluation, score_ingestion
from roi_ml.pipelines.evaluation.recommendations import score_recommendations

SECTIONS = [
    ("ingestion", score_ingestion, ["ground_truth", "orders", "posts", "conversion_events"]),
    ("kpis", score_kpis, ["ground_truth", "kpi_campaign", "creator_authenticity", "comment_sentiment"]),
    ("attribution", score_attribution, ["ground_truth", "creator_attribution", "attribution_journeys",
                                        "attribution_touches", "attribution_entities", "params:attribution"]),
    ("recommendations", score_recommendations, ["ground_truth", "posting_windows", "posting_window_norms",
                                                "content_formats", "budget_signals", "kpi_creator_campaign",
                                                "post_attribution", "params:recommendations"]),
    ("creator_scoring", score_creator_scoring, ["ground_truth", "creator_roi_backtest", "creator_scores",
                                                "creator_campaign_roi", "params:creator_scoring"]),
    ("forecasting", score_forecasting, ["ground_truth", "forecast_daily", "budget_pacing"]),
    ("budget", score_budget, ["ground_truth", "budget_allocation", "response_curves"]),
]


def create_pipeline(**kwargs) -> Pipeline:
    scoring = [Node(func, inputs, f"evaluation_{name}", name=f"score_{name}_against_truth")
               for name, func, inputs in SECTIONS]
    assemble = Node(assemble_evaluation, {name: f"evaluation_{name}" for name, _, _ in SECTIONS},
                    ["evaluation_report", "evaluation_metrics"], name="assemble_evaluation")
    return Pipeline([*scoring, assemble])
