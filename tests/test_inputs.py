"""roi_ml.inputs: the column check and the attribution-model choice every downstream stage uses."""

import logging

import pandas as pd
import pytest

from roi_ml.inputs import InputError, require_columns, select_attribution_model

KEYS = ("stage.attribution.model", "stage.attribution.fallback_model")


class StageError(InputError):
    pass


def credit() -> pd.DataFrame:
    return pd.DataFrame({"model": ["time_decay", "last_touch", "time_decay"],
                         "attributed_conversions": [1.0, 2.0, 3.0],
                         "attributed_revenue": [10.0, 20.0, 30.0],
                         "conversions_ci_low": [0.5, 1.0, 2.0]})


def test_require_columns_names_table_missing_found_and_fix():
    f = pd.DataFrame({"b": [1], "a": [2]})
    require_columns(f, ["a", "b"], "t", "fix it")  # nothing missing: no error
    with pytest.raises(StageError) as e:
        require_columns(f, ["a", "c", "d"], "kpi_post", "Re-run kpis.", StageError)
    assert str(e.value) == "kpi_post: missing column(s) ['c', 'd'] (found ['a', 'b']). Re-run kpis."


def test_preferred_model_rows_with_model_used_and_null_intervals():
    rows, used = select_attribution_model(credit(), "time_decay", "last_touch", "post_attribution",
                                          KEYS, "conf/x.yml")
    assert used == "time_decay" and rows["attributed_revenue"].tolist() == [10.0, 30.0]
    assert rows["model_used"].tolist() == ["time_decay"] * 2 and str(rows["model_used"].dtype) == "str"
    assert rows["conversions_ci_low"].tolist() == [0.5, 2.0]          # kept where present
    assert rows[["revenue_ci_low", "revenue_ci_high", "conversions_ci_high"]].isna().all().all()


def test_fallback_is_logged_with_its_conf_key(caplog):
    with caplog.at_level(logging.WARNING):
        rows, used = select_attribution_model(credit(), "data_driven", "last_touch", "post_attribution",
                                              KEYS, "conf/x.yml")
    assert used == "last_touch" and rows["attributed_conversions"].tolist() == [2.0]
    assert "'data_driven'" in caplog.text and "stage.attribution.fallback_model" in caplog.text


def test_neither_model_stops_with_the_models_present_and_the_keys():
    with pytest.raises(StageError, match=r"models present: \['last_touch', 'time_decay'\]\)\. Set "
                                         r"stage.attribution.model / stage.attribution.fallback_model in conf/x.yml"):
        select_attribution_model(credit(), "data_driven", "markov", "post_attribution", KEYS,
                                 "conf/x.yml", StageError)
    with pytest.raises(InputError, match=r"post_attribution: missing column\(s\) \['model'\]"):
        select_attribution_model(credit().drop(columns="model"), "a", "b", "post_attribution", KEYS, "c")
