"""Creator scoring wiring: attribution credit + contracts → ROI per creator × campaign →
features as of each campaign's start → time-ordered backtest → model, next-campaign ROI and
SHAP drivers → creator_scores. Logic in roi_ml.creators; nodes adapt."""

from __future__ import annotations

from kedro.pipeline import Node, Pipeline

from roi_ml.pipelines.creator_scoring import nodes

P = "params:creator_scoring"
AS_OF = "creator_scoring_as_of"


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(nodes.resolve_as_of, [P, "post_daily_metrics"], AS_OF, name="resolve_creator_scoring_as_of"),
        Node(nodes.compute_campaign_roi,
             ["contracts", "campaigns", "post_attribution", "kpi_creator_campaign", AS_OF, P],
             "creator_campaign_roi", name="compute_creator_campaign_roi"),
        Node(nodes.campaign_history,
             ["creator_campaign_roi", "contracts", "campaigns", "kpi_creator_campaign", "kpi_post", P],
             "creator_campaign_history", name="assemble_creator_campaign_history"),
        Node(nodes.build_roi_features, ["creator_campaign_history", "creators", "creator_platforms", P],
             "creator_roi_features", name="build_creator_roi_features"),
        Node(nodes.backtest_roi_model,
             ["creator_roi_features", "creators", "creator_platforms", AS_OF, P],
             "creator_roi_backtest", name="backtest_creator_roi_model"),
        Node(nodes.train_roi_model,
             ["creator_roi_features", "creator_campaign_history", "creator_roi_backtest", "creators",
              "creator_platforms", AS_OF, P],
             ["creator_roi_model", "creator_next_roi", "creator_roi_shap_summary",
              "creator_roi_model_metrics"], name="train_creator_roi_model"),
        Node(nodes.score_creators,
             ["creator_campaign_roi", "creator_campaign_history", "creators", "kpi_post", "contracts",
              "creator_attribution", "creator_next_roi", AS_OF, P],
             "creator_scores", name="score_creators"),
        Node(nodes.scoring_metrics, ["creator_scores", "creator_roi_model_metrics"],
             "creator_scoring_metrics", name="log_creator_scoring_metrics"),
    ])
