"""The creator roster -> `creators` (one row per creator) and `creator_platforms`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi_ml.ingest.audit import Reason, SourceAudit
from roi_ml.ingest.config import PLATFORMS, IngestionConfig
from roi_ml.ingest.parsing import STRING
from roi_ml.ingest.staging import Staged

CREATOR_COLUMNS = [
    "creator_id", "display_name", "niche", "country", "primary_platform", "tier",
    "max_followers", "known_audience_overlap", "discount_code", "onboarded_date",
]
CREATOR_PLATFORM_COLUMNS = ["creator_id", "platform", "handle", "followers"]


def assign_tier(max_followers: pd.Series, tiers: tuple[tuple[str, float], ...]) -> pd.Series:
    """Tier = the last tier whose lower bound <= max_followers (bounds inclusive); <NA> if unknown.

    With bounds nano 0, micro 10k, mid 100k, macro 500k, mega 1M: 9,999 -> nano,
    10,000 -> micro, 1,000,000 -> mega.
    """
    names = np.array([t for t, _ in tiers], dtype=object)
    bounds = np.array([b for _, b in tiers], dtype=float)
    values = max_followers.astype("float64").to_numpy()
    idx = np.searchsorted(bounds, np.nan_to_num(values, nan=-1.0), side="right") - 1
    out = np.where(np.isnan(values) | (idx < 0), None, names[np.clip(idx, 0, None)])
    return pd.Series(out, index=max_followers.index, dtype=object).astype(STRING)


def normalise_code(values: pd.Series) -> pd.Series:
    """Discount codes compare upper-cased and stripped; blank -> <NA>."""
    s = values.astype(STRING).str.strip().str.upper()
    return s.mask(s.fillna("") == "")


def build_creators(
    raw: pd.DataFrame, cfg: IngestionConfig
) -> tuple[pd.DataFrame, pd.DataFrame, SourceAudit]:
    """creator_roster.csv -> (creators, creator_platforms, audit).

    Rejects: missing/duplicate creator_id, unparseable or negative follower counts, an audience
    overlap outside 0..1, an unparseable onboarded_date, an unknown primary_platform.
    A creator is on a platform when its handle or a positive follower count is given;
    max_followers is the largest follower count over those platforms and sets the tier.
    """
    st = Staged(cfg.source("creator_roster"), raw).parse(cfg)
    primary = st.values["primary_platform"].str.lower()
    st.reject(primary.notna() & ~primary.isin(PLATFORMS), "primary_platform",
              Reason.UNKNOWN_PLATFORM)
    st.reject_duplicates(["creator_id"], "creator_id")
    kept = st.kept()

    per_platform = []
    for p in PLATFORMS:
        handle = kept[f"{p}_handle"]
        followers = kept[f"{p}_followers"]
        on = handle.notna() | (followers.fillna(0) > 0)
        per_platform.append(pd.DataFrame({
            "creator_id": kept["creator_id"][on],
            "platform": p,
            "handle": handle[on],
            "followers": followers[on],
            "_order": PLATFORMS.index(p),
        }))
    platforms = pd.concat(per_platform, ignore_index=True)
    platforms = (platforms.sort_values(["creator_id", "_order"], kind="stable")
                 .drop(columns="_order").reset_index(drop=True))
    platforms = platforms.astype({"creator_id": STRING, "platform": STRING, "handle": STRING,
                                  "followers": "Int64"})

    max_followers = (platforms.groupby("creator_id")["followers"].max()
                     .reindex(kept["creator_id"]).astype("Int64"))
    creators = pd.DataFrame({
        "creator_id": kept["creator_id"].to_numpy(),
        "display_name": kept["display_name"].to_numpy(),
        "niche": kept["niche"].str.lower().to_numpy(),
        "country": kept["country"].str.upper().to_numpy(),
        "primary_platform": primary[st.alive].to_numpy(),
        "tier": assign_tier(max_followers, cfg.creator_tiers).to_numpy(),
        "max_followers": max_followers.to_numpy(),
        "known_audience_overlap": kept["known_audience_overlap"].to_numpy(),
        "discount_code": normalise_code(kept["discount_code"]).to_numpy(),
        "onboarded_date": kept["onboarded_date"].to_numpy(),
    })
    creators = creators.astype({c: STRING for c in ("creator_id", "display_name", "niche",
                                                    "country", "primary_platform", "tier",
                                                    "discount_code")})
    creators = creators.astype({"max_followers": "Int64", "known_audience_overlap": "float64"})
    return creators[CREATOR_COLUMNS], platforms[CREATOR_PLATFORM_COLUMNS], st.audit(len(creators))
