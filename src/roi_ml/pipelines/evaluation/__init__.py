"""Scores every model against the simulator's ground truth (the only reader of the truth)."""

from roi_ml.pipelines.evaluation.pipeline import create_pipeline

__all__ = ["create_pipeline"]
