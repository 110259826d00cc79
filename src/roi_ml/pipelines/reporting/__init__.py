"""Reporting pipeline: the self-contained HTML dashboard and the daily summary."""

from roi_ml.pipelines.reporting.pipeline import create_pipeline

__all__ = ["create_pipeline"]
