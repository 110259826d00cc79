"""KPIs for every metric of the spec, deduplicated reach, authenticity, sentiment, compliance."""

from roi_ml.pipelines.kpis.pipeline import create_pipeline

__all__ = ["create_pipeline"]
