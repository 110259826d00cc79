"""Attribution algorithms: credit per touchpoint entity (post, creator or channel) per model.

A plain Python package (no Kedro): a notebook or a pipeline node imports it. Two input shapes:

* journey level — ``touches`` [journey_id, position, entity, timestamp?] and ``journeys``
  [journey_id, converted, conversions?, value?, conversion_time?, journey_count?]; see
  `roi_ml.attribution.journeys`. Use `credit_journeys` (one model) or the estimators.
* aggregated paths — [path, conversions, value?, non_conversions?]; use `attribute_paths`, or
  `paths_to_journeys` to get journey-level frames.

Models: last_touch, first_touch, linear, time_decay, position_based (`rule_credit`), markov
(`MarkovAttribution`, exact removal effects, order k) and shapley (`ShapleyAttribution`).
Every model credits each converting journey's conversions and value exactly (the credit sums to
them), applies ``max_path_length`` the same way (keep the last N touches), credits converting
journeys without touches to ``"(none)"`` and is deterministic.

    >>> from roi_ml.attribution import credit_journeys, attribute_paths
    >>> credit = credit_journeys(touches, journeys, "markov", order=2)       # doctest: +SKIP
    >>> attribute_paths(paths, models=("linear", "markov", "shapley"))       # doctest: +SKIP

Benchmark: ``python -m roi_ml.attribution.benchmark`` (1M journeys, 20 channels).
"""

from roi_ml.attribution.api import (
    MODEL_PARAMS,
    MODELS,
    attribute_paths,
    credit_journeys,
    summarise_credit,
)
from roi_ml.attribution.errors import AttributionInputError
from roi_ml.attribution.journeys import CREDIT_COLUMNS, NONE_ENTITY, encode_journeys
from roi_ml.attribution.markov import MarkovAttribution
from roi_ml.attribution.paths import journeys_to_paths, paths_to_journeys, validate_path_table
from roi_ml.attribution.rules import RULE_MODELS, rule_credit
from roi_ml.attribution.shapley import ShapleyAttribution

__all__ = [
    "CREDIT_COLUMNS",
    "MODELS",
    "MODEL_PARAMS",
    "NONE_ENTITY",
    "RULE_MODELS",
    "AttributionInputError",
    "MarkovAttribution",
    "ShapleyAttribution",
    "attribute_paths",
    "credit_journeys",
    "encode_journeys",
    "journeys_to_paths",
    "paths_to_journeys",
    "rule_credit",
    "summarise_credit",
    "validate_path_table",
]
