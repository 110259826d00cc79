"""Path tables: the strict validator, conversion to journeys, and attribute_paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from attribution_cases import build, random_journeys

from roi_ml.attribution import (
    MODELS,
    AttributionInputError,
    MarkovAttribution,
    attribute_paths,
    credit_journeys,
    encode_journeys,
    journeys_to_paths,
    paths_to_journeys,
    validate_path_table,
)
from roi_ml.attribution.paths import _group_paths, _group_paths_exact


def table(**cols):
    base = {"path": ["A > B", "B", "A"], "conversions": [1, 1, 0], "value": [30.0, 60.0, 0.0],
            "non_conversions": [0, 0, 1]}
    base.update(cols)
    return pd.DataFrame(base, index=[10, 11, 12])


@pytest.mark.parametrize(("frame", "match"), [
    (table().drop(columns="conversions"), r"required column\(s\) \['conversions'\] not found"),
    (table().drop(columns="path"), r"required column\(s\) \['path'\] not found"),
    (table(conversions=[1, -1, 0]), r"'conversions' has negative values \[-1.0\] in rows \[11\]"),
    (table(non_conversions=[0, 0, -2]), r"'non_conversions' has negative values .* rows \[12\]"),
    (table(value=[30.0, -5.0, 0.0]), r"'value' has negative values .* rows \[11\]; a value must be >= 0"),
    (table(conversions=["1", "three", "0"]), r"'conversions' must be numeric; found non-numeric values \['three'\] in rows \[11\]"),
    (table(conversions=[1, None, 0]), r"'conversions' has missing values in rows \[11\]"),
    (table(non_conversions=[0, np.inf, 1]), r"'non_conversions' has infinite values in rows \[11\]"),
    (table(path=["A > B", "", "A"]), r"'path' is empty in rows \[11\]"),
    (table(path=["A > B", "   ", "A"]), r"'path' is empty in rows \[11\]"),
    (table(path=["A > B", None, "A"]), r"'path' is missing in rows \[11\]"),
    (table(path=["A >  > B", "B", "A"]), r"empty entity .* rows \[10\]"),
    (table(path=["A > B", "B > ", "A"]), r"empty entity .* rows \[11\]"),
    (table(path=["A > (none)", "B", "A"]), r"'\(none\)' inside a path \(rows \[10\]\)"),
    (table(value=[30.0, 60.0, 5.0]), r"rows \[12\] have value > 0 but conversions = 0"),
    ([("A", 1)], "expected a pandas DataFrame, found list"),
])
def test_validator_rejects_each_malformed_input(frame, match):
    with pytest.raises(AttributionInputError, match=match):
        validate_path_table(frame)
    with pytest.raises(ValueError, match=match):  # AttributionInputError is a ValueError
        attribute_paths(frame)


def test_validator_reports_every_problem_at_once():
    bad = table(path=["A > B", "", "A"], conversions=[1, -1, 0], value=[30.0, 60.0, 5.0])
    with pytest.raises(AttributionInputError) as err:
        validate_path_table(bad)
    assert len(err.value.problems) == 3
    assert "'path' is empty" in str(err.value) and "negative" in str(err.value)


def test_validator_rejects_an_empty_separator():
    with pytest.raises(AttributionInputError, match="sep must be a non-empty string"):
        validate_path_table(table(), sep="")


def test_validator_returns_a_clean_table():
    clean = validate_path_table(pd.DataFrame({"path": [" A>B ", "C"], "conversions": [2, 1]}), sep=">")
    assert clean.columns.tolist() == ["path", "conversions", "value", "non_conversions"]
    assert clean["value"].tolist() == [0.0, 0.0] and clean["non_conversions"].tolist() == [0.0, 0.0]


def test_paths_to_journeys_keeps_counts_as_weights():
    pt = pd.DataFrame({"path": ["A > B", "B"], "conversions": [2.0, 0.0], "value": [50.0, 0.0],
                       "non_conversions": [3.0, 4.0]}, index=["x", "y"])
    touches, journeys = paths_to_journeys(pt)
    assert journeys.to_dict("list") == {
        "journey_id": [0, 1, 3], "converted": [True, False, False], "conversions": [2.0, 0.0, 0.0],
        "value": [50.0, 0.0, 0.0], "journey_count": [2.0, 3.0, 4.0], "path_row": ["x", "x", "y"]}
    assert touches.to_dict("list") == {"journey_id": [0, 0, 1, 1, 3], "position": [0, 1, 0, 1, 0],
                                       "entity": ["A", "B", "A", "B", "B"]}


def test_custom_separator_and_stripped_entities():
    pt = pd.DataFrame({"path": ["ig_post_1|organic_search", " organic_search "], "conversions": [1, 1]})
    out = attribute_paths(pt, models=("linear",), sep="|")
    assert out.set_index("entity")["attributed_conversions"].to_dict() == {
        "ig_post_1": 0.5, "organic_search": 1.5}


def test_attribute_paths_equals_the_expanded_journeys():
    # a path table with counts gives the same Markov and Shapley credit as the journeys it counts
    pt = pd.DataFrame({"path": ["A > B", "B", "A", "B > A > C", "C"], "conversions": [2, 1, 1, 1, 0],
                       "value": [40.0, 10.0, 5.0, 20.0, 0.0], "non_conversions": [1, 2, 3, 0, 2]})
    rows = []
    for p, c, v, n in pt.itertuples(index=False):
        rows += [(p.split(" > "), True, v / max(c, 1))] * c + [(p.split(" > "), False)] * n
    touches, journeys = build(rows)
    out = attribute_paths(pt, models=("markov", "shapley", "linear"), markov_allocation="journey")
    for model in ("markov", "shapley", "linear"):
        got = out[out["model"] == model].set_index("entity")["attributed_conversions"]
        ref = credit_journeys(touches, journeys, model).groupby("entity")["conversions"].sum()
        pd.testing.assert_series_equal(got, ref, check_names=False, check_index_type=False,
                                       atol=1e-12, rtol=0)
    glob = attribute_paths(pt, models=("markov",)).set_index("entity")["attributed_value"]
    ref = MarkovAttribution().fit(touches, journeys).total_credit_.set_index("entity")["value"]
    pd.testing.assert_series_equal(glob, ref, check_names=False, atol=1e-9, rtol=0)


def test_attribute_paths_output_shape_and_conservation():
    pt = pd.DataFrame({"path": ["A > B > C", "B", "C > A", "D"], "conversions": [3, 1, 2, 0],
                       "value": [90.0, 10.0, 40.0, 0.0], "non_conversions": [5, 5, 1, 2]})
    out, info = attribute_paths(pt, return_info=True, half_life_touches=2.0, order=2, random_state=1)
    assert out.columns.tolist() == ["entity", "model", "attributed_conversions", "attributed_value"]
    assert out["model"].unique().tolist() == list(MODELS)
    assert set(out["entity"]) == {"A", "B", "C", "D"}
    totals = out.groupby("model")[["attributed_conversions", "attributed_value"]].sum()
    np.testing.assert_allclose(totals["attributed_conversions"], 6.0, rtol=1e-12)
    np.testing.assert_allclose(totals["attributed_value"], 140.0, rtol=1e-12)
    assert info["markov"]["order"] == 2


def test_attribute_paths_rejects_unknown_models_and_options():
    with pytest.raises(ValueError, match="unknown attribution model 'u_shaped'"):
        attribute_paths(table(), models=("linear", "u_shaped"))
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['order'\]"):
        attribute_paths(table(), models=("linear",), order=2)
    with pytest.raises(ValueError, match="markov_allocation"):
        attribute_paths(table(), markov_allocation="both")


def test_journeys_to_paths_round_trip():
    pt = pd.DataFrame({"path": ["A", "A > B", "B > A > B"], "conversions": [1.0, 2.0, 0.0],
                       "value": [5.0, 30.0, 0.0], "non_conversions": [4.0, 0.0, 2.0]})
    back = journeys_to_paths(*paths_to_journeys(pt))
    pd.testing.assert_frame_equal(back, pt.sort_values("path", ignore_index=True))


def test_journeys_without_touch_become_the_none_path_and_back():
    touches, journeys = build([(["A"], True, 2.0), ([], True, 3.0), (["A"], False), ([], True, 1.0)])
    out = journeys_to_paths(touches, journeys)
    assert out.to_dict("list") == {"path": ["(none)", "A"], "conversions": [2.0, 1.0],
                                   "value": [4.0, 2.0], "non_conversions": [0.0, 1.0]}
    t2, j2 = paths_to_journeys(out)
    assert j2["path_row"].tolist() == [0, 1, 1] and (t2["journey_id"] != 0).all()
    pd.testing.assert_frame_equal(journeys_to_paths(t2, j2), out)


@pytest.mark.parametrize("model", MODELS)
def test_none_path_is_credited_to_none(model):
    # the events pipeline writes conversions without a touchpoint as the path "(none)"
    pt = pd.DataFrame({"path": ["A > B", "(none)", "B"], "conversions": [1, 2, 0],
                       "value": [10.0, 7.0, 0.0], "revenue": [10.0, 7.0, 0.0], "non_conversions": [1, 0, 3]})
    out = attribute_paths(pt, models=(model,)).set_index("entity")
    assert out.loc["(none)", "attributed_conversions"] == 2.0
    assert out.loc["(none)", "attributed_value"] == 7.0
    assert out["attributed_value"].sum() == pytest.approx(17.0)


def test_path_grouping_by_hash_matches_exact_grouping():
    touches, journeys = random_journeys(n=800, n_entities=3, seed=5, max_len=4)
    enc = encode_journeys(touches, journeys)
    touched = np.flatnonzero(enc.lengths > 0)
    inv_h, first_h = _group_paths(enc, touched)
    inv_e, first_e = _group_paths_exact(enc, touched)
    assert len(first_h) == len(first_e) < len(touched)  # many journeys share a path
    # same partition of journeys: pairs (hash group, exact group) are one-to-one
    pairs = pd.DataFrame({"h": inv_h, "e": inv_e}).drop_duplicates()
    assert len(pairs) == len(first_h)
