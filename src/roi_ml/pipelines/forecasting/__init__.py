"""Forecasting pipeline: Prophet forecasts and pacing (forecast_pipeline.py), per-creator
response curves and the budget allocator (budget_pipeline.py)."""

from roi_ml.pipelines.forecasting.pipeline import create_pipeline

__all__ = ["create_pipeline"]
