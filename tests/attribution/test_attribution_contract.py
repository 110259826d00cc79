"""What every model promises: conservation, determinism, the path cap, "(none)", edge data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from attribution_cases import build, random_journeys

from roi_ml.attribution import (
    CREDIT_COLUMNS,
    MODELS,
    NONE_ENTITY,
    attribute_paths,
    credit_journeys,
    summarise_credit,
)

MODEL_CASES = [*[(m, {}) for m in MODELS], ("markov", {"order": 2}), ("markov", {"order": 3}),
               ("shapley", {"max_exact_entities": 2, "n_permutations": 30}),
               ("markov", {"group_map": {"E0": "G", "E1": "G"}})]
IDS = [f"{m}-{'-'.join(f'{k}={v}' for k, v in p.items())}" if p else m for m, p in MODEL_CASES]


@pytest.fixture(scope="module")
def data():
    return random_journeys(n=500, n_entities=6, seed=11)


@pytest.mark.parametrize(("model", "params"), MODEL_CASES, ids=IDS)
def test_credit_is_conserved_per_journey_and_in_total(data, model, params):
    touches, journeys = data
    credit = credit_journeys(touches, journeys, model, **params)
    assert list(credit.columns) == list(CREDIT_COLUMNS)
    assert credit["entity"].dtype == "str"
    assert (credit[["conversions", "value"]] >= 0).all().all()
    assert not credit.isna().any().any()
    converting = journeys[journeys["converted"]].set_index("journey_id")
    sums = credit.groupby("journey_id")[["conversions", "value"]].sum()
    assert sorted(sums.index) == sorted(converting.index)
    np.testing.assert_allclose(sums["conversions"], converting.loc[sums.index, "conversions"], rtol=1e-12)
    np.testing.assert_allclose(sums["value"], converting.loc[sums.index, "value"], rtol=1e-12)
    assert credit["conversions"].sum() == pytest.approx(journeys["conversions"].sum(), rel=1e-12)
    assert credit["value"].sum() == pytest.approx(journeys["value"].sum(), rel=1e-12)


@pytest.mark.parametrize(("model", "params"), MODEL_CASES, ids=IDS)
def test_same_input_same_credit(data, model, params):
    touches, journeys = data
    first = credit_journeys(touches, journeys, model, **params)
    second = credit_journeys(touches.copy(), journeys.copy(), model, **params)
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    # row order of the input does not matter either
    shuffled = credit_journeys(touches.sample(frac=1, random_state=3), journeys.sample(frac=1, random_state=4),
                               model, **params)
    key = ["journey_id", "entity"]
    pd.testing.assert_frame_equal(first.sort_values(key, ignore_index=True),
                                  shuffled.sort_values(key, ignore_index=True), atol=1e-12, rtol=0)


@pytest.mark.parametrize("model", MODELS)
def test_journeys_without_touches_are_credited_to_none(model):
    touches, journeys = build([(["A", "B"], True, 10.0), ([], True, 25.0), (["B"], False), ([], False)])
    credit = credit_journeys(touches, journeys, model)
    none = credit[credit["entity"] == NONE_ENTITY]
    assert none["journey_id"].tolist() == [1]
    assert none[["conversions", "value"]].iloc[0].tolist() == [1.0, 25.0]
    assert credit["value"].sum() == pytest.approx(35.0)


@pytest.mark.parametrize("model", MODELS)
def test_path_cap_keeps_the_last_touches(model):
    # A > B > C > D converts; with max_path_length 2 only C and D may receive credit
    touches, journeys = build([(["A", "B", "C", "D"], True, 4.0), (["A", "C"], False),
                               (["D"], False), (["B", "C", "D"], True)])
    credit, info = credit_journeys(touches, journeys, model, max_path_length=2, return_info=True)
    assert set(credit["entity"]) <= {"C", "D"}
    assert info["n_truncated_journeys"] == 2 and info["max_path_length"] == 2
    assert credit["conversions"].sum() == pytest.approx(2.0)


def test_path_cap_first_touch_is_the_nth_last():
    touches, journeys = build([(["A", "B", "C", "D", "E"], True)])
    credit = credit_journeys(touches, journeys, "first_touch", max_path_length=3)
    assert credit["entity"].tolist() == ["C"]


@pytest.mark.parametrize("model", MODELS)
def test_single_entity_takes_everything(model):
    touches, journeys = build([(["solo"], True, 5.0), (["solo", "solo"], False), (["solo"], True, 7.0)])
    credit = credit_journeys(touches, journeys, model)
    assert set(credit["entity"]) == {"solo"}
    assert credit["value"].sum() == pytest.approx(12.0)


@pytest.mark.parametrize("model", MODELS)
def test_zero_conversions_give_an_empty_credit_and_zero_totals(model):
    touches, journeys = build([(["A", "B"], False), (["B"], False), ([], False)])
    credit = credit_journeys(touches, journeys, model)
    assert credit.empty and list(credit.columns) == list(CREDIT_COLUMNS)
    summary = summarise_credit(credit, entities=["A", "B"])
    assert summary["attributed_conversions"].tolist() == [0.0, 0.0]


def test_zero_conversions_in_a_path_table_are_all_zeros():
    table = pd.DataFrame({"path": ["A > B", "B"], "conversions": [0, 0], "non_conversions": [3, 4]})
    out = attribute_paths(table)
    assert len(out) == 2 * len(MODELS)
    assert (out[["attributed_conversions", "attributed_value"]] == 0).all().all()
    assert not out.isna().any().any()


def test_markov_removal_effects_are_zero_without_conversions():
    from roi_ml.attribution import MarkovAttribution
    touches, journeys = build([(["A", "B"], False), (["B"], False)])
    m = MarkovAttribution().fit(touches, journeys)
    assert m.removal_effects_.tolist() == [0.0, 0.0]
    assert m.conversion_probability_ == 0.0
    assert m.total_credit_["conversions"].tolist() == [0.0, 0.0]


def test_summarise_credit_lists_every_entity():
    touches, journeys = build([(["A", "B"], True, 10.0), (["C"], False)])
    credit = credit_journeys(touches, journeys, "linear")
    out = summarise_credit(credit, entities=["A", "B", "C"])
    assert out.to_dict("list") == {"entity": ["A", "B", "C"], "attributed_conversions": [0.5, 0.5, 0.0],
                                   "attributed_value": [5.0, 5.0, 0.0]}


@pytest.mark.parametrize("model", MODELS)
def test_only_journeys_without_touches(model):
    touches, journeys = build([([], True, 3.0), ([], False)])
    credit = credit_journeys(touches, journeys, model)
    assert credit.to_dict("list") == {"journey_id": [0], "entity": [NONE_ENTITY],
                                      "conversions": [1.0], "value": [3.0]}
