"""Shapley attribution against hand-computed values and a brute-force reference."""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import pytest
from attribution_cases import build, random_journeys

from roi_ml.attribution import ShapleyAttribution, credit_journeys

TOL = 1e-9


@pytest.fixture
def unseen_case():
    """{A}: 4 journeys, 1 converts; {B}: 2 journeys, 1 converts; C > A > B converts (worth 90).

    Observed coalitions: v(A) = 1/4, v(B) = 1/2, v(ABC) = 1. Unseen, by the rule "pooled rate of
    the largest observed proper subsets": v(AB) = (1 + 1)/(4 + 2) = 1/3 (from A and B),
    v(AC) = v(A) = 1/4, v(BC) = v(B) = 1/2, v(C) = v(∅) = baseline 0.
    """
    return build([(["A"], True, 10.0), (["A"], False), (["A"], False), (["A"], False),
                  (["B"], True, 20.0), (["B"], False), (["C", "A", "B"], True, 90.0)])


def test_unseen_coalitions_take_the_largest_observed_subsets(unseen_case):
    s = ShapleyAttribution().fit(*unseen_case)
    assert s.coalition_value(["A"]) == pytest.approx(1 / 4)
    assert s.coalition_value(["B"]) == pytest.approx(1 / 2)
    assert s.coalition_value(["A", "B", "C"]) == pytest.approx(1.0)
    assert s.coalition_value(["A", "B"]) == pytest.approx(1 / 3)
    assert s.coalition_value(["A", "C"]) == pytest.approx(1 / 4)
    assert s.coalition_value(["C", "B"]) == pytest.approx(1 / 2)
    assert s.coalition_value(["C"]) == 0.0
    assert s.coalition_value([]) == 0.0
    # a coalition with an entity never seen at all: the largest observed subset is {A, B, C}
    assert s.coalition_value(["A", "B", "C", "Z"]) == pytest.approx(1.0)
    assert s.coalitions_["coalition"].tolist() == ["A", "B", "A + B + C"]


def test_three_paths_shapley_by_hand(three_paths):
    # A > B conv, B conv, A null → v(AB) = 1/1 = 1, v(B) = 1/1 = 1, v(A) = 0/1 = 0, v(∅) = 0.
    # φ_A = 1/2[(v(A) − v(∅)) + (v(AB) − v(B))] = 1/2[0 + 0] = 0
    # φ_B = 1/2[(v(B) − v(∅)) + (v(AB) − v(A))] = 1/2[1 + 1] = 1
    # so the A > B journey (worth 30) goes entirely to B, and B alone (60) to B.
    touches, journeys = three_paths
    s = ShapleyAttribution().fit(touches, journeys)
    values = s.explain(touches, journeys).set_index(["coalition", "entity"])["shapley_value"]
    assert values[("A + B", "A")] == pytest.approx(0.0, abs=TOL)
    assert values[("A + B", "B")] == pytest.approx(1.0, abs=TOL)
    assert values[("B", "B")] == pytest.approx(1.0, abs=TOL)
    credit = s.credit(touches, journeys)
    assert credit.to_dict("list") == {"journey_id": [0, 1], "entity": ["B", "B"],
                                      "conversions": [1.0, 1.0], "value": [30.0, 60.0]}


