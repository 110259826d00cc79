"""Every bad input the issue names: a clear log line and a correct result."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from attribution_world import JOURNEYS, POSTS, run_attribution

from roi_ml.attribution import MODELS

LOGGER = "roi_ml"


def _creator(out: dict, model: str) -> pd.Series:
    c = out["creator_attribution"]
    return c[c["model"] == model].set_index("creator_id")["attributed_conversions"]


def _channel(out: dict, model: str) -> pd.Series:
    c = out["channel_attribution"]
    return c[c["model"] == model].set_index("channel")["attributed_conversions"]


def test_journeys_without_touchpoints(caplog):
    journeys = {**JOURNEYS, "n-u9": (False, 0.0, 0.0, 1, [])}  # a non-converting one too
    with caplog.at_level(logging.INFO, logger=LOGGER):
        out = run_attribution(journeys)
    assert "1 of 5 converting journeys have no touchpoint" in caplog.text
    assert "1 non-converting journeys have no touchpoint: no model can learn from them" in caplog.text
    for model in MODELS:  # c4 ($20, no touch) goes to "(none)" under every model
        ch = out["channel_attribution"]
        row = ch[(ch["model"] == model) & (ch["channel"] == "(none)")]
        assert row[["attributed_conversions", "attributed_revenue"]].iloc[0].tolist() == [1.0, 20.0]
        assert _channel(out, model).sum() == pytest.approx(5.0)
    assert out["attribution_journeys"]["journey_count"].sum() == 5 + 3  # n-u9 left out


@pytest.mark.parametrize("shapley_level", ["post", "creator"])
def test_paths_longer_than_the_cap_keep_their_last_touches(caplog, shapley_level):
    with caplog.at_level(logging.INFO, logger=LOGGER):
        out = run_attribution(max_path_length=2, model_params={
            "markov": {"level": "creator"}, "shapley": {"level": shapley_level}})
    assert "max_path_length=2: 1 of" in caplog.text or "max_path_length=2: 1 journeys" in caplog.text
    # c1 = organic_search > P1 > P3 becomes P1 > P3: linear gives each half
    e = out["entity_attribution"]
    lin = e[e["model"] == "linear"].set_index("entity")["attributed_conversions"]
    assert lin["organic_search"] == 0.0
    assert lin["P1"] == pytest.approx(0.5 + 1.0) and lin["P3"] == pytest.approx(0.5 + 0.5)
    for model in MODELS:
        assert _channel(out, model).sum() == pytest.approx(5.0)
        assert e[(e["model"] == model) & (e["entity"] == "organic_search")][
            "attributed_conversions"].sum() == 0.0, model


def test_zero_conversions_in_the_window(caplog):
    journeys = {k: v for k, v in JOURNEYS.items() if not v[0]}
    with caplog.at_level(logging.INFO, logger=LOGGER):
        out = run_attribution(journeys)
    assert "No conversions in the window" in caplog.text
    creators = out["creator_attribution"]
    assert len(creators) == 3 * len(MODELS)  # every creator, every model, all zero
    assert (creators[["attributed_conversions", "attributed_revenue"]] == 0).all().all()
    assert (out["channel_attribution"]["attributed_conversions"] == 0).all()
    comp = out["attribution_model_comparison"]
    assert comp["share_of_conversions"].isna().all()
    assert not any(k.endswith("share_of_conversions") for k in out["attribution_metrics"])


def test_a_single_creator(caplog):
    posts = {"P1": POSTS["P1"], "P2": POSTS["P2"]}
    journeys = {k: (c, r, v, d, [(x, "direct" if e == "P3" else e, "channel" if e == "P3" else k2)
                                 for x, e, k2 in touches])
                for k, (c, r, v, d, touches) in JOURNEYS.items()}
    with caplog.at_level(logging.INFO, logger=LOGGER):
        out = run_attribution(journeys, posts=posts, creators=("CR1",))
    assert "Only one creator (CR1) has touches" in caplog.text
    for model in MODELS:
        creator = _creator(out, model)
        assert list(creator.index) == ["CR1"]
        assert creator["CR1"] == pytest.approx(_channel(out, model)["creator"]), model
        assert _channel(out, model).sum() == pytest.approx(5.0)
    # linear by hand: P1 1/3 of c1, P2 1/2 of c2, P1 all of c3
    assert _creator(out, "linear")["CR1"] == pytest.approx(1 / 3 + 1 / 2 + 1)


def test_a_conversion_with_no_prior_session(caplog):
    """An order whose only touch is a creator's code at order time, one whose code's creator
    had not posted yet (credited to the creator, no post), and one with nothing at all."""
    journeys = {**JOURNEYS,
                "c6": (True, 40.0, 40.0, 3, [(3, "P3", "code")]),          # code, no session
                "c7": (True, 10.0, 10.0, 3, [(3, "code:CR3", "code")]),    # CR3 has no post yet
                }
    with caplog.at_level(logging.INFO, logger=LOGGER):
        out = run_attribution(journeys)
    assert "1 creators' codes were used before any post of theirs" in caplog.text
    assert "1 of 7 converting journeys have no touchpoint" in caplog.text
    for model in MODELS:
        creator = _creator(out, model)
        ch = _channel(out, model)
        assert ch.sum() == pytest.approx(7.0) and ch["(none)"] == 1.0
        assert creator["CR3"] == pytest.approx(1.0), model  # c7 has one touch: all its credit
        post = out["post_attribution"]
        code = post[(post["model"] == model) & post["post_id"].isna()]
        assert code["creator_id"].tolist() == ["CR3"] and code["campaign_id"].isna().all()
    assert _creator(out, "last_touch")["CR2"] == 3.0  # c1, c5 and the code-only c6


def test_touches_without_entity_or_journey_are_reported(caplog):
    from attribution_world import frames

    from roi_ml.pipelines.attribution.nodes import prepare_attribution_inputs

    j, t = frames()
    t.loc[t.index[0], "entity"] = None
    stray = t.iloc[[0]].assign(journey_id="ghost", entity="direct")
    with caplog.at_level(logging.INFO, logger=LOGGER):
        _, touches = prepare_attribution_inputs(j, pd.concat([t, stray], ignore_index=True))
    assert "1 touches have no entity" in caplog.text
    assert "1 touches belong to no journey" in caplog.text
    assert "(unknown)" in set(touches["entity"]) and "ghost" not in set(touches["journey_id"])
