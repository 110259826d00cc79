"""Attribution pipeline wiring: journeys → credit per model → roll-ups → model comparison.

One credit node per model, each under its own namespace (``attribution.<model>``) from the same
template; `attribution.models` in conf/base/parameters_attribution.yml picks which run.
A model built elsewhere (e.g. data_driven) joins by writing a table with
`nodes.ENTITY_CREDIT_COLUMNS` and adding its dataset name to CREDIT_INPUTS.
"""

from functools import partial, update_wrapper

from kedro.pipeline import Node, Pipeline

from roi_ml.attribution import MODELS
from roi_ml.pipelines.attribution import nodes

P = "params:attribution"
INPUTS = ["attribution_journeys", "attribution_touches", "attribution_entities"]
CREDIT_INPUTS = [f"attribution.{m}.entity_credit" for m in MODELS]


def _credit_template(model: str) -> Pipeline:
    func = update_wrapper(partial(nodes.credit_model, model=model), nodes.credit_model)
    return Pipeline([Node(func, [*INPUTS, P], "entity_credit", name="credit")],
                    namespace=f"attribution.{model}", inputs=set(INPUTS), parameters={P})


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([
        Node(nodes.prepare_attribution_inputs, ["journeys", "journey_touches"],
             ["attribution_journeys", "attribution_touches"], name="prepare_attribution_inputs"),
        Node(nodes.describe_entities, ["journey_touches", "posts"], "attribution_entities",
             name="describe_attribution_entities"),
        *[_credit_template(m) for m in MODELS],
        Node(nodes.combine_model_credit, CREDIT_INPUTS, "entity_attribution",
             name="combine_model_credit", namespace="attribution"),
        Node(nodes.roll_up_credit,
             ["entity_attribution", "attribution_entities", "creators", "posts", "campaigns"],
             ["post_attribution", "creator_attribution", "campaign_attribution",
              "platform_attribution", "channel_attribution"], name="roll_up_credit"),
        Node(nodes.compare_models,
             ["post_attribution", "creator_attribution", "campaign_attribution",
              "platform_attribution", "channel_attribution", P],
             ["attribution_model_comparison", "attribution_metrics"], name="compare_models"),
    ])
