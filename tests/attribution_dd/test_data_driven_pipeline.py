"""The data_driven slot of the attribution pipeline: credit, fallback, bad inputs, determinism,
intervals and the view-through hand-off."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from dd_world import POSTS, dd_params, roster, world
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner

from roi_ml.attribution.data_driven import (
    DataDrivenConfig,
    bootstrap_intervals,
    creator_totals,
    credit_data_driven,
    frames_from_events,
)
from roi_ml.pipelines.attribution import create_pipeline
from roi_ml.pipelines.attribution.data_driven_nodes import add_view_through
from roi_ml.registry import ModelBundle

OUTPUTS = ("entity_attribution", "creator_attribution", "post_attribution", "channel_attribution",
           "platform_attribution", "data_driven_click_credit", "data_driven_creator_intervals",
           "attribution_conversion_model", "attribution_data_driven_metrics",
           "attribution_model_comparison")


def run(journeys: pd.DataFrame, touches: pd.DataFrame, **overrides) -> dict:
    class Kept(MemoryDataset):
        def _release(self) -> None:
            pass

    catalog = DataCatalog({name: Kept() for name in OUTPUTS})
    catalog["journeys"] = journeys
    catalog["journey_touches"] = touches
    for name, frame in roster().items():
        catalog[name] = frame
    catalog["params:attribution"] = dd_params(**overrides)
    SequentialRunner().run(create_pipeline(), catalog)
    return {name: catalog[name].load() for name in OUTPUTS}


@pytest.fixture(scope="module")
def ran() -> dict:
    j, t = world()
    return {"journeys": j, "touches": t, **run(j, t)}


def _model(out: dict, table: str, model: str = "data_driven") -> pd.DataFrame:
    frame = out[table]
    return frame[frame["model"] == model]


def test_data_driven_credit_is_conserved_and_labelled(ran):
    dd = _model(ran, "entity_attribution")
    conv = ran["journeys"][ran["journeys"]["converted"]]
    assert dd["attributed_conversions"].sum() == pytest.approx(len(conv))
    assert dd["attributed_revenue"].sum() == pytest.approx(conv["value_usd"].sum())
    assert (dd["attributed_conversions"] >= 0).all()
    assert set(dd["model_used"]) == {"data_driven"}
    creators = _model(ran, "creator_attribution")
    assert set(creators["creator_id"]) == {"CRA", "CRB", "CRC"}
    # creator rows add up to the credit of the creators' posts
    posts = dd[dd["entity"].isin(list(POSTS))]
    assert creators["attributed_conversions"].sum() == pytest.approx(posts["attributed_conversions"].sum())


def test_the_stronger_creator_gets_more_credit_per_click(ran):
    """The world gives A's clicks +0.35 conversion probability and B's +0.15: per converting
    journey touched, A must get a larger share than B."""
    c = _model(ran, "creator_attribution").set_index("creator_id")["attributed_conversions"]
    t = ran["touches"]
    conv_ids = ran["journeys"].loc[ran["journeys"]["converted"], "journey_id"]
    touched = t[t["journey_id"].isin(conv_ids) & (t["touch_type"] == "click")]
    n = touched.groupby("creator_id")["journey_id"].nunique()
    assert c["CRA"] / n["CRA"] > c["CRB"] / n["CRB"]
    assert c["CRC"] == 0.0  # never touched


def test_intervals_bracket_the_credit(ran):
    c = _model(ran, "creator_attribution").set_index("creator_id")
    for low, point, high in (("conversions_ci_low", "attributed_conversions", "conversions_ci_high"),
                             ("revenue_ci_low", "attributed_revenue", "revenue_ci_high")):
        assert c[low].notna().all() and c[high].notna().all()
        assert (c[low] <= c[point] + 1e-9).all() and (c[point] <= c[high] + 1e-9).all()
    assert c.loc["CRA", "conversions_ci_high"] > c.loc["CRA", "conversions_ci_low"]
    other = _model(ran, "creator_attribution", "linear")
    assert other[["conversions_ci_low", "revenue_ci_high"]].isna().all().all()


def test_model_is_bundled_for_the_registry(ran):
    bundle = ran["attribution_conversion_model"]
    assert isinstance(bundle, ModelBundle)
    proba = bundle.model.predict_proba(bundle.input_example)[:, 1]
    assert np.allclose(proba, bundle.output_example)
    assert ran["attribution_data_driven_metrics"]["fallback_to_linear"]["value"] == 0.0


def test_sparse_data_falls_back_to_linear_and_says_so(caplog):
    j, t = world(n_users=120)
    n_conv = int(j["converted"].sum())
    with caplog.at_level(logging.WARNING):
        out = run(j, t, data_driven={"min_conversions_for_data_driven": n_conv + 1})
    dd = _model(out, "entity_attribution").set_index("entity")
    lin = _model(out, "entity_attribution", "linear").set_index("entity")
    assert set(dd["model_used"]) == {"linear"}
    assert set(_model(out, "creator_attribution")["model_used"]) == {"linear"}
    pd.testing.assert_series_equal(dd["attributed_conversions"], lin["attributed_conversions"])
    assert "falls back to linear" in caplog.text and "min_conversions_for_data_driven" in caplog.text
    assert out["attribution_data_driven_metrics"]["fallback_to_linear"]["value"] == 1.0


def test_at_the_threshold_the_model_runs():
    j, t = world(n_users=200)
    n_conv = int(j["converted"].sum())
    out = run(j, t, data_driven={"min_conversions_for_data_driven": n_conv})
    assert set(_model(out, "entity_attribution")["model_used"]) == {"data_driven"}


def test_zero_conversions_credit_nothing(caplog):
    j, t = world(n_users=50)
    nonconv = j[~j["converted"]]
    t = t[t["journey_id"].isin(nonconv["journey_id"])]
    with caplog.at_level(logging.WARNING):
        out = run(nonconv.reset_index(drop=True), t.reset_index(drop=True),
                  data_driven={"min_conversions_for_data_driven": 0})
    dd = _model(out, "creator_attribution")
    assert dd["attributed_conversions"].sum() == 0.0
    assert set(dd["model_used"]) == {"linear"}
    assert "cannot be fitted" in caplog.text


def test_journeys_without_touchpoints_go_to_none():
    """Every journey has no touch: nothing to learn (fallback) and all credit to "(none)"."""
    j, _ = world(n_users=80)
    empty = pd.DataFrame({c: pd.Series([], dtype="str") for c in
                          ("journey_id", "entity", "touch_type", "post_id", "creator_id", "channel")})
    empty["position"] = pd.Series([], dtype="int64")
    empty["touch_time"] = pd.Series([], dtype="datetime64[us, UTC]")
    out = run(j, empty, data_driven={"min_conversions_for_data_driven": 0})
    ch = _model(out, "channel_attribution").set_index("channel")["attributed_conversions"]
    assert ch["(none)"] == pytest.approx(float(j["converted"].sum()))


def test_conversion_without_prior_session_and_single_creator():
    """Only creator A exists; a few converting journeys have no touch at all: those go to
    "(none)" in full, the rest is split between A's posts and channels."""
    j, t = world(n_users=400, seed=3)
    t = t[t["creator_id"].isna() | (t["creator_id"] == "CRA")]
    bare = j.loc[j["converted"], "journey_id"].head(5)
    t = t[~t["journey_id"].isin(bare)]
    out = run(j, t.reset_index(drop=True))
    dd = _model(out, "entity_attribution").set_index("entity")
    assert set(_model(out, "entity_attribution")["model_used"]) == {"data_driven"}
    assert dd.loc["(none)", "attributed_conversions"] >= 5 - 1e-9
    assert dd["attributed_conversions"].sum() == pytest.approx(float(j["converted"].sum()))
    creators = _model(out, "creator_attribution").set_index("creator_id")["attributed_conversions"]
    assert creators["CRA"] > 0 and creators["CRB"] == 0.0


