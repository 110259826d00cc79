"""Ranked recommendation tables (budget moves, partnerships, posting windows, formats,
suggestions, budget signals) and the alert table."""

from roi_ml.pipelines.recommendations.pipeline import create_pipeline

__all__ = ["create_pipeline"]
