"""Hand-computed cases: posting_windows, content_formats, partnership_decisions and
creator_suggestions."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from roi_ml.recommendations.common import RecommendationInputError
from roi_ml.recommendations.content_formats import content_formats
from roi_ml.recommendations.creator_suggestions import creator_suggestions
from roi_ml.recommendations.partnership_decisions import partnership_decisions
from roi_ml.recommendations.posting_windows import assign_windows, posting_windows

Z90 = 1.6448536


def window_posts() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A (campaign K): Mon 08:00 1 conversion, Mon 14:00 3 -> mean 2 -> r 0.5, 1.5.
    B (campaign K): Mon 09:00 2, Mon 15:00 2 -> r 1, 1.  C: a single post (no baseline)."""
    t = pd.to_datetime(["2025-01-06 08:00", "2025-01-06 14:00", "2025-01-06 09:00",
                        "2025-01-06 15:00", "2025-01-06 10:00"], utc=True)
    kpi_post = pd.DataFrame({"post_id": ["p1", "p2", "p3", "p4", "p5"],
                             "creator_id": ["A", "A", "B", "B", "C"], "campaign_id": ["K"] * 5,
                             "platform": ["tiktok"] * 5, "published_at": t,
                             "engagements_authentic": [10.0, 30.0, 20.0, 20.0, 5.0]})
    conv = pd.DataFrame({"post_id": ["p1", "p2", "p3", "p4", "p5"],
                         "attributed_conversions": [1.0, 3.0, 2.0, 2.0, 7.0], "model_used": "time_decay"})
    return kpi_post, conv


WINDOW_PARAMS = {"timezone": "UTC", "window_hours": 12, "platform_prior_posts": 2,
                 "creator_prior_posts": 1, "min_platform_posts": 1, "top_n": 1, "interval_level": 0.9}


def test_windows_in_the_audience_time_zone():
    # 2025-01-06 02:00 UTC is Sunday 21:00 in New York (EST, UTC-5)
    w = assign_windows(pd.Series(pd.to_datetime(["2025-01-06 02:00"], utc=True)), "America/New_York", 3)
    assert w.iloc[0][["day_of_week", "hour_start", "hour_end", "window"]].tolist() == [6, 21, 24, "Sun 21:00-24:00"]


def test_posting_window_lift_shrunk_to_the_platform_norm_by_hand():
    kpi_post, conv = window_posts()
    out, norms = posting_windows(kpi_post, conv, WINDOW_PARAMS)
    n = norms[norms["outcome"] == "attributed_conversions"].set_index("window")["lift"]
    # platform norms, k0 = 2: Mon 00-12 r {0.5, 1} -> (1.5 + 2) / 4 = 0.875; Mon 12-24 {1.5, 1} -> 4.5 / 4
    assert n["Mon 00:00-12:00"] == pytest.approx(0.875) and n["Mon 12:00-24:00"] == pytest.approx(1.125)
    assert set(out["creator_id"]) == {"A", "B"}  # C's single post has no baseline
    a = out[out["creator_id"] == "A"].iloc[0]
    # A, k = 1: Mon 12-24 (1.5 + 1 x 1.125) / 2 = 1.3125; sd of r on the platform {0.5,1.5,1,1} = sqrt(0.5/3)
    assert a["window"] == "Mon 12:00-24:00" and a["lift"] == pytest.approx(1.3125)
    se = np.sqrt(0.5 / 3) / np.sqrt(2)
    assert a["lift_low"] == pytest.approx(1.3125 - Z90 * se, rel=1e-6)
    assert (a["raw_lift"], a["shrinkage_weight"], a["n_posts_window"]) == pytest.approx((1.5, 0.5, 1))
    # expected extra conversions per post = (1.3125 - 1) x A's mean 2 conversions per post
    assert a["expected_extra_conversions_per_post"] == pytest.approx(0.625)
    assert a["confidence"] == "low" and a["basis"] == "creator"
    b = out[out["creator_id"] == "B"].iloc[0]
    assert b["lift"] == pytest.approx((1 + 1.125) / 2)
    assert out["rank"].tolist() == [1, 2] and out["creator_id"].tolist() == ["A", "B"]
    # engagement lift beside it: A's engagements 10, 30 -> r 0.5, 1.5: the same shape
    assert a["engagement_lift"] > 1


