"""Journey-level input: every bad input gets a message naming the table, column and rows."""

from __future__ import annotations

import pandas as pd
import pytest
from attribution_cases import build

from roi_ml.attribution import AttributionInputError, credit_journeys, encode_journeys


@pytest.fixture
def good():
    return build([{"entities": ["A", "B"], "converted": True, "value": 10.0, "days": [0, 1],
                   "conversion_day": 2}, {"entities": ["B"], "converted": False, "days": [3]}])


def _raises(touches, journeys, match, **kw):
    with pytest.raises(AttributionInputError, match=match):
        encode_journeys(touches, journeys, **kw)


def test_missing_columns(good):
    touches, journeys = good
    _raises(touches.drop(columns="entity"), journeys, r"touches: required column\(s\) \['entity'\]")
    _raises(touches, journeys.drop(columns="converted"), r"journeys: required column\(s\) \['converted'\]")
    _raises(touches, "journeys.csv", "journeys: expected a pandas DataFrame, found str")


def test_journey_ids(good):
    touches, journeys = good
    dup = pd.concat([journeys, journeys.iloc[[1]]], ignore_index=True)
    _raises(touches, dup, r"journey_id must be unique; \[1\] appear more than once \(rows \[1, 2\]\)")
    stray = pd.concat([touches, pd.DataFrame({"journey_id": [9], "position": [0], "entity": ["C"]})],
                      ignore_index=True)
    _raises(stray, journeys, r"touches: journey_id \[9\] \(rows \[3\]\) not found in journeys")


def test_positions_and_entities(good):
    touches, journeys = good
    twice = touches.assign(position=[0, 0, 0])
    _raises(twice, journeys, r"position repeats within journey\(s\) \[0\]")
    _raises(touches.assign(position=[0, None, 0]), journeys, r"'position' has missing values in rows \[1\]")
    _raises(touches.assign(entity=["A", "", "B"]), journeys, r"'entity' is missing or empty in rows \[1\]")
    _raises(touches.assign(entity=["A", None, "B"]), journeys, r"'entity' is missing or empty in rows \[1\]")
    _raises(touches.assign(entity=["A", "(none)", "B"]), journeys, r"'\(none\)' is reserved")


def test_conversion_columns(good):
    touches, journeys = good
    _raises(touches, journeys.assign(converted=["yes", "no"]), r"'converted' must be True/False")
    _raises(touches, journeys.assign(conversions=[1.0, 2.0]), r"rows \[1\] have converted=False but conversions")
    _raises(touches, journeys.assign(value=[-1.0, 0.0]), r"'value' has negative values \[-1.0\] in rows \[0\]")
    _raises(touches, journeys.assign(conversions=["1", "x"]), r"'conversions' must be numeric")
    _raises(touches, journeys.assign(journey_count=[1, -3]), r"'journey_count' has negative values")
    # 0/1 integers are accepted for converted
    enc = encode_journeys(touches, journeys.assign(converted=[1, 0]))
    assert enc.converted.tolist() == [True, False]


def test_timestamps(good):
    touches, journeys = good
    _raises(touches.assign(timestamp=touches["timestamp"].astype(str)), journeys,
            r"'timestamp' must hold datetimes \(datetime64\), found dtype str; parse it first")
    late = journeys.assign(conversion_time=journeys["conversion_time"] - pd.Timedelta(days=1.5))
    _raises(touches, late, r"journey\(s\) \[0\] have touches after their conversion_time")
    # time zones are converted to UTC and compared consistently
    utc_t = touches.assign(timestamp=touches["timestamp"].dt.tz_localize("UTC"))
    utc_j = journeys.assign(conversion_time=journeys["conversion_time"].dt.tz_localize("UTC"))
    assert credit_journeys(utc_t, utc_j, "time_decay")["value"].sum() == pytest.approx(10.0)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "3", True])
def test_max_path_length_must_be_a_positive_integer(good, bad):
    _raises(*good, "max_path_length must be a positive integer", max_path_length=bad)


def test_cap_keeps_the_last_touches_by_position_whatever_the_row_order():
    touches, journeys = build([(["A", "B", "C", "D"], True), (["E"], True)])
    enc = encode_journeys(touches.iloc[::-1], journeys, max_path_length=2)
    assert enc.entities[enc.touch_entity].tolist() == ["C", "D", "E"]
    assert enc.n_truncated == 1 and enc.lengths.tolist() == [2, 1]


def test_cap_is_logged(caplog):
    touches, journeys = build([(["A", "B", "C"], True)])
    with caplog.at_level("INFO", logger="roi_ml.attribution"):
        encode_journeys(touches, journeys, max_path_length=1)
    assert "1 of 1 journeys truncated to their last 1 touches" in caplog.text


def test_string_journey_ids_and_numeric_entities_keep_their_meaning():
    touches = pd.DataFrame({"journey_id": ["j2", "j1", "j1"], "position": [0, 1, 0], "entity": [7, 8, 7]})
    journeys = pd.DataFrame({"journey_id": ["j1", "j2"], "converted": [True, True], "value": [4.0, 2.0]})
    credit = credit_journeys(touches, journeys, "last_touch")
    assert credit.to_dict("list") == {"journey_id": ["j1", "j2"], "entity": ["8", "7"],
                                      "conversions": [1.0, 1.0], "value": [4.0, 2.0]}
