"""The recommendations evaluation section: hand-made truths."""

from __future__ import annotations

import pandas as pd
import pytest

from roi_ml.ground_truth import GroundTruth
from roi_ml.pipelines.evaluation.recommendations import (
    score_content_formats,
    score_posting_windows,
    score_recommendations,
    true_cpa_above_benchmark,
    true_window_lift,
)


def timing() -> pd.DataFrame:
    # tiktok Monday: hours 0-11 lift 0.5, hours 12-23 lift 1.5
    return pd.DataFrame({"platform": "tiktok", "day_of_week": 0, "hour": range(24),
                         "lift": [0.5] * 12 + [1.5] * 12})


def test_true_window_lift_averages_the_hours_of_the_window():
    w = pd.DataFrame({"platform": ["tiktok", "tiktok"], "day_of_week": [0, 0], "hour_start": [10, 12],
                      "hour_end": [14, 24]})
    # 10-14: (0.5 + 0.5 + 1.5 + 1.5) / 4 = 1.0; 12-24: 1.5
    assert true_window_lift(timing(), w).tolist() == [1.0, 1.5]


def test_posting_window_scores_by_hand():
    norms = pd.DataFrame({"platform": "tiktok", "day_of_week": 0, "hour_start": [0, 12], "hour_end": [12, 24],
                          "lift": [0.8, 1.2], "n_posts": [3, 1], "outcome": "attributed_conversions"})
    windows = pd.DataFrame({"creator_id": ["A", "A", "B"], "platform": "tiktok", "day_of_week": 0,
                            "hour_start": [12, 0, 0], "hour_end": [24, 12, 12], "lift": [1.3, 0.9, 1.1]})
    out = score_posting_windows(timing(), windows, norms)
    # posted: (3 x 0.5 + 1 x 1.5) / 4 = 0.75; A's first window 12-24 (1.5), B's 0-12 (0.5)
    assert out["posted_true_lift"] == pytest.approx(0.75)
    assert out["top_window_true_lift"] == pytest.approx(1.0)
    assert out["top_window_beats_posted_share"] == pytest.approx(0.5)
    assert out["creator_platform_pairs"] == 2


def test_content_format_scores_by_hand():
    truth = pd.DataFrame({"platform": "tiktok", "format": ["short", "story", "carousel"], "lift": [1.3, 0.7, 1.0]})
    cf = pd.DataFrame({"platform": "tiktok", "niche": ["beauty"] * 3 + ["tech"] * 2,
                       "format": ["short", "carousel", "story", "story", "short"],
                       "rank_in_group": [1, 2, 3, 1, 2], "conversion_lift": [1.4, 1.0, 0.6, 1.2, 1.1],
                       "n_posts_lift": [2, 2, 2, 1, 1]})
    out = score_content_formats(truth, cf)
    # pooled: short (2x1.4 + 1.1)/3 = 1.3, carousel 1.0, story (1.2 + 2x0.6)/3 = 0.8 -> same order as truth
    assert out["format_spearman"] == pytest.approx(1.0)
    # first formats: beauty short (1.3, the best), tech story (0.7, not the best)
    assert out["top_format_true_lift"] == pytest.approx(1.0)
    assert out["top_format_is_best_share"] == pytest.approx(0.5)


def test_true_cpa_above_benchmark_by_hand():
    ct = pd.DataFrame({"creator_id": ["A", "B", "C"], "campaign_id": "K",
                       "total_cost_usd": [100.0, 100.0, 100.0], "true_conversions": [1, 5, 0]})
    out = true_cpa_above_benchmark(ct)
    # A: CPA 100 vs (200 / 5) = 40 -> above; B: 20 vs 200 / 1 = 200 -> below; C: no conversion -> above
    assert out.to_dict() == {("A", "K"): True, ("B", "K"): False, ("C", "K"): True}


def test_skipped_without_truth(tmp_path):
    out = score_recommendations(GroundTruth(tmp_path / "none"), pd.DataFrame(), pd.DataFrame(),
                                pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), {})
    assert set(out) == {"skipped"}
