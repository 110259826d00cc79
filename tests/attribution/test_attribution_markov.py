"""Markov removal effects against hand-solved absorbing chains, order 1 and order 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from attribution_cases import build, random_journeys

from roi_ml.attribution import MarkovAttribution, credit_journeys

TOL = 1e-9


@pytest.mark.parametrize("solver", ["auto", "dense", "factorized", "direct"])
@pytest.mark.parametrize("order", [1, 2])
def test_three_paths_by_hand(three_paths, order, solver):
    # Paths: A > B conv, B conv, A null.
    # Order 1 transitions: start→A 2/3, start→B 1/3; A→B 1/2, A→null 1/2; B→conv 1.
    #   h_B = 1, h_A = 1/2 · h_B = 1/2, P(conv) = 2/3 · 1/2 + 1/3 · 1 = 2/3.
    #   Remove A: start→A goes to null, P = 1/3 · h_B = 1/3 → RE_A = 1 − (1/3)/(2/3) = 1/2.
    #   Remove B: h_B = 0, so h_A = 0 and P = 0 → RE_B = 1.
    # Order 2 states (A,), (B,), (A,B): start→(A,) 2/3, start→(B,) 1/3; (A,)→(A,B) 1/2,
    #   (A,)→null 1/2; (A,B)→conv 1; (B,)→conv 1. Same P(conv) = 2/3.
    #   Remove A ((A,), (A,B)): P = 1/3 → RE_A = 1/2. Remove B ((B,), (A,B)): P = 0 → RE_B = 1.
    touches, journeys = three_paths
    m = MarkovAttribution(order=order, solver=solver).fit(touches, journeys)
    assert m.conversion_probability_ == pytest.approx(2 / 3, abs=TOL)
    assert m.removal_effects_["A"] == pytest.approx(0.5, abs=TOL)
    assert m.removal_effects_["B"] == pytest.approx(1.0, abs=TOL)
    # shares ∝ RE: A 1/3, B 2/3; textbook allocation of 2 conversions worth 90
    assert m.credit_shares_.to_dict() == pytest.approx({"A": 1 / 3, "B": 2 / 3}, abs=TOL)
    total = m.total_credit_.set_index("entity")
    assert total["conversions"].to_dict() == pytest.approx({"A": 2 / 3, "B": 4 / 3}, abs=TOL)
    assert total["value"].to_dict() == pytest.approx({"A": 30.0, "B": 60.0}, abs=1e-7)
    # per journey: A > B (worth 30) split 1/2 : 1 → A 1/3 (10), B 2/3 (20); B alone → B
    credit = m.credit(touches, journeys).set_index(["journey_id", "entity"])
    assert credit.loc[(0, "A"), "conversions"] == pytest.approx(1 / 3, abs=TOL)
    assert credit.loc[(0, "B"), "value"] == pytest.approx(20.0, abs=1e-7)
    assert credit.loc[(1, "B"), "value"] == pytest.approx(60.0, abs=TOL)
    assert len(credit) == 3


@pytest.mark.parametrize("solver", ["auto", "dense", "factorized", "direct"])
def test_four_paths_order_1_and_2_differ_by_hand(four_paths, solver):
    # Paths: A > B conv, B > A null, A conv, B null. P(conv) = 2/4 = 1/2 observed.
    touches, journeys = four_paths
    # Order 1: start→A 1/2, start→B 1/2; A→B, A→null, A→conv 1/3 each; B→conv, B→A, B→null 1/3.
    #   h_A = 1/3 + h_B/3, h_B = 1/3 + h_A/3 → h_A = h_B = 1/2, P(conv) = 1/2.
    #   Remove A: h_B = 1/3 → P = 1/2 · 1/3 = 1/6 → RE_A = 1 − (1/6)/(1/2) = 2/3; same for B.
    m1 = MarkovAttribution(order=1, solver=solver).fit(touches, journeys)
    assert m1.conversion_probability_ == pytest.approx(0.5, abs=TOL)
    assert m1.removal_effects_.to_dict() == pytest.approx({"A": 2 / 3, "B": 2 / 3}, abs=TOL)
    # Order 2: states (A,), (B,), (A,B), (B,A).
    #   (A,)→(A,B) 1/2, (A,)→conv 1/2; (B,)→(B,A) 1/2, (B,)→null 1/2; (A,B)→conv; (B,A)→null.
    #   h_(A,) = 1, h_(B,) = 0, P(conv) = 1/2.
    #   Remove A (all of (A,), (A,B), (B,A)): P = 1/2 · h_(B,) = 0 → RE_A = 1.
    #   Remove B ((B,), (A,B), (B,A)): h_(A,) = 1/2 · 0 + 1/2 · 1 = 1/2 → P = 1/4 → RE_B = 1/2.
    m2 = MarkovAttribution(order=2, solver=solver).fit(touches, journeys)
    assert m2.conversion_probability_ == pytest.approx(0.5, abs=TOL)
    assert m2.removal_effects_.to_dict() == pytest.approx({"A": 1.0, "B": 0.5}, abs=TOL)
    assert m2.credit_shares_.to_dict() == pytest.approx({"A": 2 / 3, "B": 1 / 3}, abs=TOL)
    assert m2.states_ == ["(start)", ("A",), ("B",), ("A", "B"), ("B", "A"), "(conversion)", "(null)"]


def test_transition_matrix_and_table(three_paths):
    touches, journeys = three_paths
    m = MarkovAttribution().fit(touches, journeys)
    assert m.states_ == ["(start)", ("A",), ("B",), "(conversion)", "(null)"]
    P = m.transition_matrix_.toarray()
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-12)
    expected = np.array([
        # start  A    B    conv null
        [0, 2 / 3, 1 / 3, 0, 0],
        [0, 0, 1 / 2, 0, 1 / 2],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 0, 1],
    ])
    np.testing.assert_allclose(P, expected, atol=1e-12)
    table = m.transition_table()
    row = table[(table["from_state"] == "(start)") & (table["to_state"] == "A")].iloc[0]
    assert row["journeys"] == 2 and row["probability"] == pytest.approx(2 / 3)
    assert list(table.columns) == ["from_state", "to_state", "journeys", "probability"]


def test_journey_count_equals_duplicated_journeys():
    dup_t, dup_j = build([(["A", "B"], True), (["A", "B"], True), (["B"], False), (["A"], False),
                          (["A"], False), (["A"], False)])
    cnt_t, cnt_j = build([(["A", "B"], True, 0.0, 2.0), (["B"], False), (["A"], False, 0.0, 3.0)])
    a = MarkovAttribution(order=2).fit(dup_t, dup_j).removal_effects_
    b = MarkovAttribution(order=2).fit(cnt_t, cnt_j).removal_effects_
    pd.testing.assert_series_equal(a, b, atol=1e-12, rtol=0)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_solvers_agree(order):
    # one sparse LU + Schur complements ("factorized"), one LU per removed entity ("direct"),
    # the dense inverse ("dense") and "auto" give the same removal effects
    touches, journeys = random_journeys(n=400, n_entities=7, seed=order)
    res = {s: MarkovAttribution(order=order, solver=s).fit(touches, journeys).removal_effects_
           for s in ("auto", "dense", "factorized", "direct")}
    assert res["direct"].gt(0).all()
    for solver in ("auto", "dense", "factorized"):
        pd.testing.assert_series_equal(res[solver], res["direct"], atol=1e-10, rtol=0)


def test_sparse_auto_path_mixes_schur_and_fresh_lu(monkeypatch):
    # above the dense threshold "auto" uses one sparse LU, Schur for entities in few states (the
    # rare R) and a fresh LU for entities in many (order 3 over 4 channels puts each in ~45)
    import roi_ml.attribution.markov as markov
    touches, journeys = random_journeys(n=300, n_entities=4, seed=9)
    rare_t, rare_j = build([(["R", "E0"], True), (["E1", "R", "E2"], False), (["R"], True)])
    rare_t["journey_id"] += 1000
    rare_j["journey_id"] += 1000
    touches, journeys = pd.concat([touches, rare_t]), pd.concat([journeys, rare_j])
    ref = MarkovAttribution(order=3, solver="direct").fit(touches, journeys)
    in_states = {e: sum(e in s for s in ref.states_[1:-2]) for e in ref.removal_effects_.index}
    assert in_states["R"] < 20 < min(v for k, v in in_states.items() if k != "R")
    monkeypatch.setattr(markov, "_DENSE_MAX_STATES", 0)
    monkeypatch.setattr(markov, "_AUTO_SCHUR_MAX_STATES", 20)
    monkeypatch.setattr(markov, "_SOLVE_BLOCK_BYTES", 8 * 100 * 3)  # tiny blocks: several groups
    m = MarkovAttribution(order=3).fit(touches, journeys)
    pd.testing.assert_series_equal(m.removal_effects_, ref.removal_effects_, atol=1e-10, rtol=0)


def test_group_map_removal_effects_by_hand():
    # Posts p1, p2 belong to creator c1; organic_search is not in the map (its own group).
    # Journeys: p1 > organic conv, p2 conv, organic null → group paths as the three-path case:
    #   c1 > organic conv, c1 conv, organic null.
    #   start→c1 2/3, start→organic 1/3; c1→organic 1/2, c1→conv 1/2; organic→conv 1/2, →null 1/2.
    #   h_org = 1/2, h_c1 = 1/2 · 1/2 + 1/2 = 3/4, P = 2/3 · 3/4 + 1/3 · 1/2 = 2/3.
    #   Remove c1: P = 1/3 · 1/2 = 1/6 → RE_c1 = 3/4. Remove organic: h_c1 = 1/2, P = 1/3 → RE = 1/2.
    touches, journeys = build([(["p1", "organic_search"], True, 50.0), (["p2"], True, 100.0),
                               (["organic_search"], False)])
    m = MarkovAttribution(group_map={"p1": "c1", "p2": "c1"}).fit(touches, journeys)
    assert m.removal_effects_.index.name == "group"
    assert m.removal_effects_.to_dict() == pytest.approx({"c1": 0.75, "organic_search": 0.5}, abs=TOL)
    assert m.info_["n_unmapped_entities"] == 1
    # per journey: p1 > organic split 3/4 : 1/2 → p1 0.6, organic 0.4; p2 alone → 1
    credit = m.credit(touches, journeys).set_index(["journey_id", "entity"])["conversions"]
    assert credit.to_dict() == pytest.approx({(0, "organic_search"): 0.4, (0, "p1"): 0.6, (1, "p2"): 1.0})
    # textbook: 2 conversions × (c1 0.6, organic 0.4); c1's 1.2 split by linear credit of its
    # posts in converting journeys (p1 1/2, p2 1) → p1 0.4, p2 0.8
    total = m.total_credit_.set_index("entity")["conversions"].to_dict()
    assert total == pytest.approx({"organic_search": 0.8, "p1": 0.4, "p2": 0.8}, abs=TOL)


def test_credit_on_unseen_entities_splits_equally():
    touches, journeys = build([(["A"], True), (["B"], False)])
    m = MarkovAttribution().fit(touches, journeys)
    new_t, new_j = build([(["X", "Y"], True)])  # neither entity was fitted: RE 0 for both
    credit = m.credit(new_t, new_j)
    assert credit["conversions"].tolist() == [0.5, 0.5]


def test_markov_through_credit_journeys_and_info(three_paths):
    touches, journeys = three_paths
    credit, info = credit_journeys(touches, journeys, "markov", order=2, return_info=True)
    assert info["n_states"] == 3 and info["order"] == 2
    assert info["conversion_probability"] == pytest.approx(2 / 3)
    assert credit["conversions"].sum() == pytest.approx(2.0)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"order": 0}, "order must be"), ({"order": 1.5}, "order must be"),
    ({"solver": "monte_carlo"}, "solver must be"),
])
def test_markov_parameters_are_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MarkovAttribution(**kwargs)


def test_credit_before_fit_is_a_clear_error(three_paths):
    with pytest.raises(RuntimeError, match="not fitted"):
        MarkovAttribution().credit(*three_paths)
