"""Ingestion pipeline: raw exports -> canonical tables, rejected rows and a row-count report."""

from roi_ml.pipelines.ingestion.pipeline import create_pipeline

__all__ = ["create_pipeline"]