def test_long_paths_are_capped_like_every_model():
    """With max_path_length 2 a journey keeps its last two touches: a creator touched only
    earlier gets nothing from it."""
    j, t = world(n_users=300, seed=5, max_touches=8)
    full = credit_data_driven(*frames_from_events(j, t, roster()["sessions"], roster()["posts"],
                                                  roster()["creators"], None),
                              DataDrivenConfig(n_estimators=20, n_bootstrap=0, n_jobs=1))
    touches, journeys = frames_from_events(j, t, roster()["sessions"], roster()["posts"],
                                           roster()["creators"], 2)
    assert touches.groupby("journey_id").size().max() == 2
    capped = credit_data_driven(touches, journeys, DataDrivenConfig(n_estimators=20, n_bootstrap=0, n_jobs=1))
    kept = set(zip(touches["journey_id"], touches["entity"], strict=True)) | {
        (jid, "(none)") for jid in journeys["journey_id"]}
    assert set(zip(capped.credit["journey_id"], capped.credit["entity"], strict=True)) <= kept
    assert capped.credit["conversions"].sum() == pytest.approx(full.credit["conversions"].sum())


def test_same_input_same_credit():
    j, t = world(n_users=300, seed=7)
    frames = frames_from_events(j, t, roster()["sessions"], roster()["posts"], roster()["creators"], 20)
    cfg = DataDrivenConfig(n_estimators=30, n_bootstrap=10, n_jobs=2)
    a, b = credit_data_driven(*frames, cfg), credit_data_driven(*frames, cfg)
    pd.testing.assert_frame_equal(a.credit, b.credit)
    pd.testing.assert_frame_equal(a.intervals, b.intervals)


