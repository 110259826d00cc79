"""Content tracker + platform post exports -> `posts` and `post_daily_metrics`.

Three steps, so each raw file is parsed once:
1. `stage_platform_exports`: the five platform exports parsed into one long frame (all rows,
   bad cells already marked as rejections, not dropped).
2. `build_posts`: the tracker joined to the posts' attributes from the exports (publish time,
   post type, caption).
3. `build_post_daily_metrics`: the export rows of known posts, TikTok's cumulative counters
   differenced to daily increments.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from roi_ml.ingest.audit import Reason, SourceAudit
from roi_ml.ingest.config import (
    METRIC_COLUMNS,
    PLATFORMS,
    POST_FORMATS,
    SOURCE_SPECS,
    IngestionConfig,
)
from roi_ml.ingest.parsing import DATE, STRING, utm_parameters
from roi_ml.ingest.staging import Staged

PLATFORM_SOURCES: tuple[str, ...] = tuple(
    name for name, spec in SOURCE_SPECS.items() if spec.platform_export)
# Levels, not counters: never differenced, even in a cumulative export.
LEVEL_COLUMNS: tuple[str, ...] = ("followers",)

POST_COLUMNS = [
    "post_id", "contract_id", "creator_id", "campaign_id", "platform", "platform_post_id",
    "format", "published_at", "caption", "tracked_url", "utm_source", "utm_medium",
    "utm_campaign", "utm_content", "due_date",
]
POST_METRIC_COLUMNS = [
    "post_id", "creator_id", "platform", "date", *METRIC_COLUMNS, "counter_corrected",
]


def stage_platform_exports(raws: Mapping[str, pd.DataFrame], cfg: IngestionConfig) -> pd.DataFrame:
    """The five platform exports -> one long frame of parsed rows (none dropped).

    Columns: the canonical export columns (platform_post_id, handle, published_at in UTC,
    format mapped to the canonical formats with `post_types`, caption, date, the metrics),
    plus platform, export_source and the hand-over columns of `Staged.to_frame` (row number,
    first rejection so far: unparseable date/timestamp/number, negative count).
    """
    frames = []
    for name in PLATFORM_SOURCES:
        src = cfg.source(name)
        st = Staged(src, raws[name]).parse(cfg)
        st.values["format"] = (st.values["format"].str.lower().map(src.post_types)
                               .astype(STRING))
        st.values["platform"] = pd.array([src.platform] * len(st), dtype=STRING)
        st.values["export_source"] = pd.array([name] * len(st), dtype=STRING)
        frames.append(st.to_frame(text_columns=("platform_post_id", "date")))
    return pd.concat(frames, ignore_index=True)


def post_attributes(platform_rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (platform, platform_post_id): first non-blank handle, published_at, format
    and caption over the post's export rows that have no rejection."""
    ok = platform_rows[platform_rows["_reject_reason"].isna()]
    ok = ok.sort_values(["platform", "platform_post_id", "date"], kind="stable")
    cols = ["handle", "published_at", "format", "caption"]
    return ok.groupby(["platform", "platform_post_id"], sort=False)[cols].first()


def lookup(keys: pd.Series, values: pd.Series) -> pd.Series:
    """values[key] for each key (values has a unique index); <NA>/NaT for unknown keys."""
    return pd.Series(values.reindex(keys.astype(object)).to_numpy(), index=keys.index,
                     dtype=values.dtype)


def calendar_day(ts: pd.Series, timezone: str) -> pd.Series:
    """The calendar day (naive datetime64[us] at midnight) of UTC timestamps in `timezone`."""
    return ts.dt.tz_convert(timezone).dt.tz_localize(None).dt.normalize().astype(DATE)


