"""The evaluation's bootstrap applies resample draws as weights on journeys encoded once
(issue 8): it must give exactly the creator credit of the materialised resample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from attribution_world import params

from roi_ml.attribution import MODELS
from roi_ml.pipelines.attribution.config import AttributionConfig
from roi_ml.pipelines.attribution.nodes import credit_entities
from roi_ml.pipelines.evaluation.attribution import (
    _creator_totals,
    _EncodedModel,
    resample_converting,
    resample_counts,
)


def _encoded(world, cfg, model):
    j = world["attribution_journeys"]
    conv_ids = pd.Index(j["journey_id"][j["converted"].to_numpy()])
    return _EncodedModel(j, world["attribution_touches"], world["attribution_entities"], cfg,
                         model, conv_ids, {}), conv_ids


def test_resample_counts_are_the_draws_of_the_materialised_resample(world):
    j = world["attribution_journeys"]
    conv = j[j["converted"]].reset_index(drop=True)
    k = resample_counts(len(conv), np.random.default_rng(7))
    r = resample_converting(j, np.random.default_rng(7))
    drawn = r[r["converted"]].set_index("journey_id")["journey_count"]
    expected = pd.Series(k, index=conv["journey_id"].to_numpy())
    assert k.sum() == len(conv)
    pd.testing.assert_series_equal(drawn, expected[expected > 0], check_names=False,
                                   check_index_type=False)


def test_last_touch_by_hand_with_given_draw_counts(world):
    # converting journeys c1..c5 (one conversion each); last touches: c1 → P3 (CR2), c2 →
    # direct, c3 → P1 (CR1), c4 → "(none)", c5 → P3 (CR2). Draws k = (2, 0, 1, 0, 3):
    # CR1 = 1 × c3 = 1; CR2 = 2 × c1 + 3 × c5 = 5.
    enc, conv_ids = _encoded(world, AttributionConfig.from_params(params()), "last_touch")
    assert list(conv_ids) == ["c1", "c2", "c3", "c4", "c5"]
    got = enc.creator_conversions(np.array([2.0, 0.0, 1.0, 0.0, 3.0]))
    assert got.to_dict() == {"CR1": 1.0, "CR2": 5.0}


@pytest.mark.parametrize("levels", [("creator", "post"), ("post", "creator")])
def test_weighted_resample_equals_the_materialised_one(world, levels):
    markov_level, shapley_level = levels
    p = params()
    p["model_params"]["markov"]["level"] = markov_level
    p["model_params"]["shapley"]["level"] = shapley_level
    cfg = AttributionConfig.from_params(p)
    j, t, e = (world[k] for k in ("attribution_journeys", "attribution_touches",
                                  "attribution_entities"))
    n_conv = int(j["converted"].sum())
    for seed in (0, 1, 2):
        k = resample_counts(n_conv, np.random.default_rng(seed))
        sample = resample_converting(j, np.random.default_rng(seed))
        touches = t[t["journey_id"].isin(sample["journey_id"])]
        for model in MODELS:
            totals, _ = credit_entities(sample, touches, e, cfg, model)
            expected = _creator_totals(totals, e)
            got = _encoded(world, cfg, model)[0].creator_conversions(k)
            idx = expected.index.union(got.index)
            np.testing.assert_allclose(got.reindex(idx, fill_value=0.0).to_numpy(),
                                       expected.reindex(idx, fill_value=0.0).to_numpy(),
                                       rtol=1e-12, atol=1e-12, err_msg=f"{model} seed {seed}")
            assert expected.sum() > 0  # the case is not vacuous