def test_creator_totals_by_hand():
    """j1 (1 conversion, $100): A .6, B .2; j2 (2 conversions, $50): A .5; weights j1×2, j2×0.
    A: unweighted .6·1 + .5·2 = 1.6 conv, .6·100 + .5·50 = 85 $; weighted 2·.6 = 1.2 conv, $120."""
    shares = pd.DataFrame({"journey_id": ["j1", "j1", "j2"], "creator_id": ["A", "B", "A"],
                           "share": [0.6, 0.2, 0.5]})
    journeys = pd.DataFrame({"journey_id": ["j1", "j2", "n1"], "converted": [True, True, False],
                             "conversions": [1.0, 2.0, 0.0], "revenue": [100.0, 50.0, 0.0]})
    t = creator_totals(shares, journeys).set_index("creator_id")
    assert t.loc["A", "conversions"] == pytest.approx(1.6) and t.loc["A", "revenue"] == pytest.approx(85.0)
    assert t.loc["B", "conversions"] == pytest.approx(0.2)
    w = creator_totals(shares, journeys, pd.Series({"j1": 2.0, "j2": 0.0})).set_index("creator_id")
    assert w.loc["A", "conversions"] == pytest.approx(1.2) and w.loc["A", "revenue"] == pytest.approx(120.0)


def test_bootstrap_interval_of_a_creator_in_every_journey_is_exact():
    """A takes half of each of 4 one-conversion journeys: any resample of 4 journeys gives A
    exactly 2 conversions, so the interval is [2, 2]; B (in one journey of 4, share 1) ranges
    over 0..4 draws of it; its 90 % interval must lie inside [0, 4] and be wider than a point."""
    shares = pd.DataFrame({"journey_id": ["a", "b", "c", "d", "a"], "creator_id": ["A"] * 4 + ["B"],
                           "share": [0.5] * 4 + [0.5]})
    journeys = pd.DataFrame({"journey_id": list("abcd"), "converted": True, "conversions": 1.0,
                             "revenue": 10.0})
    iv = bootstrap_intervals(shares, journeys, pd.Index(["A", "B"]), 200, 0.9, 0).set_index("creator_id")
    assert iv.loc["A", "conversions_ci_low"] == pytest.approx(2.0)
    assert iv.loc["A", "conversions_ci_high"] == pytest.approx(2.0)
    assert iv.loc["A", "revenue_ci_high"] == pytest.approx(20.0)
    assert 0.0 <= iv.loc["B", "conversions_ci_low"] < iv.loc["B", "conversions_ci_high"] <= 2.0


def test_view_through_goes_to_posts_by_impressions_and_out_of_touchless():
    """Credit: PA1 2, PB1 1, direct 3, (none) 1, email 1 (8 conversions, $10 each). View-through:
    CRA 2 conversions ($20), CRB 0.5 ($5). PA1:PA2 impressions 3000:1000 → PA1 +1.5, PA2 +0.5;
    PB1 +0.5. Touchless pool = direct 3 + (none) 1 = 4, 2.5 moved → each × (1 − 2.5/4):
    direct 1.125, (none) 0.375; email untouched. Total stays 8."""
    entities = ["PA1", "PB1", "direct", "(none)", "email"]
    conv = [2.0, 1.0, 3.0, 1.0, 1.0]
    credit = pd.DataFrame({"model": "data_driven", "model_used": "data_driven", "entity": entities,
                           "attributed_conversions": conv,
                           "attributed_revenue": [10 * c for c in conv],
                           "conversions_ci_low": pd.array([pd.NA] * 5, dtype="Float64"),
                           "conversions_ci_high": pd.array([pd.NA] * 5, dtype="Float64")})
    vt = pd.DataFrame({"creator_id": ["CRA", "CRB"], "view_through_conversions": [2.0, 0.5],
                       "view_through_revenue": [20.0, 5.0], "view_through_ci_low": [1.0, 0.0],
                       "view_through_ci_high": [3.0, 1.0]})
    iv = pd.DataFrame({"creator_id": ["CRA", "CRB"], "model": "data_driven",
                       "conversions_ci_low": [1.5, 0.5], "conversions_ci_high": [2.5, 1.5],
                       "revenue_ci_low": [15.0, 5.0], "revenue_ci_high": [25.0, 15.0]})
    r = roster()
    out, iv2 = add_view_through(credit, vt, iv, None, r["posts"], r["post_daily_metrics"])
    c = out.set_index("entity")["attributed_conversions"]
    assert c["PA1"] == pytest.approx(3.5) and c["PA2"] == pytest.approx(0.5)
    assert c["PB1"] == pytest.approx(1.5)
    assert c["direct"] == pytest.approx(1.125) and c["(none)"] == pytest.approx(0.375)
    assert c["email"] == pytest.approx(1.0) and c.sum() == pytest.approx(8.0)
    assert out["attributed_revenue"].sum() == pytest.approx(80.0)
    i = iv2.set_index("creator_id")
    assert i.loc["CRA", "conversions_ci_low"] == pytest.approx(2.5)   # 1.5 + 1.0
    assert i.loc["CRA", "conversions_ci_high"] == pytest.approx(5.5)  # 2.5 + 3.0
    assert i.loc["CRA", "revenue_ci_high"] == pytest.approx(55.0)     # 25 + 3.0 × $10


