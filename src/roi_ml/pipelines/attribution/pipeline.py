"""Attribution pipeline wiring: journeys → credit per model → roll-ups → model comparison.

One credit node per model, each under its own namespace (``attribution.<model>``) from the same
template; `attribution.models` in conf/base/parameters_attribution.yml picks which run.
The data_driven model has its own chain (`_data_driven`: inputs → conversion model and credit
→ view-through) and joins the others through CREDIT_INPUTS like any model writing a table with
`nodes.ENTITY_CREDIT_COLUMNS`.
"""

from functools import partial, update_wrapper

from kedro.pipeline import Node, Pipeline

from roi_ml.attribution import MODELS
from roi_ml.pipelines.attribution import data_driven_nodes as dd
from roi_ml.pipelines.attribution import nodes

P = "params:attribution"
INPUTS = ["attribution_journeys", "attribution_touches", "attribution_entities"]
CREDIT_INPUTS = [f"attribution.{m}.entity_credit" for m in (*MODELS, "data_driven")]


def _credit_template(model: str) -> Pipeline:
    func = update_wrapper(partial(nodes.credit_model, model=model), nodes.credit_model)
    return Pipeline([Node(func, [*INPUTS, P], "entity_credit", name="credit")],
                    namespace=f"attribution.{model}", inputs=set(INPUTS), parameters={P})


def _data_driven() -> Pipeline:
    """The data_driven model (namespace attribution.data_driven): conversion model + Shapley
    credit, then view-through; its final credit is attribution.data_driven.entity_credit."""
    outside = {"journeys", "journey_touches", "sessions", "posts", "creators", "post_daily_metrics",
               "creator_authenticity", *INPUTS}
    return Pipeline([
        Node(dd.prepare_data_driven_inputs,
             ["journeys", "journey_touches", "sessions", "posts", "creators", P],
             ["data_driven_touches", "data_driven_journeys"], name="prepare_inputs"),
        Node(dd.credit_data_driven_model,
             ["data_driven_touches", "data_driven_journeys", *INPUTS, P],
             ["click_entity_credit", "data_driven_click_credit", "click_intervals",
              "attribution_conversion_model", "attribution_data_driven_metrics"], name="credit"),
        Node(dd.estimate_view_through_node,
             ["data_driven_click_credit", *INPUTS, "posts", "post_daily_metrics", "creators",
              "creator_authenticity", P],
             "data_driven_view_through", name="estimate_view_through"),
        Node(dd.add_view_through,
             ["click_entity_credit", "data_driven_view_through", "click_intervals",
              "attribution_entities", "posts", "post_daily_metrics"],
             ["entity_credit", "data_driven_creator_intervals"], name="add_view_through"),
    ], namespace="attribution.data_driven", inputs=outside, parameters={P},
        outputs={"data_driven_touches", "data_driven_journeys", "data_driven_click_credit",
                 "attribution_conversion_model", "attribution_data_driven_metrics",
                 "data_driven_view_through", "data_driven_creator_intervals"})


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(nodes.prepare_attribution_inputs, ["journeys", "journey_touches"],
             ["attribution_journeys", "attribution_touches"], name="prepare_attribution_inputs"),
        Node(nodes.describe_entities, ["journey_touches", "posts"], "attribution_entities",
             name="describe_attribution_entities"),
        *[_credit_template(m) for m in MODELS],
        _data_driven(),
        Node(nodes.combine_model_credit, CREDIT_INPUTS, "entity_attribution",
             name="combine_model_credit", namespace="attribution"),
        Node(nodes.roll_up_credit,
             ["entity_attribution", "attribution_entities", "creators", "posts", "campaigns",
              "data_driven_creator_intervals"],
             ["post_attribution", "creator_attribution", "campaign_attribution",
              "platform_attribution", "channel_attribution"], name="roll_up_credit"),
        Node(nodes.compare_models,
             ["post_attribution", "creator_attribution", "campaign_attribution",
              "platform_attribution", "channel_attribution", P],
             ["attribution_model_comparison", "attribution_metrics"], name="compare_models"),
    ])
