"""Rule-based models against hand-computed cases (last, first, linear, time decay, position based)."""

from __future__ import annotations

import numpy as np
import pytest
from attribution_cases import build

from roi_ml.attribution import credit_journeys, rule_credit


def _by_entity(credit, column="conversions"):
    return credit.groupby("entity")[column].sum().to_dict()


def test_last_first_linear_by_hand():
    # one converting journey A > B > A worth 30, plus a non-converting one that gets nothing
    touches, journeys = build([(["A", "B", "A"], True, 30.0), (["B"], False)])
    # last touch: the final A takes everything
    assert _by_entity(rule_credit(touches, journeys, "last_touch"), "value") == {"A": 30.0}
    # first touch: the first A takes everything
    assert _by_entity(rule_credit(touches, journeys, "first_touch"), "value") == {"A": 30.0}
    # linear: 1/3 per touch → A 2/3 (20), B 1/3 (10)
    lin = rule_credit(touches, journeys, "linear")
    assert lin["journey_id"].tolist() == [0, 0]
    assert _by_entity(lin) == pytest.approx({"A": 2 / 3, "B": 1 / 3}, abs=1e-12)
    assert _by_entity(lin, "value") == pytest.approx({"A": 20.0, "B": 10.0}, abs=1e-12)


def test_last_touch_follows_position_not_row_order():
    touches, journeys = build([(["A", "B", "C"], True, 1.0)])
    shuffled = touches.iloc[[2, 0, 1]]
    assert _by_entity(rule_credit(shuffled, journeys, "last_touch")) == {"C": 1.0}
    assert _by_entity(rule_credit(shuffled, journeys, "first_touch")) == {"A": 1.0}


def test_time_decay_half_life_by_hand():
    # touches at days 0, 7 and 14, conversion on day 21, half-life 7 days:
    # weights 2^-(21-0)/7 = 1/8, 2^-(21-7)/7 = 1/4, 2^-(21-14)/7 = 1/2 → sum 7/8
    # shares 1/7, 2/7, 4/7 of a 70-unit order → 10, 20, 40
    touches, journeys = build([{"entities": ["X", "Y", "Z"], "converted": True, "value": 70.0,
                                "days": [0, 7, 14], "conversion_day": 21}])
    credit = rule_credit(touches, journeys, "time_decay", half_life_days=7)
    assert _by_entity(credit) == pytest.approx({"X": 1 / 7, "Y": 2 / 7, "Z": 4 / 7}, abs=1e-12)
    assert _by_entity(credit, "value") == pytest.approx({"X": 10.0, "Y": 20.0, "Z": 40.0}, abs=1e-9)
    # the conversion time cancels after normalising: without it the shares are the same
    touches2, journeys2 = build([{"entities": ["X", "Y", "Z"], "converted": True, "value": 70.0,
                                  "days": [0, 7, 14]}])
    assert _by_entity(rule_credit(touches2, journeys2, "time_decay", half_life_days=7)) == \
        pytest.approx(_by_entity(credit), abs=1e-12)
    # half-life 14 days, touches at 0 and 14: weights 1/2 and 1 → shares 1/3, 2/3
    touches3, journeys3 = build([{"entities": ["X", "Y"], "converted": True, "days": [0, 14]}])
    assert _by_entity(rule_credit(touches3, journeys3, "time_decay", half_life_days=14)) == \
        pytest.approx({"X": 1 / 3, "Y": 2 / 3}, abs=1e-12)


def test_time_decay_falls_back_to_positions_without_timestamps():
    # no timestamp column: weights 2^-(steps before the last touch)/half_life_touches
    # three touches, half_life_touches 1 → 1/4, 1/2, 1 → shares 1/7, 2/7, 4/7
    touches, journeys = build([(["X", "Y", "Z"], True, 7.0)])
    credit, info = rule_credit(touches, journeys, "time_decay", return_info=True)
    assert _by_entity(credit) == pytest.approx({"X": 1 / 7, "Y": 2 / 7, "Z": 4 / 7}, abs=1e-12)
    assert info["n_position_fallback_journeys"] == 1
    # half_life_touches 2 → 2^-1, 2^-1/2, 1
    w = np.array([2**-1, 2**-0.5, 1.0])
    credit = rule_credit(touches, journeys, "time_decay", half_life_touches=2)
    assert _by_entity(credit) == pytest.approx(dict(zip("XYZ", w / w.sum(), strict=True)), abs=1e-12)