def test_a_fallback_bundle_is_pickled_but_never_registered(tmp_path, monkeypatch):
    """With an MLflow run open, a bundle without a model must not reach mlflow.xgboost.log_model."""
    import mlflow

    from roi_ml.pipelines.attribution.model_dataset import OptionalRegisteredModelDataset

    ds = OptionalRegisteredModelDataset(filepath=str(tmp_path / "m.pkl"), flavor="mlflow.xgboost",
                                        registered_model_name="roi_ml_attribution_conversion")
    monkeypatch.setattr(mlflow, "active_run", lambda: object())
    called = []
    monkeypatch.setattr("mlflow.xgboost.log_model", lambda *a, **k: called.append(1))
    ds.save(ModelBundle(None, metadata={"reason": "fewer than 300 conversions"}))
    assert (tmp_path / "m.pkl").exists() and called == []
    assert ds.load().metadata["reason"] == "fewer than 300 conversions"


def test_view_through_on_an_untouched_post_rolls_up_to_the_creator_channel():
    """PA2 was never touched (not in attribution_entities) but got 0.5 view-through: the
    channel table must put it under "creator" (1.5 with PA1's 1.0), not a channel "PA2"."""
    from roi_ml.pipelines.attribution.nodes import roll_up_credit

    r = roster()
    entities = pd.DataFrame({"entity": ["PA1", "direct", "(none)"], "kind": ["post", "channel", "none"],
                             "post_id": ["PA1", None, None], "creator_id": ["CRA", None, None],
                             "campaign_id": ["CMP1", None, None], "platform": ["instagram", None, None],
                             "channel": ["creator", "direct", "(none)"]})
    credit = pd.DataFrame({"model": "data_driven", "model_used": "data_driven",
                           "entity": ["PA1", "PA2", "direct", "(none)"],
                           "attributed_conversions": [1.0, 0.5, 2.0, 0.5],
                           "attributed_revenue": [10.0, 5.0, 20.0, 5.0],
                           "conversions_ci_low": pd.array([pd.NA] * 4, dtype="Float64"),
                           "conversions_ci_high": pd.array([pd.NA] * 4, dtype="Float64")})
    post, creator, _, _, channel = roll_up_credit(credit, entities, r["creators"], r["posts"],
                                                  r["campaigns"])
    ch = channel.set_index("channel")["attributed_conversions"]
    assert ch["creator"] == pytest.approx(1.5) and "PA2" not in ch.index
    assert creator.set_index("creator_id").loc["CRA", "attributed_conversions"] == pytest.approx(1.5)


def test_a_missing_sparse_data_threshold_stops_the_run_naming_the_conf_key():
    """No silent code default: without the key in conf the run says where to set it."""
    j, t = world(n_users=50)
    params = dd_params()
    del params["data_driven"]["min_conversions_for_data_driven"]
    catalog = DataCatalog({name: MemoryDataset() for name in OUTPUTS})
    catalog["journeys"] = j
    catalog["journey_touches"] = t
    for name, frame in roster().items():
        catalog[name] = frame
    catalog["params:attribution"] = params
    with pytest.raises(ValueError, match="min_conversions_for_data_driven is missing.*parameters_attribution.yml"):
        SequentialRunner().run(create_pipeline(), catalog)
