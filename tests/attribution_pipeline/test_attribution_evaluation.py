"""Section `attribution` of evaluation.json on a tiny hand-made truth."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest
from attribution_world import params

from roi_ml.ground_truth import GroundTruthDataset
from roi_ml.pipelines.evaluation.attribution import resample_converting, score_attribution
from roi_ml.pipelines.evaluation.pipeline import SECTIONS


def _truth(tmp_path):
    (tmp_path / "creator_truth.csv").write_text("creator_id\nCR1\nCR2\nCR3\n")
    pd.DataFrame({  # in window and caused by a creator: CR1 once (visible), CR2 three times (one visible)
        "cause": ["creator", "creator", "creator", "creator", "baseline", "creator"],
        "cause_creator_id": ["CR1", "CR2", "CR2", "CR2", None, "CR1"],
        "creator_touch_visible": [True, True, False, False, False, True],
        "in_window": [True, True, True, True, True, False],
        "revenue_usd": [10.0] * 6,
    }).to_parquet(tmp_path / "conversions_truth.parquet")
    return GroundTruthDataset(str(tmp_path)).load()


def _creator_attribution():
    return pd.DataFrame({
        "creator_id": ["CR1", "CR2", "CR3"], "model": ["last_touch"] * 3,
        "model_used": ["last_touch"] * 3, "attributed_conversions": [2.0, 1.0, 1.0],
        "attributed_revenue": [0.0, 0.0, 0.0]})


def test_scores_by_hand(tmp_path):
    p = params(evaluation={"top_k": 1, "bootstrap_resamples": 0, "random_state": 0})
    out = score_attribution(_truth(tmp_path), _creator_attribution(), None, None, None, p)
    assert out["true_creator_conversions"] == 4.0 and out["true_visible_creator_conversions"] == 2.0
    s = out["last_touch"]
    # model shares (.5, .25, .25) against true (.25, .75, 0): ½(.25 + .5 + .25) = .5
    assert s["tvd"] == pytest.approx(0.5)
    # against the visible part only (.5, .5, 0): ½(0 + .25 + .25) = .25
    assert s["tvd_visible"] == pytest.approx(0.25)
    # ranks (3, 1.5, 1.5) against (2, 3, 1): deviations (1, -.5, -.5)·(0, 1, -1) = 0
    assert s["spearman"] == pytest.approx(0.0, abs=1e-12)
    assert s["top1_overlap"] == 0.0  # CR1 against CR2
    assert np.isnan(s["bootstrap_tvd_std"])


def test_bootstrap_spread_on_the_pipeline_world(tmp_path, world):
    truth = _truth(tmp_path)
    args = (truth, world["creator_attribution"], world["attribution_journeys"],
            world["attribution_touches"], world["attribution_entities"], params())
    out = score_attribution(*args)
    for model in ("last_touch", "linear", "markov", "shapley"):
        assert np.isfinite(out[model]["bootstrap_tvd_std"]) and out[model]["bootstrap_tvd_std"] >= 0
        assert 0 <= out[model]["bootstrap_tvd_mean"] <= 1
    # last touch by hand: CR1 1, CR2 2 of (.25, .75): ½(|1/3 − .25| + |2/3 − .75|) = 1/12
    assert out["last_touch"]["tvd"] == pytest.approx(1 / 12)
    assert json.dumps(score_attribution(*args)) == json.dumps(out)  # same seed, same resamples


def test_resample_converting_journeys_with_replacement(world):
    j = world["attribution_journeys"]
    r = resample_converting(j, np.random.default_rng(3))
    conv = r[r["converted"]]
    assert conv["journey_count"].sum() == j["converted"].sum()  # as many draws as journeys
    assert (conv["conversions"] == conv["journey_count"]).all()
    non = r[~r["converted"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(non, j[~j["converted"]].reset_index(drop=True))


def test_no_truth_means_a_skip_note(tmp_path, caplog):
    truth = GroundTruthDataset(str(tmp_path / "missing")).load()
    with caplog.at_level(logging.INFO):
        out = score_attribution(truth, _creator_attribution(), None, None, None, params())
    assert "skipped" in out and "skipping the 'attribution' evaluation" in caplog.text


def test_section_is_registered():
    assert [name for name, _, _ in SECTIONS].count("attribution") == 1
