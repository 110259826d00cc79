"""Credit per post, creator, campaign, platform and channel for every attribution model."""

from roi_ml.pipelines.attribution.pipeline import create_pipeline

__all__ = ["create_pipeline"]
