"""Community, listening and research exports -> `comments`, `mentions`, `surveys`."""

from __future__ import annotations

import pandas as pd

from roi_ml.ingest.audit import Reason, SourceAudit
from roi_ml.ingest.config import IngestionConfig
from roi_ml.ingest.parsing import STRING
from roi_ml.ingest.pii import pseudonymise
from roi_ml.ingest.staging import Staged

COMMENT_COLUMNS = [
    "comment_id", "post_id", "platform", "author_key", "text", "created_at", "replied",
    "reply_at",
]
MENTION_COLUMNS = [
    "date", "brand", "is_own_brand", "total_mentions", "creator_content_mentions", "positive",
    "neutral", "negative",
]
SURVEY_COLUMNS = [
    "campaign_id", "wave", "fielded_date", "respondents", "aware", "favorable", "considering",
]


def build_comments(
    raw: pd.DataFrame, posts: pd.DataFrame, pii_salt: str, cfg: IngestionConfig
) -> tuple[pd.DataFrame, SourceAudit]:
    """comments.csv + posts + PII salt -> (comments, audit).

    post_id comes from the tracker via (platform, platform post id); the network name is
    lower-cased ("TikTok" -> tiktok). Rejects: a comment on a post not in posts ("unknown
    post"), a duplicate Comment ID, an unparseable Created Time or Reply Time, a Replied
    value that is not yes/no. author_key = salted hash of the author handle.
    """
    st = Staged(cfg.source("comments"), raw).parse(cfg)
    v = st.values
    v["platform"] = v["platform"].str.lower()
    found = v[["platform", "platform_post_id"]].merge(
        posts[["platform", "platform_post_id", "post_id"]], how="left",
        on=["platform", "platform_post_id"], validate="many_to_one")
    v["post_id"] = pd.array(found["post_id"].to_numpy(object), dtype=STRING)
    st.reject(v["post_id"].isna(), "platform_post_id", Reason.UNKNOWN_POST)
    st.reject_duplicates(["comment_id"], "comment_id")
    kept = st.kept()
    comments = pd.DataFrame({
        "comment_id": kept["comment_id"],
        "post_id": kept["post_id"],
        "platform": kept["platform"],
        "author_key": pseudonymise(kept["author"], pii_salt),
        "text": kept["text"],
        "created_at": kept["created_at"],
        "replied": kept["replied"].fillna(False).astype(bool),
        "reply_at": kept["reply_at"],
    }).reset_index(drop=True)
    return comments[COMMENT_COLUMNS], st.audit(len(comments))


def build_mentions(raw: pd.DataFrame, cfg: IngestionConfig) -> tuple[pd.DataFrame, SourceAudit]:
    """mentions_daily.csv -> (mentions, audit). One row per date and brand.

    Rejects: unparseable date, unparseable or negative counts, a second row for the same date
    and brand.
    """
    st = Staged(cfg.source("mentions_daily"), raw).parse(cfg)
    st.reject_duplicates(["date", "brand"], "brand")
    kept = st.kept().copy()
    kept["is_own_brand"] = kept["is_own_brand"].fillna(False).astype(bool)
    out = kept[MENTION_COLUMNS].reset_index(drop=True)
    return out, st.audit(len(out))


def build_surveys(
    raw: pd.DataFrame, campaigns: pd.DataFrame, cfg: IngestionConfig
) -> tuple[pd.DataFrame, SourceAudit]:
    """brand_lift_survey.csv + campaigns -> (surveys, audit). One row per campaign and wave.

    Rejects: unknown campaign, unparseable or negative counts, aware / favorable / considering
    greater than respondents, a second row for the same campaign and wave.
    """
    st = Staged(cfg.source("brand_lift_survey"), raw).parse(cfg)
    v = st.values
    v["wave"] = v["wave"].str.lower()
    st.reject(~v["campaign_id"].isin(campaigns["campaign_id"]), "campaign_id",
              Reason.UNKNOWN_CAMPAIGN)
    for col in ("aware", "favorable", "considering"):
        st.reject(v[col] > v["respondents"], col, Reason.EXCEEDS_RESPONDENTS)
    st.reject_duplicates(["campaign_id", "wave"], "wave")
    out = st.kept()[SURVEY_COLUMNS].reset_index(drop=True)
    return out, st.audit(len(out))