def test_posting_windows_high_confidence_needs_posts_and_an_interval_above_one():
    rows = []
    for i in range(6):  # 6 campaigns x 2 posts: evening always converts 3x the morning
        rows += [("A", f"K{i}", f"2025-01-{6 + i:02d} 08:00", 1.0), ("A", f"K{i}", f"2025-01-{6 + i:02d} 20:00", 3.0)]
    kpi_post = pd.DataFrame({"post_id": [f"p{i}" for i in range(12)], "creator_id": [r[0] for r in rows],
                             "campaign_id": [r[1] for r in rows], "platform": "x",
                             "published_at": pd.to_datetime([r[2] for r in rows], utc=True),
                             "engagements_authentic": 1.0})
    conv = pd.DataFrame({"post_id": kpi_post["post_id"], "attributed_conversions": [r[3] for r in rows],
                         "model_used": "m"})
    out, _ = posting_windows(kpi_post, conv, {**WINDOW_PARAMS, "window_hours": 24, "high_min_posts": 3})
    # days differ: each evening post sits in its own day-of-week window with r = 1.5 (n = 1)
    assert (out["confidence"] == "low").all()
    out, _ = posting_windows(kpi_post, conv, {**WINDOW_PARAMS, "window_hours": 12,
                                              "high_min_posts": 1, "top_n": 7})
    best = out.sort_values("lift", ascending=False).iloc[0]
    assert best["hour_start"] == 12 and best["lift"] > 1


def test_posting_windows_missing_column():
    kpi_post, conv = window_posts()
    with pytest.raises(RecommendationInputError, match=r"kpi_post: missing column\(s\) \['published_at'\]"):
        posting_windows(kpi_post.drop(columns="published_at"), conv, WINDOW_PARAMS)


def format_inputs():
    """tiktok / beauty. A (K): short 3 conv on 1000 reach, story 1 on 100 -> mean 2 -> r 1.5, 0.5.
    B (K): short 2 on 1000, story 2 on 500 -> r 1, 1."""
    kpi_post = pd.DataFrame({"post_id": ["p1", "p2", "p3", "p4"], "creator_id": ["A", "A", "B", "B"],
                             "campaign_id": "K", "platform": "tiktok",
                             "format": ["short", "story", "short", "story"],
                             "reach": [1000.0, 100.0, 1000.0, 500.0],
                             "engagements_authentic": [50.0, 10.0, 70.0, 20.0]})
    creators = pd.DataFrame({"creator_id": ["A", "B"], "niche": ["beauty", "beauty"]})
    posts = pd.DataFrame({"post_id": ["p1", "p2", "p3", "p4"],
                          "caption": ["=HYPERLINK(\"x\") short", "story", "short b", "story b"]})
    conv = pd.DataFrame({"post_id": ["p1", "p2", "p3", "p4"], "attributed_conversions": [3.0, 1.0, 2.0, 2.0],
                         "model_used": "time_decay"})
    return kpi_post, creators, posts, conv


def test_content_formats_by_hand():
    out = content_formats(*format_inputs(), {"interval_level": 0.9, "min_posts": 1, "high_min_posts": 2})
    s = out.set_index("format")
    # conversion lift: short mean(1.5, 1) = 1.25, sd 0.3536, se 0.25; story mean(0.5, 1) = 0.75
    assert s.loc["short", "conversion_lift"] == pytest.approx(1.25)
    assert s.loc["short", "conversion_lift_low"] == pytest.approx(1.25 - Z90 * 0.25, rel=1e-6)
    assert s.loc["story", "conversion_lift"] == pytest.approx(0.75)
    # per 1,000 reach the story looks better (3 / 600 vs 5 / 2000): the lift is what ranks
    assert s.loc["story", "conversions_per_1k_reach"] == pytest.approx(5.0)
    assert s.loc["short", "conversions_per_1k_reach"] == pytest.approx(2.5)
    assert s.loc["short", "rank_in_group"] == 1 and s.loc["story", "rank_in_group"] == 2
    # authentic engagement rate: short (50 + 70) / 2000 = 0.06
    assert s.loc["short", "authentic_engagement_rate"] == pytest.approx(0.06)
    # expected extra per post: (1.25 - 1) x group mean (3+1+2+2)/4 = 2 -> 0.5; story -0.5
    assert s.loc["short", "expected_extra_conversions_per_post"] == pytest.approx(0.5)
    assert out["format"].tolist() == ["short", "story"]  # ranked by impact
    assert s.loc["short", "example_post_id"] == "p1"  # its best-converting post
    assert s.loc["short", "confidence"] == "low"  # interval 0.84-1.66 includes 1


