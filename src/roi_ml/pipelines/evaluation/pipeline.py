"""Evaluation pipeline wiring."""

from kedro.pipeline import Node, Pipeline

from roi_ml.pipelines.evaluation.nodes import assemble_evaluation, score_ingestion


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(score_ingestion, ["ground_truth", "orders", "posts", "conversion_events"],
             "evaluation_ingestion", name="score_ingestion_against_truth"),
        Node(assemble_evaluation, ["evaluation_ingestion"],
             ["evaluation_report", "evaluation_metrics"], name="assemble_evaluation"),
    ])