def test_time_decay_missing_timestamp_only_affects_its_journey():
    touches, journeys = build([
        {"entities": ["X", "Y"], "converted": True, "days": [0, 7]},       # by time: 1/3, 2/3
        {"entities": ["X", "Y"], "converted": True, "days": [None, 7]},    # by position: 1/3, 2/3
        {"entities": ["X", "Y"], "converted": True, "days": [0, 14]},      # by time: 1/5, 4/5
    ])
    credit, info = rule_credit(touches, journeys, "time_decay", half_life_days=7, return_info=True)
    got = credit.set_index(["journey_id", "entity"])["conversions"]
    assert got[(0, "X")] == pytest.approx(1 / 3) and got[(1, "X")] == pytest.approx(1 / 3)
    assert got[(2, "X")] == pytest.approx(1 / 5) and got[(2, "Y")] == pytest.approx(4 / 5)
    assert info["n_position_fallback_journeys"] == 1


@pytest.mark.parametrize(("entities", "expected"), [
    # 1 touch → 100 %
    (["A"], {"A": 1.0}),
    # 2 touches → first/last 40:40 renormalised → 50 % each
    (["A", "B"], {"A": 0.5, "B": 0.5}),
    # 3 touches → 40 / 20 / 40
    (["A", "B", "C"], {"A": 0.4, "B": 0.2, "C": 0.4}),
    # 5 touches → 40, then 20 % shared by 3 middle touches (1/15 each), then 40
    (["A", "B", "C", "D", "E"], {"A": 0.4, "B": 1 / 15, "C": 1 / 15, "D": 1 / 15, "E": 0.4}),
    # repeated entities add up: A first + A last = 80 %, B twice in the middle = 2/15
    (["A", "B", "C", "B", "A"], {"A": 0.8, "B": 2 / 15, "C": 1 / 15}),
])
def test_position_based_40_20_40_by_hand(entities, expected):
    touches, journeys = build([(entities, True, 100.0)])
    credit = rule_credit(touches, journeys, "position_based")
    assert _by_entity(credit) == pytest.approx(expected, abs=1e-12)
    assert _by_entity(credit, "value") == pytest.approx({k: 100 * v for k, v in expected.items()},
                                                      abs=1e-9)


def test_position_based_custom_shares():
    # first 30 %, last 10 %: two touches → 30:10 renormalised = 75 % / 25 %
    touches, journeys = build([(["A", "B"], True)])
    credit = rule_credit(touches, journeys, "position_based", first_share=0.3, last_share=0.1)
    assert _by_entity(credit) == pytest.approx({"A": 0.75, "B": 0.25})
    # five touches → 30 %, middle 60 % / 3 = 20 % each, 10 %
    touches, journeys = build([(["A", "B", "C", "D", "E"], True)])
    credit = rule_credit(touches, journeys, "position_based", first_share=0.3, last_share=0.1)
    assert _by_entity(credit) == pytest.approx({"A": 0.3, "B": 0.2, "C": 0.2, "D": 0.2, "E": 0.1})
    # both ends 0 with two touches: an equal split rather than 0/0
    touches, journeys = build([(["A", "B"], True)])
    credit = rule_credit(touches, journeys, "position_based", first_share=0.0, last_share=0.0)
    assert _by_entity(credit) == pytest.approx({"A": 0.5, "B": 0.5})


@pytest.mark.parametrize(("params", "match"), [
    ({"model": "position_based", "first_share": 0.7, "last_share": 0.4}, "first_share \\+ last_share"),
    ({"model": "position_based", "first_share": -0.1}, "first_share must be"),
    ({"model": "time_decay", "half_life_days": 0}, "half_life_days must be a positive"),
    ({"model": "time_decay", "half_life_touches": float("nan")}, "half_life_touches"),
    ({"model": "u_shaped"}, "unknown rule model"),
])
def test_rule_parameters_are_validated(params, match):
    touches, journeys = build([(["A", "B"], True)])
    with pytest.raises(ValueError, match=match):
        rule_credit(touches, journeys, **params)


def test_credit_journeys_rejects_parameters_of_another_model():
    touches, journeys = build([(["A", "B"], True)])
    with pytest.raises(TypeError, match="takes no parameter"):
        credit_journeys(touches, journeys, "linear", half_life_days=3)
    with pytest.raises(ValueError, match="unknown attribution model"):
        credit_journeys(touches, journeys, "data_driven")