def test_content_formats_missing_niche():
    kpi_post, creators, posts, conv = format_inputs()
    with pytest.raises(RecommendationInputError, match="creators: missing column"):
        content_formats(kpi_post, creators.drop(columns="niche"), posts, conv, {})


PD_PARAMS = {"conclude": {"max_roi_high": 0.0, "max_score": 50},
             "expand": {"min_score": 80, "min_roi_low": 0.0, "min_campaigns": 2},
             "renew": {"min_roi_low": 0.0, "min_score": 70}}


def scores() -> pd.DataFrame:
    rows = [  # creator, score, roi, roi_low, roi_high, trend, n, pred, pred_low, pred_high, invest
        ("A", 90, 1.0, 0.5, 1.5, "stable", 3, 1.0, 0.5, 1.5, 30000),     # flagged -> conclude
        ("B", 55, -0.5, -0.8, -0.1, "declining", 3, -0.4, -0.7, -0.05, 9000),  # ROI < 0 surely
        ("C", 85, 0.8, 0.2, 1.4, "improving", 3, 0.5, 0.1, 0.9, 30000),  # expand
        ("D", 60, 0.5, 0.1, 0.9, "stable", 2, 0.3, -0.1, 0.7, 4000),     # renew (interval > 0)
        ("E", 75, 0.3, -0.2, 0.8, "stable", 2, 0.2, -0.3, 0.7, 2000),    # renew (positive, score 75)
        ("F", 60, 0.1, -0.5, 0.7, "stable", 2, 0.1, -0.5, 0.7, 2000),    # watch
        ("G", 40, 0.2, -0.1, 0.5, "declining", 2, 0.0, -0.4, 0.4, 1000),  # score < 50, declining
        ("H", 60, -0.3, -0.5, -0.1, "improving", 4, 0.2, -0.2, 0.6, 4000),  # losing, recovering
    ]
    cols = ["creator_id", "performance_score", "roi", "roi_low", "roi_high", "roi_trend", "n_campaigns",
            "predicted_next_roi", "predicted_next_roi_low", "predicted_next_roi_high", "investment_usd"]
    s = pd.DataFrame(rows, columns=cols)
    s["tier"], s["primary_platform"], s["niche"], s["model_used"] = "micro", "tiktok", "beauty", "time_decay"
    s["attributed_revenue"] = s["investment_usd"] * (1 + s["roi"])
    s["roas"] = 1 + s["roi"]
    return s


def authenticity() -> pd.DataFrame:
    return pd.DataFrame({"creator_id": list("ABCDEFGH"), "is_flagged": [True] + [False] * 7,
                         "reasons": ["follower jump of 40 % in a day"] + ["no signal"] * 7})


