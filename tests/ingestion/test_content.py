"""posts (tracker + export attributes) and post_daily_metrics (incl. TikTok differencing)."""

import pandas as pd
import pytest

from roi_ml.ingest.config import IngestionConfig
from roi_ml.ingest.content import (
    build_post_daily_metrics,
    build_posts,
    difference_cumulative,
    stage_platform_exports,
)
from roi_ml.ingest.plan import build_campaigns, build_contracts
from roi_ml.ingest.roster import build_creators

EXPORTS = ["instagram_posts", "facebook_posts", "tiktok_posts", "youtube_posts", "x_posts"]


def add_row(df, values):
    return pd.concat([df, pd.DataFrame([values], columns=df.columns, dtype="string")],
                     ignore_index=True)


def posts_and_metrics(world, cfg):
    creators, _, _ = build_creators(world["creator_roster"], cfg)
    campaigns, _ = build_campaigns(world["campaigns"], cfg)
    contracts, _ = build_contracts(world["contracts"], creators, campaigns, cfg)
    rows = stage_platform_exports({s: world[s] for s in EXPORTS}, cfg)
    posts, tracker_audit = build_posts(world["content_tracker"], rows, creators, campaigns,
                                       contracts, cfg)
    metrics, audits = build_post_daily_metrics(rows, posts, cfg)
    return posts, tracker_audit, metrics, {a.source: a for a in audits}


def test_posts_take_publish_time_and_format_from_the_exports(world, cfg):
    posts, audit, _, _ = posts_and_metrics(world, cfg)
    p = posts.set_index("post_id")
    # 03/05/2024 10:00 Los Angeles (PST) -> 18:00 UTC; TikTok post time is UTC
    assert p.loc["P1", "published_at"] == pd.Timestamp("2024-03-05 18:00", tz="UTC")
    assert p.loc["P2", "published_at"] == pd.Timestamp("2024-03-06 12:00", tz="UTC")
    assert p["format"].to_dict() == {"P1": "short", "P2": "short", "P3": "video",
                                     "P4": "long_form", "P5": "post"}
    assert p.loc["P1", "caption"] == "Glow #ad"
    assert p.loc["P5", ["utm_source", "utm_medium", "utm_campaign", "utm_content"]].tolist() == [
        "x", "influencer", "cmp2", "P5"]
    assert (audit.rows_read, audit.rows_kept, audit.rows_rejected) == (5, 5, 0)


def test_tracker_rejections(world, cfg):
    t = world["content_tracker"]
    t = add_row(t, ["P6", "CT1", "CR9", "CMP1", "instagram", "IG6", "", "", ""])
    t = add_row(t, ["P7", "CT1", "CR1", "CMP9", "instagram", "IG7", "", "", ""])
    t = add_row(t, ["P8", "CT9", "CR1", "CMP1", "instagram", "IG8", "", "", ""])
    t = add_row(t, ["P1", "CT1", "CR1", "CMP1", "instagram", "IG9", "", "", ""])
    t = add_row(t, ["P9", "CT2", "CR1", "CMP1", "instagram", "IG10", "", "", ""])
    t = add_row(t, ["P10", "CT3", "CR3", "CMP2", "x", "X2", "post", "", ""])
    world["content_tracker"] = t
    # X2 was published 2024-05-01 12:30 UTC = 08:30 in New York (campaign dates' time zone):
    # after CMP2's end (2024-04-30)
    world["x_posts"] = add_row(world["x_posts"], ["X2", "cydee", "2024-05-01 12:30 +0000", "late",
                                                  "photo", "2024-05-01", "1", "0", "0", "0", "0",
                                                  "0", "0", "9999"])
    posts, audit, _, by_source = posts_and_metrics(world, cfg)
    assert posts["post_id"].tolist() == ["P1", "P2", "P3", "P4", "P5"]
    assert audit.rejects[["row_number", "column", "reason"]].values.tolist() == [
        [6, "creator_id", "unknown creator"],
        [7, "campaign_id", "unknown campaign"],
        [8, "contract_id", "unknown contract"],
        [9, "content_id", "duplicate id"],
        [10, "contract_id", "contract is for another creator or campaign"],
        [11, "published_at", "published outside campaign dates"]]
    assert audit.rejects["value"].iloc[-1] == "2024-05-01 12:30:00+00:00"
    assert (audit.rows_read, audit.rows_kept) == (11, 5)
    # the export row of the rejected post is not silently dropped either
    assert by_source["x_posts"].rejected_by_reason == {"unknown post": 1}


