"""Reach deduplication against a worked example (docs/metrics.md, "Deduplicated reach")."""

import pandas as pd
import pytest

from roi_ml.kpis.reach import (
    ReachAssumptions,
    audience_not_reached,
    creator_not_reached,
    deduplicated_reach,
    sainsbury,
)

POINT = ReachAssumptions(default_overlap=0.5, overlap_range=(0.1, 0.7), core_share_low=0.2,
                         core_multiplier_low=2.0)


def test_sainsbury():
    # 1 − (1 − 0.2)(1 − 0.5) = 1 − 0.4 = 0.6 (not 0.7: 0.1 of the universe saw both)
    assert sainsbury([0.2, 0.5]) == pytest.approx(0.6)
    assert sainsbury([]) == 0.0
    assert sainsbury([1.5]) == 1.0  # shares are clipped to 1


def test_within_an_audience_posts_duplicate():
    # two posts each reaching 50 of a 200-follower audience: 1 − 0.75² = 0.4375 → 87.5 people
    assert 200 * (1 - audience_not_reached(200, [50, 50])) == pytest.approx(87.5)
    # a core of heavy viewers duplicates more than random: fewer unique people
    core = 200 * (1 - audience_not_reached(200, [50, 50], core_share=0.2, core_multiplier=2.0))
    assert core < 87.5
    # one post: its reach, whatever the model
    assert 200 * (1 - audience_not_reached(200, [50], 0.2, 2.0)) == pytest.approx(50)


def test_worked_example_campaign():
    """Universe U = 1,000. Creator A: Instagram (primary) audience 200, posts reaching 50 and 50;
    TikTok audience 100 sharing 50 % of it with Instagram (50 people), one post reaching 20.
    Creator B: YouTube audience 400, one post reaching 100.

    A on Instagram: 200 × (1 − 0.75²) = 87.5. A on TikTok: 20. Duplicated between them: the 50
    shared people × P(reached on Instagram) 0.4375 × P(reached on TikTok) 0.2 = 4.375.
    A's reach = 87.5 + 20 − 4.375 = 103.125, i.e. P(not reached by A) = 0.896875.
    B: 100 → P(not reached by B) = 0.9.
    Campaign (Sainsbury across creators): 1,000 × (1 − 0.896875 × 0.9) = 192.8125.
    """
    q_a = creator_not_reached(1000, [200, 100], [[50, 50], [20]], overlap=0.5)
    assert 1000 * (1 - q_a) == pytest.approx(103.125)
    q_b = creator_not_reached(1000, [400], [[100]], overlap=0.0)
    assert 1000 * (1 - q_b) == pytest.approx(100.0)
    posts = pd.DataFrame({
        "campaign_id": ["C1"] * 4, "creator_id": ["A", "A", "A", "B"],
        "platform": ["instagram", "instagram", "tiktok", "youtube"],
        "reach": [50.0, 50.0, 20.0, 100.0], "audience": [200.0, 200.0, 100.0, 400.0]})
    posts["reach_low"] = posts["reach_high"] = posts["reach"]
    creators = pd.DataFrame({"creator_id": ["A", "B"], "primary_platform": ["instagram", "youtube"],
                             "known_audience_overlap": [0.5, float("nan")]})
    out = deduplicated_reach(posts, ["campaign_id"], pd.Series({"C1": 1000.0}), creators, POINT)
    row = out.iloc[0]
    assert row["reach_reported_sum"] == 220.0
    assert row["reach_deduplicated"] == pytest.approx(192.8125)
    assert row["reach_deduplicated_low"] < row["reach_deduplicated"] <= row["reach_deduplicated_high"]
    # interval ends by hand. High: random duplication, A's overlap is known (0.5), no bought
    # followers, reach reported → the point, 192.8125. Low: a core of 20 % of each audience
    # reached twice as often: an Instagram post (ρ = 0.25) reaches 0.5 of the core and
    # (0.25 − 0.2 × 0.5) / 0.8 = 0.1875 of the rest, so q = 0.2 × 0.5² + 0.8 × 0.8125² =
    # 0.578125 → 84.375 people; single posts are unchanged (TikTok 20, YouTube 100).
    # Shared: 50 × 0.421875 × 0.2 = 4.21875 → A 100.15625; campaign 1,000 × (1 − 0.89984375 × 0.9)
    assert row["reach_deduplicated_high"] == pytest.approx(192.8125)
    assert row["reach_deduplicated_low"] == pytest.approx(190.140625)