def test_partnership_decisions_rules_and_reasons():
    out = partnership_decisions(scores(), authenticity(), PD_PARAMS).set_index("creator_id")
    assert out["decision"].to_dict() == {"A": "conclude", "B": "conclude", "C": "expand", "D": "renew",
                                         "E": "renew", "F": "watch", "G": "conclude", "H": "watch"}
    assert out["confidence"].to_dict() == {"A": "high", "B": "high", "C": "high", "D": "medium",
                                           "E": "low", "F": "low", "G": "low", "H": "low"}
    assert "below 0 % but improving" in out.loc["H", "reasons"]
    assert "follower jump" in out.loc["A", "reasons"]
    assert "ROI -50 % (interval -80 % to -10 %): the whole interval is below 0 %" in out.loc["B", "reasons"]
    assert "performance score 85 at or above 80" in out.loc["C", "reasons"]
    assert "ROI improving across 3 campaigns" in out.loc["C", "reasons"]
    assert "straddles 0" in out.loc["F", "reasons"]
    # impact = |predicted next ROI| x investment per campaign: C 0.5 x 10000 = 5000, A 1.0 x 10000
    assert out.loc["C", "expected_impact_usd"] == pytest.approx(5000.0)
    assert out.loc["F", "expected_impact_usd"] == 0.0  # watch: nothing to act on yet
    assert out.sort_values("rank").index[:2].tolist() == ["A", "C"]


def test_partnership_decisions_missing_scores_column():
    with pytest.raises(RecommendationInputError, match="creator_scores: missing column.*roi_low.*creator_scoring"):
        partnership_decisions(scores().drop(columns="roi_low"), authenticity(), PD_PARAMS)


NUMBER = re.compile(r"(?<![\w:])-?\d+(?:\.\d+)?(?![\w:])")


def test_creator_suggestions_cite_every_number_they_quote():
    kpi_post, creators, posts, conv = format_inputs()
    # A: 3 shorts converting 3, 3, 3 and 2 stories converting 1, 1 on tiktok
    kpi_post = pd.DataFrame({"post_id": [f"q{i}" for i in range(5)], "creator_id": "A", "campaign_id": "K",
                             "platform": "tiktok", "format": ["short"] * 3 + ["story"] * 2,
                             "reach": 1000.0, "engagements_authentic": 10.0})
    conv = pd.DataFrame({"post_id": kpi_post["post_id"], "attributed_conversions": [3.0, 3.0, 3.0, 1.0, 1.0],
                         "model_used": "time_decay"})
    windows = pd.DataFrame({"creator_id": ["A"], "platform": ["tiktok"], "window": ["Tue 18:00-21:00"],
                            "timezone": ["America/New_York"], "lift": [1.4], "lift_low": [1.05],
                            "lift_high": [1.75], "n_posts_window": [4], "basis": ["creator"],
                            "expected_extra_conversions_per_post": [0.8], "confidence": ["medium"]})
    decisions = partnership_decisions(scores(), authenticity(), PD_PARAMS)
    out = creator_suggestions(kpi_post, conv, windows, decisions[decisions["creator_id"] != "A"],
                              {"min_format_posts": 2, "min_format_lift": 1.2, "max_sentences": 2})
    a = out[out["creator_id"] == "A"].iloc[0]
    # shorts: 3.00 per post over 3 posts vs 1.00 on the 2 others -> impact 2.0; window 0.8
    assert a["suggestion"].startswith("A's audience converts most on short videos on TikTok: 3.00 "
                                      "attributed conversions per post over 3 posts, against 1.00")
    assert "1.40× A's average conversions (interval 1.05 to 1.75, 4 posts" in a["suggestion"]
    assert a["findings"] == "format; window"
    assert a["expected_extra_conversions_per_post"] == pytest.approx(2.0 + 0.8)
    figures = json.loads(a["figures_cited"])
    cited = {float(v) for f in figures for v in f.values() if isinstance(v, (int, float))}
    quoted = {float(x) for x in NUMBER.findall(a["suggestion"].replace("1,000", "1000"))}
    assert quoted and quoted <= cited, quoted - cited
    # creators with no format or window finding get their partnership decision (not watch)
    c = out[out["creator_id"] == "C"].iloc[0]
    assert c["suggestion"] == "Partnership with C: expand (performance score 85.0, ROI 0.80)."
    assert "F" not in set(out["creator_id"])  # watch and nothing else: no sentence invented
    # a creator to conclude gets no posting advice, only the decision
    b_windows = windows.assign(creator_id="B")
    out = creator_suggestions(kpi_post.assign(creator_id="B"), conv, b_windows, decisions, {})
    assert out.set_index("creator_id").loc["B", "findings"] == "partnership"
