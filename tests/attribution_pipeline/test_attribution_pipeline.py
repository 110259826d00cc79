"""The attribution pipeline on the hand-made world of attribution_world.py.

Converting journeys (revenue):  c1 organic_search > P1 > P3 ($100)   c2 P2 > direct ($50)
c3 P1 ($30)   c4 no touch ($20)   c5 email > P3 (a sign-up, $0). P1, P2 are CR1's, P3 is CR2's;
P1 and P3 in campaign CMP1, P2 in CMP2; P1 on instagram, P2 and P3 on tiktok. CR3 has no post.
Non-converting: P1 > direct twice, P2 once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from attribution_world import frames, run_attribution

from roi_ml.attribution import MODELS
from roi_ml.pipelines.attribution.config import AttributionConfig
from roi_ml.pipelines.attribution.nodes import (
    ENTITY_CREDIT_COLUMNS,
    combine_model_credit,
    prepare_attribution_inputs,
)

LEVEL_TABLES = {"post": "post_attribution", "creator": "creator_attribution",
                "campaign": "campaign_attribution", "platform": "platform_attribution",
                "channel": "channel_attribution"}
TOTAL_CONVERSIONS, TOTAL_REVENUE = 5.0, 200.0


def _by(table: pd.DataFrame, model: str, key: str) -> pd.DataFrame:
    return table[table["model"] == model].set_index(key)[["attributed_conversions",
                                                          "attributed_revenue"]]


def test_inputs_keep_converting_journeys_and_aggregate_the_others(world):
    j, t = world["attribution_journeys"], world["attribution_touches"]
    conv = j[j["converted"]].set_index("journey_id")
    assert sorted(conv.index) == ["c1", "c2", "c3", "c4", "c5"]
    assert conv.loc["c5", "value"] == 5.0 and conv.loc["c5", "revenue_usd"] == 0.0
    assert (conv["journey_count"] == 1.0).all()
    paths = {jid: " > ".join(g.sort_values("position")["entity"]) for jid, g in t.groupby("journey_id")}
    non = j[~j["converted"]]
    counts = {paths[r.journey_id]: r.journey_count for r in non.itertuples()}
    assert counts == {"P1 > direct": 2.0, "P2": 1.0}  # three journeys, two distinct paths
    assert "c4" not in paths  # no touch: stays a journey, credited to "(none)"
    assert t.loc[t["journey_id"] == "c1", "timestamp"].notna().all()


def test_entities_say_what_each_touch_is(world):
    e = world["attribution_entities"].set_index("entity")
    assert e.loc["P3", ["kind", "creator_id", "campaign_id", "platform", "channel"]].tolist() == \
        ["post", "CR2", "CMP1", "tiktok", "creator"]
    assert e.loc["direct", "kind"] == "channel" and e.loc["direct", "channel"] == "direct"
    assert e.loc["(none)", "kind"] == "none"


def test_last_touch_creator_roll_up_by_hand(world):
    c = _by(world["creator_attribution"], "last_touch", "creator_id")
    # c3 ends on P1 (CR1, $30); c1 and c5 end on P3 (CR2, $100 + $0); c2 ends on direct
    assert c.loc["CR1"].tolist() == [1.0, 30.0]
    assert c.loc["CR2"].tolist() == [2.0, 100.0]
    assert c.loc["CR3"].tolist() == [0.0, 0.0]
    ch = _by(world["channel_attribution"], "last_touch", "channel")
    assert ch.loc["creator"].tolist() == [3.0, 130.0]
    assert ch.loc["direct"].tolist() == [1.0, 50.0]
    assert ch.loc["(none)"].tolist() == [1.0, 20.0]


def test_linear_roll_ups_by_hand(world):
    c = _by(world["creator_attribution"], "linear", "creator_id")
    # CR1: P1 1/3 of c1 + P2 1/2 of c2 + all of c3; CR2: P3 1/3 of c1 + 1/2 of c5
    assert c.loc["CR1", "attributed_conversions"] == pytest.approx(1 / 3 + 1 / 2 + 1)
    assert c.loc["CR1", "attributed_revenue"] == pytest.approx(100 / 3 + 25 + 30)
    assert c.loc["CR2", "attributed_conversions"] == pytest.approx(1 / 3 + 1 / 2)
    assert c.loc["CR2", "attributed_revenue"] == pytest.approx(100 / 3)
    camp = _by(world["campaign_attribution"], "linear", "campaign_id")["attributed_conversions"]
    assert camp["CMP1"] == pytest.approx(4 / 3 + 5 / 6) and camp["CMP2"] == pytest.approx(0.5)
    plat = _by(world["platform_attribution"], "linear", "platform")["attributed_conversions"]
    assert plat["instagram"] == pytest.approx(4 / 3) and plat["tiktok"] == pytest.approx(4 / 3)
    ch = _by(world["channel_attribution"], "linear", "channel")["attributed_conversions"]
    assert ch.to_dict() == pytest.approx({"(none)": 1.0, "creator": 8 / 3, "direct": 0.5,
                                          "email": 0.5, "organic_search": 1 / 3})


def test_every_creator_post_and_model_is_listed_with_the_output_schema(world):
    creators = world["creator_attribution"]
    assert list(creators.columns) == ["creator_id", "model", "model_used", "attributed_conversions",
                                      "attributed_revenue", "conversions_ci_low", "conversions_ci_high",
                                      "revenue_ci_low", "revenue_ci_high"]
    assert len(creators) == 3 * len(MODELS)
    assert set(creators["model"]) == set(MODELS) and (creators["model"] == creators["model_used"]).all()
    assert creators[["conversions_ci_low", "conversions_ci_high"]].isna().all().all()
    assert list(world["post_attribution"].columns[:4]) == ["post_id", "creator_id", "campaign_id", "platform"]
    assert len(world["post_attribution"]) == 3 * len(MODELS)
    assert list(world["entity_attribution"].columns) == ENTITY_CREDIT_COLUMNS


def _check_conservation(out: dict) -> None:
    channel = out["channel_attribution"]
    creator_side = out["entity_attribution"].merge(
        out["attribution_entities"], on="entity")
    creator_side = creator_side[creator_side["kind"].isin(["post", "creator"])]
    for model in MODELS:
        tot = channel[channel["model"] == model][["attributed_conversions", "attributed_revenue"]].sum()
        assert tot.tolist() == pytest.approx([TOTAL_CONVERSIONS, TOTAL_REVENUE]), model
        want = creator_side[creator_side["model"] == model][["attributed_conversions",
                                                             "attributed_revenue"]].sum()
        for level in ("post", "creator", "campaign", "platform"):
            t = out[LEVEL_TABLES[level]]
            got = t[t["model"] == model][["attributed_conversions", "attributed_revenue"]].sum()
            assert got.tolist() == pytest.approx(want.tolist()), (model, level)
        # creator-side credit is exactly the channel "creator" (no untracked creator session here)
        row = channel[(channel["model"] == model) & (channel["channel"] == "creator")]
        assert row["attributed_conversions"].sum() == pytest.approx(want["attributed_conversions"])
        assert (out["entity_attribution"]["attributed_conversions"] >= 0).all()


def test_credit_is_conserved_for_every_model_at_every_level(world):
    _check_conservation(world)


def test_conservation_with_post_level_markov_and_creator_level_shapley():
    out = run_attribution(model_params={
        "markov": {"order": 2, "level": "post"},
        "shapley": {"level": "creator", "max_exact_entities": 2, "n_permutations": 20}})
    _check_conservation(out)
    # shapley on creators: c1's CR1 share goes to P1 (CR1's only post in c1)
    post = out["post_attribution"]
    assert post[(post["model"] == "shapley")]["attributed_conversions"].sum() > 0


def test_comparison_table_and_mlflow_metrics(world):
    comp = world["attribution_model_comparison"]
    assert len(comp) == len(MODELS) * 5
    row = comp[(comp["model"] == "last_touch") & (comp["level"] == "creator")].iloc[0]
    assert row["share_of_conversions"] == pytest.approx(3 / 5)
    assert row["entities"] == 3 and row["entities_credited"] == 2
    assert row["top_entities"] == "CR2 66.7%; CR1 33.3%"
    first = comp[(comp["model"] == "first_touch") & (comp["level"] == "creator")].iloc[0]
    assert first["tvd_to_reference"] == pytest.approx(2 / 3)  # (1, 0) against (1/3, 2/3)
    m = world["attribution_metrics"]
    assert m["last_touch.creator_share_of_conversions"] == {"value": pytest.approx(0.6), "step": 0}
    assert m["markov.none_share_of_conversions"]["value"] == pytest.approx(0.2)
    assert all(np.isfinite(v["value"]) for v in m.values())


def test_same_input_same_credit(world):
    again = run_attribution()
    pd.testing.assert_frame_equal(again["entity_attribution"], world["entity_attribution"])


def test_a_model_built_elsewhere_joins_through_the_combine_node(world):
    credit = world["entity_attribution"]
    dd = credit[credit["model"] == "linear"].assign(model="data_driven", model_used="linear")
    both = combine_model_credit(credit, dd)
    assert both["model"].iloc[-1] == "data_driven" and len(both) == len(credit) + len(dd)
    with pytest.raises(ValueError, match="'linear' is in credit tables 0 and 1"):
        combine_model_credit(credit, credit[credit["model"] == "linear"])
    with pytest.raises(ValueError, match="lacks column"):
        combine_model_credit(dd.drop(columns="model_used"))


def test_models_not_listed_are_skipped():
    out = run_attribution(models=["linear", "markov"])
    assert set(out["creator_attribution"]["model"]) == {"linear", "markov"}


@pytest.mark.parametrize("bad, message", [
    ({"models": ["linear", "lasso"]}, r"unknown model\(s\) \['lasso'\]"),
    ({"model_params": {"markov": {"order": 1, "half_life_days": 3}}}, r"markov: unknown parameter"),
    ({"model_params": {"shapley": {"level": "campaign"}}}, r"shapley.level"),
    ({"max_path_length": 0}, r"max_path_length"),
    ({"colour": "red"}, r"attribution.colour: unknown key"),
])
def test_bad_parameters_name_the_key_and_the_file(bad, message):
    with pytest.raises(ValueError, match=message) as err:
        AttributionConfig.from_params(bad)
    assert "conf/base/parameters_attribution.yml" in str(err.value)


def test_prepare_accepts_pandas_frames_too():
    j, t = frames()
    journeys, touches = prepare_attribution_inputs(j, t)
    assert journeys["converted"].sum() == 5 and len(touches) == 11
