"""Wiring of the forecast part of the forecasting pipeline (nodes in forecast_nodes.py)."""

from kedro.pipeline import Node, Pipeline

from roi_ml.pipelines.forecasting.forecast_nodes import (
    build_forecast_history,
    build_forecast_spend,
    build_post_response,
    forecast_all_series,
    pace_budgets,
    tune_forecast_models,
)


def create_forecast_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(build_forecast_history,
             ["orders", "leads", "conversion_events", "journeys", "journey_touches", "posts",
              "campaigns", "campaign_attribution", "platform_attribution", "mentions",
              "params:forecasting"],
             "forecast_history", name="build_forecast_history"),
        Node(build_forecast_spend,
             ["posts", "contracts", "campaigns", "forecast_history", "params:forecasting"],
             "forecast_spend", name="build_forecast_spend"),
        Node(build_post_response, ["journeys", "journey_touches"], "forecast_post_response",
             name="build_forecast_post_response"),
        Node(tune_forecast_models,
             ["forecast_history", "forecast_spend", "forecast_post_response", "posts",
              "contracts", "campaigns", "params:forecasting"],
             "forecast_cv_results", name="tune_forecast_models_by_rolling_origin_cv"),
        Node(forecast_all_series,
             ["forecast_history", "forecast_spend", "forecast_cv_results",
              "forecast_post_response", "posts", "contracts", "campaigns", "params:forecasting"],
             ["forecast_daily", "conversion_forecast_model", "forecasting_metrics"],
             name="forecast_all_series"),
        Node(pace_budgets,
             ["campaigns", "contracts", "posts", "forecast_history", "params:forecasting"],
             "budget_pacing", name="pace_campaign_budgets"),
    ])
