"""Forecasting pipeline wiring: the forecast part and the budget part, each wired in its own module."""

from kedro.pipeline import Pipeline

from roi_ml.pipelines.forecasting.budget_pipeline import create_budget_pipeline
from roi_ml.pipelines.forecasting.forecast_pipeline import create_forecast_pipeline


def create_pipeline(**kwargs) -> Pipeline:
    return create_forecast_pipeline() + create_budget_pipeline()