def test_publish_grace_days(world, cfg, params):
    world["x_posts"].loc[:, "time"] = "2024-03-31 23:00 +0000"  # one day before CMP2 starts
    _, audit, _, _ = posts_and_metrics(world, cfg)
    assert audit.rejected_by_reason == {"published outside campaign dates": 1}
    params["publish_grace_days"] = 1
    _, audit, _, _ = posts_and_metrics(world, IngestionConfig.from_params(params))
    assert audit.rows_rejected == 0


def test_campaign_dates_timezone(world, cfg, params):
    # 2024-03-31 23:00 UTC is 2024-04-01 01:00 in Berlin: inside CMP2 (from 2024-04-01) there
    world["x_posts"].loc[:, "time"] = "2024-03-31 23:00 +0000"
    params["campaign_dates_timezone"] = "Europe/Berlin"
    _, audit, _, _ = posts_and_metrics(world, IngestionConfig.from_params(params))
    assert audit.rows_rejected == 0


def test_daily_metrics_long_table(world, cfg):
    _, _, metrics, by_source = posts_and_metrics(world, cfg)
    assert len(metrics) == 11
    ig = metrics[metrics["post_id"] == "P1"].iloc[0]
    assert (ig["impressions"], ig["reach"], ig["views"], ig["saves"], ig["link_clicks"]) == (
        1000, 800, 600, 3, 7)
    x = metrics[metrics["platform"] == "x"]
    assert x["reach"].isna().all() and x["saves"].tolist() == [2, 1]  # X: bookmarks, no reach
    fb = metrics[metrics["platform"] == "facebook"]
    assert fb["saves"].isna().all() and fb["likes"].tolist() == [10, 4]  # Reactions
    for audit in by_source.values():
        assert audit.rows_read == audit.rows_kept + audit.rows_rejected


def test_tiktok_cumulative_counters_are_differenced(world, cfg):
    _, _, metrics, by_source = posts_and_metrics(world, cfg)
    tt = metrics[metrics["post_id"] == "P2"]
    # Video views 100, 250, 240 (went down) -> 100, 150, 0 and the last row flagged
    assert tt["impressions"].tolist() == [100, 150, 0]
    assert tt["views"].tolist() == [100, 150, 0]
    # Reached audience 80, 150, 160 -> 80, 70, 10; Likes 10, 25, 30 -> 10, 15, 5
    assert tt["reach"].tolist() == [80, 70, 10]
    assert tt["likes"].tolist() == [10, 15, 5]
    assert tt["followers"].tolist() == [500, 505, 510]  # a level, not differenced
    assert tt["counter_corrected"].tolist() == [False, False, True]
    assert by_source["tiktok_posts"].extra == {"counters_corrected": 1}
    assert by_source["tiktok_posts"].rows_rejected == 0


def test_difference_cumulative_measures_from_the_running_max():
    f = pd.DataFrame({"post_id": ["a"] * 4 + ["b"] * 2,
                      "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03",
                                              "2024-01-04", "2024-01-02", "2024-01-01"]),
                      "n": pd.array([10, 8, 12, None, 5, 3], dtype="Int64")})
    out, corrected = difference_cumulative(f, ["n"])
    assert out["n"].tolist() == [10, 0, 2, pd.NA, 3, 2]  # a: 10, 8↓, 12; b sorted by date: 3, 5
    assert corrected.tolist() == [False, True, False, False, False, False]


@pytest.mark.parametrize("column, value, reason", [
    ("Date", "n/a", "unparseable date"),
    ("Views", "-3", "negative count"),
    ("Likes", "12x", "unparseable number"),
    ("Post ID", "IG404", "unknown post"),
    ("Publish time", "yesterday", "unparseable timestamp"),
])
def test_export_row_rejections(world, cfg, column, value, reason):
    ig = world["instagram_posts"]
    bad = ig.iloc[[1]].copy()
    bad[column] = value
    world["instagram_posts"] = pd.concat([ig, bad], ignore_index=True)
    _, _, metrics, by_source = posts_and_metrics(world, cfg)
    audit = by_source["instagram_posts"]
    assert audit.rejects[["row_number", "column", "value", "reason"]].values.tolist() == [
        [3, column, value, reason]]
    assert (audit.rows_read, audit.rows_kept, audit.rows_rejected) == (3, 2, 1)
    assert (metrics["platform"] == "instagram").sum() == 2


def test_duplicate_post_day_is_rejected(world, cfg):
    ig = world["instagram_posts"]
    world["instagram_posts"] = pd.concat([ig, ig.iloc[[0]]], ignore_index=True)
    _, _, _, by_source = posts_and_metrics(world, cfg)
    assert by_source["instagram_posts"].rejects[["row_number", "column", "reason"]].values.tolist(
    ) == [[3, "Date", "duplicate post and date"]]