def test_exact_shapley_values_by_hand(unseen_case):
    # N = {A, B, C}, weights |S|!(n−|S|−1)!/n! = 1/3 (|S| = 0), 1/6 (|S| = 1), 1/3 (|S| = 2).
    # φ_A = 1/3(v(A) − 0) + 1/6(v(AB) − v(B)) + 1/6(v(AC) − v(C)) + 1/3(v(ABC) − v(BC))
    #     = 1/12 − 1/36 + 1/24 + 1/6 = 19/72
    # φ_B = 1/3 · 1/2 + 1/6(1/3 − 1/4) + 1/6(1/2 − 0) + 1/3(1 − 1/4) = 37/72
    # φ_C = 1/3 · 0 + 1/6(1/4 − 1/4) + 1/6(1/2 − 1/2) + 1/3(1 − 1/3) = 16/72
    # Σ = 1 = v(ABC) − v(∅); credit shares = φ (all positive), value 90 → 23.75, 46.25, 20.
    touches, journeys = unseen_case
    s = ShapleyAttribution().fit(touches, journeys)
    values = s.explain(touches, journeys).set_index(["coalition", "entity"])
    assert values.loc[("A + B + C", "A"), "shapley_value"] == pytest.approx(19 / 72, abs=TOL)
    assert values.loc[("A + B + C", "B"), "shapley_value"] == pytest.approx(37 / 72, abs=TOL)
    assert values.loc[("A + B + C", "C"), "shapley_value"] == pytest.approx(16 / 72, abs=TOL)
    assert values.loc[("A", "A"), "shapley_value"] == pytest.approx(1 / 4, abs=TOL)
    assert set(values["method"]) == {"exact"}
    credit = s.credit(touches, journeys).set_index(["journey_id", "entity"])
    assert credit.loc[6, "value"].to_dict() == pytest.approx({"A": 23.75, "B": 46.25, "C": 20.0}, abs=1e-7)
    assert credit.loc[(0, "A"), "value"] == 10.0 and credit.loc[(4, "B"), "value"] == 20.0


def test_negative_values_get_no_credit(four_paths):
    # Coalitions: {A,B} 1 of 2 converts → 1/2; {A} 1/1 → 1; {B} 0/1 → 0; v(∅) = 0.
    # φ_A = 1/2[(v(A) − v(∅)) + (v(AB) − v(B))] = 1/2[1 + 1/2] = 3/4
    # φ_B = 1/2[(v(B) − v(∅)) + (v(AB) − v(A))] = 1/2[0 − 1/2] = −1/4  → clipped to 0
    touches, journeys = four_paths
    s = ShapleyAttribution().fit(touches, journeys)
    values = s.explain(touches, journeys).set_index(["coalition", "entity"])["shapley_value"]
    assert values[("A + B", "A")] == pytest.approx(3 / 4, abs=TOL)
    assert values[("A + B", "B")] == pytest.approx(-1 / 4, abs=TOL)
    credit = s.credit(touches, journeys)
    assert credit.groupby("entity")["conversions"].sum().to_dict() == {"A": 2.0}
    assert s.info_["n_negative_values_clipped"] == 1


def test_no_positive_value_splits_equally():
    # {A,B}: 1 of 2 converts → v(AB) = 1/2; {A}, {B} unseen with no observed subset → baseline.
    # With baseline_rate 1: φ_A = φ_B = 1/2[(1 − 1) + (1/2 − 1)] = −1/4 → nobody positive → 50/50.
    touches, journeys = build([(["A", "B"], True, 8.0), (["B", "A"], False)])
    s = ShapleyAttribution(baseline_rate=1.0).fit(touches, journeys)
    credit = s.credit(touches, journeys)
    assert credit["value"].tolist() == [4.0, 4.0]
    assert s.info_["n_sets_split_equally"] == 1


def test_shrinkage_toward_the_subset_rate_by_hand(unseen_case):
    # prior_journeys m = 2: v(S) = (c_S + 2 p_S)/(n_S + 2), p_S from the largest observed proper
    # subsets (raw counts). v(A): c 1, n 4, p = baseline 0 → 1/6. v(B): 1/4.
    # v(ABC): c 1, n 1, p = (1 + 1)/(4 + 2) = 1/3 → (1 + 2/3)/3 = 5/9. Unseen v(AB) = p = 1/3.
    s = ShapleyAttribution(prior_journeys=2).fit(*unseen_case)
    assert s.coalition_value(["A"]) == pytest.approx(1 / 6)
    assert s.coalition_value(["B"]) == pytest.approx(1 / 4)
    assert s.coalition_value(["A", "B", "C"]) == pytest.approx(5 / 9)
    assert s.coalition_value(["A", "B"]) == pytest.approx(1 / 3)