def build_posts(
    raw_tracker: pd.DataFrame,
    platform_rows: pd.DataFrame,
    creators: pd.DataFrame,
    campaigns: pd.DataFrame,
    contracts: pd.DataFrame,
    cfg: IngestionConfig,
) -> tuple[pd.DataFrame, SourceAudit]:
    """content_tracker.csv + export post attributes + kept creators/campaigns/contracts ->
    (posts, audit of content_tracker).

    Rejects, in order: missing ids, an unknown platform, creator, campaign or contract, a
    contract that belongs to another creator or campaign, a duplicate content_id, a second
    tracker row for the same platform post, a post published outside its campaign's
    [start_date - grace, end_date + grace], comparing calendar days in
    ingestion.campaign_dates_timezone (UTC by default; grace: ingestion.publish_grace_days).
    format: the platform's post type mapped in conf; the tracker's format if the export has
    none. published_at stays <NA> for a post with no export rows.
    """
    src = cfg.source("content_tracker")
    st = Staged(src, raw_tracker).parse(cfg)
    v = st.values
    v["platform"] = v["platform"].str.lower()
    st.reject(~v["platform"].isin(PLATFORMS), "platform", Reason.UNKNOWN_PLATFORM)
    st.reject(~v["creator_id"].isin(creators["creator_id"]), "creator_id",
              Reason.UNKNOWN_CREATOR)
    st.reject(~v["campaign_id"].isin(campaigns["campaign_id"]), "campaign_id",
              Reason.UNKNOWN_CAMPAIGN)
    st.reject(~v["contract_id"].isin(contracts["contract_id"]), "contract_id",
              Reason.UNKNOWN_CONTRACT)
    by_contract = contracts.set_index("contract_id")
    mismatch = ((lookup(v["contract_id"], by_contract["creator_id"]) != v["creator_id"])
                | (lookup(v["contract_id"], by_contract["campaign_id"]) != v["campaign_id"]))
    st.reject(mismatch, "contract_id", Reason.CONTRACT_MISMATCH)
    st.reject_duplicates(["content_id"], "content_id")
    st.reject_duplicates(["platform", "platform_post_id"], "platform_post_id")

    attrs = post_attributes(platform_rows)
    key = pd.MultiIndex.from_frame(v[["platform", "platform_post_id"]].astype(object))
    attrs = attrs.reindex(key).set_axis(v.index)
    published = attrs["published_at"]
    by_campaign = campaigns.set_index("campaign_id")
    grace = pd.Timedelta(days=cfg.publish_grace_days)
    start = lookup(v["campaign_id"], by_campaign["start_date"]).astype(DATE)
    end = lookup(v["campaign_id"], by_campaign["end_date"]).astype(DATE)
    day = calendar_day(published, cfg.campaign_dates_timezone)
    outside = day.notna() & ((day < start - grace) | (day > end + grace))
    st.reject(outside, "published_at", Reason.OUTSIDE_CAMPAIGN,
              value=published.dt.strftime("%Y-%m-%d %H:%M:%S+00:00"))

    alive = st.alive.to_numpy()
    kept = v[alive]
    attrs = attrs[alive]
    tracker_format = kept["format"].str.lower()
    tracker_format = tracker_format.where(tracker_format.isin(POST_FORMATS))
    utm = utm_parameters(kept["tracked_url"])
    posts = pd.DataFrame({
        "post_id": kept["content_id"],
        "contract_id": kept["contract_id"],
        "creator_id": kept["creator_id"],
        "campaign_id": kept["campaign_id"],
        "platform": kept["platform"],
        "platform_post_id": kept["platform_post_id"],
        "format": attrs["format"].astype(STRING).fillna(tracker_format),
        "published_at": attrs["published_at"],
        "caption": attrs["caption"].astype(STRING),
        "tracked_url": kept["tracked_url"],
        **{c: utm[c] for c in utm.columns},
        "due_date": kept["due_date"],
    }).reset_index(drop=True)
    return posts[POST_COLUMNS], st.audit(len(posts))


def difference_cumulative(
    frame: pd.DataFrame, columns: list[str], key: str = "post_id", order: str = "date"
) -> tuple[pd.DataFrame, pd.Series]:
    """Cumulative-to-date counters -> daily increments per `key`, in `order`.

    increment(t) = value(t) - max(value before t), the first row's increment is its value.
    When a counter goes down (value(t) < earlier max) the increment is set to 0 and the row
    is flagged; measuring from the running max keeps the increments summing to the highest
    cumulative value (10, 8, 12 -> 10, 0, 2). Blank cells stay <NA> and are skipped.

    Returns (frame sorted by key and order with increments, bool Series `corrected`).
    """
    f = frame.sort_values([key, order], kind="stable").copy()
    groups = f[key]
    corrected = pd.Series(False, index=f.index)
    for c in columns:
        values = f[c].astype("Int64")
        running_max = values.groupby(groups, sort=False).cummax()
        before = running_max.groupby(groups, sort=False).ffill().groupby(groups, sort=False).shift(1)
        increment = values - before.fillna(0)
        down = (increment < 0).fillna(False).astype(bool)
        f[c] = increment.mask(down, 0).astype("Int64")
        corrected |= down
    return f, corrected


def build_post_daily_metrics(
    platform_rows: pd.DataFrame, posts: pd.DataFrame, cfg: IngestionConfig
) -> tuple[pd.DataFrame, list[SourceAudit]]:
    """Staged export rows + posts -> (post_daily_metrics, one audit per platform export).

    Rejects (after the parse rejections of `stage_platform_exports`): a platform_post_id with
    no kept post in the tracker ("unknown post"), a second row for the same post and date.
    Exports with `cumulative: true` are differenced (`difference_cumulative`); a counter
    that went down is kept with increment 0 and counter_corrected = True (not a rejection;
    counted as counters_corrected in the report).
    """
    post_keys = posts[["platform", "platform_post_id", "post_id", "creator_id"]]
    frames, audits = [], []
    counters = [c for c in METRIC_COLUMNS if c not in LEVEL_COLUMNS]
    for name in PLATFORM_SOURCES:
        src = cfg.source(name)
        st = Staged.from_frame(src, platform_rows[platform_rows["export_source"] == name])
        v = st.values
        found = v[["platform", "platform_post_id"]].merge(
            post_keys, how="left", on=["platform", "platform_post_id"], validate="many_to_one")
        v["post_id"] = found["post_id"].to_numpy()
        v["creator_id"] = found["creator_id"].to_numpy()
        st.reject(v["post_id"].isna(), "platform_post_id", Reason.UNKNOWN_POST)
        st.reject_duplicates(["post_id", "date"], "date", Reason.DUPLICATE_POST_DATE)
        kept = st.kept()
        extra = {}
        if src.cumulative:
            kept, corrected = difference_cumulative(kept, counters)
            extra["counters_corrected"] = int(corrected.sum())
        else:
            corrected = pd.Series(False, index=kept.index)
        out = kept.assign(counter_corrected=corrected.astype(bool))[POST_METRIC_COLUMNS]
        frames.append(out)
        audits.append(st.audit(len(out), **extra))
    metrics = pd.concat(frames, ignore_index=True)
    metrics = metrics.astype({"post_id": STRING, "creator_id": STRING, "platform": STRING,
                              **{c: "Int64" for c in METRIC_COLUMNS},
                              "counter_corrected": bool})
    metrics = metrics.sort_values(["post_id", "date"], kind="stable").reset_index(drop=True)
    return metrics, audits
