"""Events pipeline wiring."""

from kedro.pipeline import Node, Pipeline

from roi_ml.pipelines.events.nodes import make_journeys, make_path_table


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(make_journeys,
             ["sessions", "conversion_events", "orders", "creators", "posts", "params:events"],
             ["journeys", "journey_touches"], name="build_journeys"),
        Node(make_path_table, ["journeys", "journey_touches", "params:events"], "path_table",
             name="aggregate_paths"),
    ])
