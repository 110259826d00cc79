"""Creator scoring: ROI per creator × campaign and overall, the 0–100 performance score and the
next-campaign ROI model (XGBoost + SHAP, registered as roi_ml_creator_roi)."""

from roi_ml.pipelines.creator_scoring.pipeline import create_pipeline

__all__ = ["create_pipeline"]
