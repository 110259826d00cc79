"""comments, mentions, surveys."""

import pandas as pd

from roi_ml.ingest.listening import build_comments, build_mentions, build_surveys
from roi_ml.ingest.pii import pseudonymise
from roi_ml.ingest.plan import build_campaigns


def add_row(df, values):
    return pd.concat([df, pd.DataFrame([values], columns=df.columns, dtype="string")],
                     ignore_index=True)


POSTS = pd.DataFrame({"platform": ["instagram", "tiktok"], "platform_post_id": ["IG1", "TT1"],
                      "post_id": ["P1", "P2"]}).astype("string")


def test_comments_map_posts_and_hash_authors(world, cfg):
    comments, audit = build_comments(world["comments"], POSTS, "test-salt", cfg)
    assert comments["post_id"].tolist() == ["P1", "P2"]
    assert comments["platform"].tolist() == ["instagram", "tiktok"]
    assert comments["author_key"].iloc[0] == pseudonymise(pd.Series(["fan_one"]),
                                                          "test-salt").iloc[0]
    assert "Fan_One" not in comments.to_string()
    assert comments["replied"].tolist() == [True, False]
    assert comments["reply_at"].iloc[0] == pd.Timestamp("2024-03-05 20:00", tz="UTC")
    assert pd.isna(comments["reply_at"].iloc[1])
    assert audit.rows_kept == 2


def test_comment_rejections(world, cfg):
    c = world["comments"]
    c = add_row(c, ["X", "X404", "C3", "someone", "hi", "2024-03-06T13:00:00Z", "No", ""])
    c = add_row(c, ["Instagram", "IG1", "C1", "someone", "dup", "2024-03-06T13:00:00Z", "No", ""])
    c = add_row(c, ["Instagram", "IG1", "C4", "someone", "hi", "last tuesday", "No", ""])
    comments, audit = build_comments(c, POSTS, "test-salt", cfg)
    assert comments["comment_id"].tolist() == ["C1", "C2"]
    assert audit.rejects[["row_number", "column", "reason"]].values.tolist() == [
        [3, "Post ID", "unknown post"],
        [4, "Comment ID", "duplicate id"],
        [5, "Created Time", "unparseable timestamp"]]


def test_mentions(world, cfg):
    m = add_row(world["mentions_daily"], ["2024-03-05", "Aurora", "true", "1", "", "", "", ""])
    m = add_row(m, ["2024-03-06", "Aurora", "true", "-1", "", "", "", ""])
    mentions, audit = build_mentions(m, cfg)
    assert mentions["is_own_brand"].tolist() == [True, False]
    assert mentions["total_mentions"].tolist() == [10, 8]
    assert audit.rejected_by_reason == {"duplicate id": 1, "negative count": 1}


def test_surveys(world, cfg):
    campaigns, _ = build_campaigns(world["campaigns"], cfg)
    s = add_row(world["brand_lift_survey"], ["CMP9", "pre", "2024-02-25", "10", "1", "1", "1"])
    s = add_row(s, ["CMP2", "pre", "2024-03-25", "100", "101", "1", "1"])
    s = add_row(s, ["CMP2", "post", "2024-05-02", "100", "10", "1", "1"])
    surveys, audit = build_surveys(s, campaigns, cfg)
    assert surveys[["campaign_id", "wave"]].values.tolist() == [
        ["CMP1", "pre"], ["CMP1", "post"], ["CMP2", "post"]]
    assert audit.rejects[["row_number", "column", "value", "reason"]].values.tolist() == [
        [3, "campaign_id", "CMP9", "unknown campaign"],
        [4, "aware", "101", "exceeds respondents"]]
    assert (audit.rows_read, audit.rows_kept, audit.rows_rejected) == (5, 3, 2)