def test_interval_spans_unknown_overlap_and_audience_size():
    posts = pd.DataFrame({"g": ["x", "x"], "creator_id": ["A", "A"],
                          "platform": ["instagram", "tiktok"], "reach": [100.0, 100.0],
                          "audience": [400.0, 300.0]})
    posts["reach_low"] = posts["reach_high"] = posts["reach"]
    creators = pd.DataFrame({"creator_id": ["A"], "primary_platform": ["instagram"],
                             "known_audience_overlap": [float("nan")]})
    roster = pd.Series({("A", "instagram"): 500.0, ("A", "tiktok"): 300.0})
    out = deduplicated_reach(posts, ["g"], pd.Series({"x": 10_000.0}), creators, POINT, roster)
    r = out.iloc[0]
    # overlap unknown: point uses 0.5, the ends 0.7 (low) and 0.1 (high); shared people
    # 0.5 × 300 = 150 → duplicated 150 × (100/500) × (100/300) = 10 → 190 (roster audience)
    assert r["reach_deduplicated"] == pytest.approx(200 - 150 * 0.2 * (1 / 3), rel=1e-3)
    assert r["reach_deduplicated_low"] < r["reach_deduplicated"] < r["reach_deduplicated_high"]


def test_missing_audience_and_missing_universe_do_not_crash():
    posts = pd.DataFrame({"g": ["x", "x", "y"], "creator_id": ["A", "A", "B"],
                          "platform": ["instagram", "instagram", "x"], "reach": [10.0, 10.0, 5.0],
                          "audience": [float("nan")] * 3})
    posts["reach_low"] = posts["reach_high"] = posts["reach"]
    creators = pd.DataFrame({"creator_id": ["A", "B"], "primary_platform": ["instagram", pd.NA],
                             "known_audience_overlap": [float("nan")] * 2})
    out = deduplicated_reach(posts, ["g"], pd.Series({"x": 1e6}), creators, POINT).set_index("g")
    # audience unknown: posts reach random people of the universe (≈ 20 − 10·10/1e6)
    assert out.loc["x", "reach_deduplicated"] == pytest.approx(20 - 1e-4, rel=1e-6)
    # group y has no universe: nothing to deduplicate against, its reach is the posts' sum
    assert pd.isna(out.loc["y", "universe"])
    assert out.loc["y", "reach_deduplicated"] == pytest.approx(5.0, rel=1e-6)


def test_bought_followers_are_no_audience():
    """Two posts reaching 50 each: with 400 followers, 100 − 50·50/400 = 93.75 people; when
    the authenticity scorer finds half of them bought (audience_factor 0.5), the real audience
    is 200 and the posts duplicate more: 100 − 50·50/200 = 87.5. The high end keeps 400."""
    posts = pd.DataFrame({"g": ["x", "x"], "creator_id": ["A", "A"],
                          "platform": ["instagram", "instagram"], "reach": [50.0, 50.0],
                          "audience": [400.0, 400.0]})
    posts["reach_low"] = posts["reach_high"] = posts["reach"]
    creators = pd.DataFrame({"creator_id": ["A"], "primary_platform": ["instagram"],
                             "known_audience_overlap": [float("nan")]})
    u = pd.Series({"x": 1e9})
    plain = deduplicated_reach(posts, ["g"], u, creators, POINT).iloc[0]
    assert plain["reach_deduplicated"] == pytest.approx(93.75, rel=1e-6)
    real = deduplicated_reach(posts.assign(audience_factor=0.5), ["g"], u, creators, POINT).iloc[0]
    assert real["reach_deduplicated"] == pytest.approx(87.5, rel=1e-6)
    assert real["reach_deduplicated_high"] == pytest.approx(93.75, rel=1e-6)
