"""Journeys and aggregated paths from sessions, conversions and orders (Ibis)."""

from roi_ml.pipelines.events.pipeline import create_pipeline

__all__ = ["create_pipeline"]