def _reference_values(touches, journeys, baseline=0.0):
    """Brute-force Shapley values of every converting journey's set, straight from the definition."""
    sets = touches.groupby("journey_id")["entity"].agg(frozenset)
    j = journeys.set_index("journey_id")
    counts: dict[frozenset, list[float]] = {}
    for jid, s in sets.items():
        c, n = counts.setdefault(s, [0.0, 0.0]), j.loc[jid, "journey_count"]
        c[0] += n * j.loc[jid, "converted"]
        c[1] += n

    def v(S):
        if not S:
            return baseline
        if S in counts:
            return counts[S][0] / counts[S][1]
        for k in range(len(S) - 1, 0, -1):
            obs = [counts[frozenset(T)] for T in combinations(sorted(S), k) if frozenset(T) in counts]
            if obs:
                return sum(o[0] for o in obs) / sum(o[1] for o in obs)
        return baseline

    out = {}
    for jid, s in sets.items():
        if not j.loc[jid, "converted"]:
            continue
        n = len(s)
        for i in s:
            rest = sorted(s - {i})
            out[(" + ".join(sorted(s)), i)] = sum(
                factorial(k) * factorial(n - k - 1) / factorial(n) * (v(frozenset(T) | {i}) - v(frozenset(T)))
                for k in range(n) for T in combinations(rest, k))
    return pd.Series(out)


def test_vectorised_exact_values_match_brute_force():
    touches, journeys = random_journeys(n=300, n_entities=6, seed=7, max_len=7, with_empty=False)
    s = ShapleyAttribution().fit(touches, journeys)
    got = s.explain(touches, journeys).set_index(["coalition", "entity"])["shapley_value"]
    ref = _reference_values(touches, journeys)
    assert (got.index.get_level_values(0).str.count(r"\+") >= 3).any()  # sets of 4+ entities
    pd.testing.assert_series_equal(got.sort_index(), ref.sort_index(), check_names=False,
                                   atol=1e-12, rtol=0)


def test_sampled_values_approach_exact_and_are_deterministic(unseen_case):
    touches, journeys = unseen_case
    exact = ShapleyAttribution().fit(touches, journeys).credit(touches, journeys)
    sampler = ShapleyAttribution(max_exact_entities=2, n_permutations=20_000, random_state=3)
    sampled = sampler.fit(touches, journeys).credit(touches, journeys)
    assert sampler.info_["n_sets_sampled"] == 1
    np.testing.assert_allclose(sampled["conversions"], exact["conversions"], atol=0.01)
    again = ShapleyAttribution(max_exact_entities=2, n_permutations=20_000, random_state=3)
    pd.testing.assert_frame_equal(again.fit(touches, journeys).credit(touches, journeys), sampled)
    assert sampled.groupby("journey_id")["conversions"].sum().tolist() == pytest.approx([1, 1, 1])


def test_sampled_credit_of_a_journey_does_not_depend_on_other_journeys(unseen_case):
    touches, journeys = unseen_case
    more_t, more_j = build([(["D", "E", "F"], True), (["E"], False)])
    more_t["journey_id"] += 100
    more_j["journey_id"] += 100
    both_t, both_j = pd.concat([more_t, touches]), pd.concat([more_j, journeys])
    kw = {"max_exact_entities": 1, "n_permutations": 50}
    alone = ShapleyAttribution(**kw).fit(touches, journeys).credit(touches, journeys)
    mixed = ShapleyAttribution(**kw).fit(both_t, both_j).credit(both_t, both_j)
    mixed = mixed[mixed["journey_id"] < 100].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, mixed)


def test_long_journeys_are_sampled_and_conserve_credit():
    ents = [f"P{i}" for i in range(12)]
    touches, journeys = build([(ents, True, 120.0), (ents[:6], True), (ents[6:], False), (ents[:1], False)])
    credit, info = credit_journeys(touches, journeys, "shapley", n_permutations=300,
                                   random_state=5, return_info=True)
    assert info["n_sets_sampled"] == 1 and info["n_sets_exact"] == 1
    sums = credit.groupby("journey_id")[["conversions", "value"]].sum()
    assert sums.loc[0, "value"] == pytest.approx(120.0, abs=1e-9)
    assert sums["conversions"].tolist() == pytest.approx([1.0, 1.0], abs=1e-12)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"max_exact_entities": 0}, "max_exact_entities"), ({"max_exact_entities": 25}, "<= 20"),
    ({"n_permutations": 0}, "n_permutations"), ({"random_state": -1}, "random_state"),
    ({"baseline_rate": 1.5}, "baseline_rate"), ({"prior_journeys": -1}, "prior_journeys"),
])
def test_shapley_parameters_are_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ShapleyAttribution(**kwargs)
